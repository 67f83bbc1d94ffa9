/** tunnel.log: encapsulations discovered and closed (Zeek's tunnel.log). */
import { CONN_ID_FIELDS, type LogSchema, field } from './schema.js';

export const TUNNEL_LOG: LogSchema = {
  path: 'tunnel',
  doc: 'Tunnels: IP-in-IP, GRE, VXLAN, Geneve, GTP-U, Teredo, AYIYA.',
  fields: [
    field('ts', 'time', 'When the action happened.'),
    field('uid', 'string', 'Uid of the tunnel; inner connections list it in conn.log tunnel_parents.'),
    ...CONN_ID_FIELDS,
    field('tunnel_type', 'enum', 'Kind of tunnel, e.g. Tunnel::IP, Tunnel::GRE, Tunnel::VXLAN.'),
    field('action', 'enum', 'Tunnel::DISCOVER, Tunnel::CLOSE or Tunnel::EXPIRE.'),
  ],
};
