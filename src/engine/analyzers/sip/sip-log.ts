/** sip.log: SIP request/response pairs, as Zeek's base/protocols/sip/main.zeek writes them. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const SIP_LOG: LogSchema = {
  path: 'sip',
  doc: 'SIP transactions: a request and its response in one record (provisional responses each write the record too).',
  fields: [
    field('ts', 'time', 'Time the transaction\'s record was begun (usually its request).'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('trans_depth', 'count', 'Pipelined depth of the transaction in the connection (Zeek\'s counter).'),
    field('method', 'string', 'Method of the request (INVITE, REGISTER, ...).'),
    field('uri', 'string', 'Request-URI of the request.'),
    field('date', 'string', 'Date header of the request.'),
    field('request_from', 'string', 'From header of the request, without its tag parameter.'),
    field('request_to', 'string', 'To header of the request.'),
    field('response_from', 'string', 'From header of the response, without its tag parameter.'),
    field('response_to', 'string', 'To header of the response.'),
    field('reply_to', 'string', 'Reply-To header of the request.'),
    field('call_id', 'string', 'Call-ID header of the request.'),
    field('seq', 'string', 'CSeq header of the request.'),
    field('subject', 'string', 'Subject header of the request.'),
    field('request_path', 'vector[string]', 'Via headers of the request (without branch parameters): the path the request took.'),
    field('response_path', 'vector[string]', 'Via headers of the response (without branch parameters).'),
    field('user_agent', 'string', 'User-Agent header of the request.'),
    field('status_code', 'count', 'Status code of the response.'),
    field('status_msg', 'string', 'Reason phrase of the response.'),
    field('warning', 'string', 'Warning header of the response.'),
    field('request_body_len', 'count', 'Content-Length header of the request.'),
    field('response_body_len', 'count', 'Content-Length header of the response.'),
    field('content_type', 'string', 'Content-Type header of the response.'),
  ],
};
