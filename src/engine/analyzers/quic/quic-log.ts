/** quic.log: one record per QUIC handshake seen on a UDP connection, as Zeek writes it. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const QUIC_LOG: LogSchema = {
  path: 'quic',
  doc: 'QUIC connections: version, connection IDs and what the client\'s Initial packets reveal (SNI, ALPN, JA4).',
  fields: [
    field('ts', 'time', 'Time of the first QUIC packet of this entry.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('version', 'string', 'QUIC version of the first long-header packet: "1", "quicv2", "draft-NN", "mvfst (faceb00N)" or "unknown-<hex>".'),
    field('client_initial_dcid', 'string', 'First Destination Connection ID sent by the client (hex); it keys the Initial packet protection.'),
    field('client_scid', 'string', 'Client\'s Source Connection ID from its latest long-header packet (hex).'),
    field('server_scid', 'string', 'Server\'s Source Connection ID from its latest long-header packet (hex).'),
    field('server_name', 'string', 'First server name of the SNI extension in the ClientHello.'),
    field('client_protocol', 'string', 'First protocol of the ALPN extension in the ClientHello.'),
    field('history', 'string', 'Packets seen, client upper case / server lower case: I Initial, H Handshake, Z 0-RTT, R Retry, C CONNECTION_CLOSE, S TLS Client/Server Hello, U unknown version, X discarded packet after Initials were opened, O short-header packets (at 1, 2, 4, 8, ...).'),
    field('ja4', 'string', 'JA4 fingerprint of the ClientHello, QUIC variant (starts with "q"); our own field, not Zeek\'s.'),
  ],
};
