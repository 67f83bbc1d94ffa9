/** mysql.log: one record per MySQL command (and the login), with Zeek's field names and meanings. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const MYSQL_LOG: LogSchema = {
  path: 'mysql',
  doc: 'MySQL logins and commands with the server\'s verdict.',
  fields: [
    field('ts', 'time', 'Time of the command (of the login request for "login").'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('cmd', 'string', 'The command: "login", or the COM_* name in lower case without the prefix (query, init_db, quit, ...; unknown-N otherwise).'),
    field('arg', 'string', 'The argument of the command (the query text, the database name; the user name for login and change_user), one trailing NUL removed.'),
    field('success', 'bool', 'The server answered with OK or a result set (T) or an error (F); unset without an answer.'),
    field('rows', 'count', 'Affected rows of the OK answer; 0 for a result set ended by EOF (Zeek does not count result rows).'),
    field('response', 'string', 'The server\'s error message.'),
  ],
};
