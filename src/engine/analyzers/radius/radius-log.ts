/** radius.log: one record per RADIUS authentication on a connection, as Zeek writes it. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const RADIUS_LOG: LogSchema = {
  path: 'radius',
  doc: 'RADIUS authentications: the request details and the server\'s verdict.',
  fields: [
    field('ts', 'time', 'Time of the first message of the authentication.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('username', 'string', 'User-Name (attribute 1) of the first Access-Request that had one.'),
    field('mac', 'string', 'Calling-Station-Id (attribute 31), normalised as a MAC address ("" when it is not one).'),
    field('framed_addr', 'addr', 'Framed-IP-Address (attribute 8) from an Access-Challenge: a hint of the address for the client.'),
    field('tunnel_client', 'string', 'Tunnel-Client-Endpoint (attribute 66): the address or name of the tunnel initiator (VPNs).'),
    field('remote_ip', 'addr', 'Tunnel-Client-Endpoint when it is an IP address (older Zeek versions\' field).'),
    field('connect_info', 'string', 'Connect-Info (attribute 77) of the request.'),
    field('reply_msg', 'string', 'Reply-Message (attribute 18) from an Access-Challenge, often shown to the user.'),
    field('result', 'string', 'success (Access-Accept), failed (Access-Reject) or unknown (no verdict seen).'),
    field('ttl', 'interval', 'Time from the first request to the verdict (unset when nothing was seen in between or no verdict).'),
  ],
};
