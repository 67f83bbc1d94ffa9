/** pop3.log: one record per POP3 command with its response (Zeek has no POP3 log; our schema). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const POP3_LOG: LogSchema = {
  path: 'pop3',
  doc: 'POP3 commands and their responses, one record per command (RFC 1939, RFC 2449, RFC 5034).',
  fields: [
    field('ts', 'time', 'Time the command was sent.'),
    field('uid', 'string', 'Uid of the connection.'),
    ...CONN_ID_FIELDS,
    field('command', 'string', 'Command, upper-cased (USER, PASS, RETR, ...).'),
    field('arg', 'string', 'Argument of the command; the PASS argument is "<hidden>" unless showCredentials is set.'),
    field('status', 'string', 'Response status: OK or ERR; unset when no response was seen.'),
    field('msg', 'string', 'Text of the status line of the response.'),
    field('username', 'string', 'User of the session (USER, APOP, or AUTH PLAIN), as far as known.'),
    field('password', 'string', 'Password of the session (PASS, AUTH PLAIN): only with showCredentials.'),
    field('fuids', 'vector[string]', 'Fuids of the MIME entities of a message retrieved by RETR/TOP (files.log).'),
  ],
};
