/** syslog.log: one record per syslog message, as Zeek writes it. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const SYSLOG_LOG: LogSchema = {
  path: 'syslog',
  doc: 'Syslog messages (RFC 3164 / RFC 5424 over UDP, RFC 6587 over TCP), one record each.',
  fields: [
    field('ts', 'time', 'Time the message was seen.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('proto', 'enum', 'Transport protocol the message came over.'),
    field('facility', 'string', 'Facility from the PRI part (KERN, USER, ..., LOCAL7; UNSPECIFIED without a PRI).'),
    field('severity', 'string', 'Severity from the PRI part (EMERG ... DEBUG; UNSPECIFIED without a PRI).'),
    field('message', 'string', 'The message after the PRI part, as sent (header, host, tag and text).'),
  ],
};
