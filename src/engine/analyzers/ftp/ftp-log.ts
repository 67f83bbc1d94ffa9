/** ftp.log: one record per logged FTP command with its reply, Zeek's FTP::Info. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const FTP_LOG: LogSchema = {
  path: 'ftp',
  doc: 'FTP control-channel commands with their replies (by default only the file-transfer and data-channel commands, as Zeek logs them).',
  fields: [
    field('ts', 'time', 'Time the command was sent.'),
    field('uid', 'string', 'Uid of the connection.'),
    ...CONN_ID_FIELDS,
    field('user', 'string', 'User name of the session (USER), "<unknown>" before one is sent.'),
    field('password', 'string', 'Password (PASS): shown only for anonymous/guest users (Zeek\'s guest_ids) or with showCredentials, otherwise "<hidden>".'),
    field('command', 'string', 'Command, upper-cased.'),
    field('arg', 'string', 'Argument of the command; for file commands a ftp:// URL built from the server address and the working directory.'),
    field('mime_type', 'string', 'Sniffed type of the file the data channel carried for this transfer command (RETR, STOR, STOU, APPE).'),
    field('file_size', 'count', 'Size of the file, from the reply to RETR (150) or SIZE (213).'),
    field('reply_code', 'count', 'Code of the last reply to the command.'),
    field('reply_msg', 'string', 'Text of the last reply to the command.'),
    field('data_channel.passive', 'bool', 'The data channel was set up passively (PASV/EPSV) rather than by PORT/EPRT.'),
    field('data_channel.orig_h', 'addr', 'Host expected to open the data connection.'),
    field('data_channel.resp_h', 'addr', 'Host expected to accept the data connection.'),
    field('data_channel.resp_p', 'port', 'Port expected to accept the data connection.'),
    field('fuid', 'string', 'Fuid of the file the data channel carried for this transfer command: joins files.log.'),
  ],
};
