/** dnp3.log: DNP3 application-layer requests and replies, with Zeek's field names and meanings. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const DNP3_LOG: LogSchema = {
  path: 'dnp3',
  doc: 'DNP3 application-layer function codes of requests and replies (one record per reply, as Zeek writes them).',
  fields: [
    field('ts', 'time', 'Time of the last message that went into the record (the reply\'s time when there is one, as Zeek sets it).'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('fc_request', 'string', 'The function code\'s name of the last request from the originator (Zeek\'s DNP3::function_codes; unknown-N otherwise).'),
    field('fc_reply', 'string', 'The function code\'s name of the reply from the responder (RESPONSE, UNSOLICITED_RESPONSE, ...).'),
    field('iin', 'count', 'The reply\'s internal indications: IIN1 * 256 + IIN2.'),
  ],
};
