/** login.log: one record per Telnet or rlogin session. Zeek has the analyzer but no log; this is our schema. */
import { CONN_ID_FIELDS, field, type LogSchema } from '../../logs/schema.js';

export const LOGIN_LOG: LogSchema = {
  path: 'login',
  doc: 'Cleartext terminal sessions (Telnet, rlogin): who logged in, whether it worked, the terminal. Not a Zeek log (Zeek\'s Login analyzer raises events only).',
  fields: [
    field('ts', 'time', 'Start of the session (first data).'),
    field('uid', 'string', 'Connection of the session.', { plain: true }),
    ...CONN_ID_FIELDS,
    field('service', 'string', 'telnet or rlogin.', { plain: true }),
    field('user', 'string', 'User name typed at the login prompt (rlogin: the server-side user of the handshake).'),
    field('client_user', 'string', 'rlogin: the user on the client host.'),
    field('password', 'string', 'Password typed at the password prompt: "<hidden>" unless credentials are shown on request.'),
    field('success', 'bool', 'Login outcome from the server\'s words after the password (Zeek\'s login_success_msgs / login_failure_msgs, or a shell prompt); unset when unknown.'),
    field('terminal', 'string', 'Terminal type (Telnet TERMINAL-TYPE, rlogin handshake "type/speed").'),
    field('display', 'string', 'X display the client announced (Telnet X-DISPLAY-LOCATION).'),
    field('client_bytes', 'count', 'Bytes the client typed (application data, commands stripped).'),
    field('server_bytes', 'count', 'Bytes the server printed.'),
  ],
};
