/** ssl.log: one record per TLS/SSL connection (Zeek's base/protocols/ssl/main.zeek + files.zeek). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const SSL_LOG: LogSchema = {
  path: 'ssl',
  doc: 'SSL/TLS handshakes: negotiated version and cipher, SNI, certificates, fingerprints.',
  fields: [
    field('ts', 'time', 'Time the SSL/TLS connection was first detected (its first record).'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('version', 'string', 'SSL/TLS version the server chose (supported_versions wins for TLS 1.3).'),
    field('cipher', 'string', 'Cipher suite the server chose.'),
    field('curve', 'string', 'Elliptic curve / group the server chose (ECDHE params or key_share).'),
    field('server_name', 'string', 'Server Name Indication the client sent (first name).'),
    field('resumed', 'bool', 'The session was resumed (session id, session ticket or TLS 1.3 PSK).'),
    field('last_alert', 'string', 'Last alert seen in the clear.'),
    field('next_protocol', 'string', 'Application protocol the server chose with ALPN.'),
    field('established', 'bool', 'The handshake completed: both sides switched to encrypted records.'),
    field('ssl_history', 'string', 'Handshake history: client letters upper case, server lower case (see docs).'),
    field('cert_chain_fps', 'vector[string]', 'SHA-256 fingerprints of the server certificates, in chain order.'),
    field('client_cert_chain_fps', 'vector[string]', 'SHA-256 fingerprints of the client certificates, in chain order.'),
    field('sni_matches_cert', 'bool', 'The SNI matches a name of the server certificate (SAN DNS, else CN).'),
    field('ja3', 'string', 'JA3 client fingerprint (MD5 of the ClientHello field lists, GREASE removed).'),
    field('ja3s', 'string', 'JA3S server fingerprint (MD5 of the ServerHello field lists).'),
    field('ja4', 'string', 'JA4 client fingerprint (FoxIO JA4, a_b_c form).'),
    field('ech', 'bool', 'The ClientHello carried an encrypted_client_hello extension (0xfe0d).'),
  ],
};
