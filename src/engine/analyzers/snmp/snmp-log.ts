/** snmp.log: one record per SNMP "session" (UDP connection), as Zeek writes it when it ends. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const SNMP_LOG: LogSchema = {
  path: 'snmp',
  doc: 'SNMP sessions: the version, community and request/response counts of one UDP connection.',
  fields: [
    field('ts', 'time', 'Time of the first SNMP message of the session.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('duration', 'interval', 'Time from the first SNMP message of the session to the last.'),
    field('version', 'string', 'SNMP version: 1, 2c or 3.'),
    field('community', 'string', 'Community string of the first v1/v2c message: a cleartext credential, shown as *** unless the analyzer is created with showCredentials.'),
    field('get_requests', 'count', 'Variable bindings in GetRequest and GetNextRequest PDUs.'),
    field('get_bulk_requests', 'count', 'Variable bindings in GetBulkRequest PDUs.'),
    field('get_responses', 'count', 'Variable bindings in Response PDUs.'),
    field('set_requests', 'count', 'Variable bindings in SetRequest PDUs.'),
    field('display_string', 'string', 'System description (sysDescr.0) the responder sent.'),
    field('up_since', 'time', 'When the responder claims to have come up (time of its sysUpTime.0 answer minus the uptime).'),
  ],
};
