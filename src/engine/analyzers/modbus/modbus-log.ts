/** modbus.log: one record per Modbus/TCP message, with Zeek's field names and meanings. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const MODBUS_LOG: LogSchema = {
  path: 'modbus',
  doc: 'Modbus/TCP requests and responses (one record per message, as Zeek writes them).',
  fields: [
    field('ts', 'time', 'Time of the message.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('tid', 'count', 'Modbus transaction id (MBAP header); a response carries its request\'s.'),
    field('unit', 'count', 'The unit identifier of the message (MBAP header).'),
    field('func', 'string', 'The function code\'s name (Zeek\'s Modbus::function_codes; exception responses get the "_EXCEPTION" suffix; unknown-N otherwise).'),
    field('pdu_type', 'string', '"REQ" for a message from the originator, "RESP" from the responder.'),
    field('exception', 'string', 'The exception code\'s name for an exception response (Zeek\'s Modbus::exception_codes; unknown-N otherwise).'),
  ],
};
