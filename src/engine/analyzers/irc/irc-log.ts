/** irc.log: IRC commands of a session (NICK, USER, JOIN, DCC SEND offers), as Zeek logs them. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const IRC_LOG: LogSchema = {
  path: 'irc',
  doc: 'IRC commands given by the client (NICK, USER, JOIN) and DCC SEND offers, with the session state Zeek carries between them.',
  fields: [
    field('ts', 'time', 'Time of the last IRC message handled for the session before this record (the command itself, usually).'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('nick', 'string', 'Nickname of the session before this command (set by earlier NICK commands).'),
    field('user', 'string', 'User name given by an earlier USER command.'),
    field('command', 'string', 'The command: NICK, USER, JOIN, or DCC for a DCC SEND offer.'),
    field('value', 'string', 'The command\'s value: the new nick, the user name, the channel joined (DCC: the value of the command before it).'),
    field('addl', 'string', 'More of the command: USER\'s "host server realname" (the real name as Zeek rebuilds it: first two words joined, a space after each later one), JOIN\'s " with channel key: \'...\'" (empty without a key).'),
    field('dcc_file_name', 'string', 'File name offered by a DCC SEND.'),
    field('dcc_file_size', 'count', 'File size announced by a DCC SEND (0 when absent).'),
    field('dcc_mime_type', 'string', 'MIME type sniffed from the DCC transfer (not filled in: the transfer is another connection).'),
    field('fuid', 'string', 'File id of the DCC transfer (not filled in: the transfer is another connection).'),
  ],
};
