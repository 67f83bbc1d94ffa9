/** imap.log: one record per tagged IMAP command with its tagged response (Zeek logs none; our schema). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const IMAP_LOG: LogSchema = {
  path: 'imap',
  doc: 'IMAP commands and their completion responses, one record per tagged command (RFC 9051, RFC 3501).',
  fields: [
    field('ts', 'time', 'Time the command was sent.'),
    field('uid', 'string', 'Uid of the connection.'),
    ...CONN_ID_FIELDS,
    field('tag', 'string', 'Tag the client gave the command.'),
    field('command', 'string', 'Command, upper-cased; "UID FETCH" style for UID commands.'),
    field('arg', 'string', 'Arguments of the command up to the first literal; LOGIN shows the user name only.'),
    field('status', 'string', 'Completion status: OK, NO or BAD; unset when no response was seen.'),
    field('response', 'string', 'Text of the tagged completion response.'),
    field('username', 'string', 'User of the session (LOGIN, AUTHENTICATE PLAIN), as far as known.'),
    field('password', 'string', 'Password of the session: only with showCredentials.'),
    field('fuids', 'vector[string]', 'Fuids of the MIME entities of messages fetched whole (RFC822, BODY[]) by this command (files.log).'),
  ],
};
