/** conn.log: one record per connection, with Zeek's field names and meanings. */
import { CONN_ID_FIELDS, type LogSchema, field } from './schema.js';

export const CONN_LOG: LogSchema = {
  path: 'conn',
  doc: 'Connections: TCP, UDP and ICMP flows, and flows of other IP protocols.',
  fields: [
    field('ts', 'time', 'Time of the first packet.'),
    field('uid', 'string', 'Unique id of the connection; joins every log record of this connection.', { plain: true }),
    ...CONN_ID_FIELDS,
    field('proto', 'enum', 'Transport protocol: tcp, udp, icmp, or unknown_transport.', { plain: true }),
    field('service', 'string', 'Application protocols confirmed on the connection, comma-separated.'),
    field('duration', 'interval', 'Time from the first to the last packet.'),
    field('orig_bytes', 'count', 'Payload bytes sent by the originator (TCP: from sequence numbers).'),
    field('resp_bytes', 'count', 'Payload bytes sent by the responder.'),
    field('conn_state', 'string', 'Connection state (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH).', { plain: true }),
    field('local_orig', 'bool', 'Originator is in a configured local network (only when local networks are set).'),
    field('local_resp', 'bool', 'Responder is in a configured local network (only when local networks are set).'),
    field('missed_bytes', 'count', 'Bytes missed in content gaps (sequence space never seen).'),
    field('history', 'string', 'State history: upper case originator, lower case responder (see docs).', { plain: true }),
    field('orig_pkts', 'count', 'Packets sent by the originator.'),
    field('orig_ip_bytes', 'count', 'IP-level bytes sent by the originator (IP total length field).'),
    field('resp_pkts', 'count', 'Packets sent by the responder.'),
    field('resp_ip_bytes', 'count', 'IP-level bytes sent by the responder.'),
    field('tunnel_parents', 'set[string]', 'Uids of the tunnels this connection was carried in.'),
    field('ip_proto', 'count', 'IP protocol number.'),
    field('community_id', 'string', 'Community ID v1 of the flow, to join records across tools.', { plain: true }),
    field('vlan', 'int', 'Outer VLAN id.'),
    field('inner_vlan', 'int', 'Inner VLAN id (QinQ).'),
  ],
};
