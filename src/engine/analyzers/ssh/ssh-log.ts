/** ssh.log: one record per SSH connection, with Zeek's field names and meanings (plus HASSH). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const SSH_LOG: LogSchema = {
  path: 'ssh',
  doc: 'SSH connections: version banners, negotiated algorithms, server host key, authentication heuristics, HASSH fingerprints.',
  fields: [
    field('ts', 'time', 'Time of the first identification string (banner) seen on the connection.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('version', 'count', 'SSH major version (1 or 2) derived from both banners as Zeek does ("1.99" counts as 2 against 2 or 1.99, as 1 against 1); 0 for 1 against 2; unset without both banners.'),
    field('auth_success', 'bool', 'Authentication result from the sizes of encrypted server packets (T success, F failure, unset unknown; never set with compression).'),
    field('auth_attempts', 'count', 'Authentication attempts inferred from the sizes of encrypted server packets (0 when none could be inferred).'),
    field('direction', 'enum', 'INBOUND or OUTBOUND relative to the local networks (--local-nets), when exactly one side is local.'),
    field('client', 'string', "The client's identification string (banner)."),
    field('server', 'string', "The server's identification string (banner)."),
    field('cipher_alg', 'string', 'Negotiated encryption algorithm: the first client algorithm the server also offers ("To server: a, to client: b" when the directions differ).'),
    field('mac_alg', 'string', 'Negotiated MAC algorithm, chosen as cipher_alg.'),
    field('compression_alg', 'string', 'Negotiated compression algorithm, chosen as cipher_alg.'),
    field('kex_alg', 'string', 'Negotiated key exchange algorithm: the first client algorithm the server also offers.'),
    field('host_key_alg', 'string', 'Negotiated server host key algorithm: the first client algorithm the server also offers.'),
    field('host_key', 'string', "MD5 fingerprint of the server's host key blob from the key exchange reply, colon-separated hex."),
    field('hassh', 'string', "HASSH: MD5 of hasshAlgorithms, fingerprinting the client's SSH implementation."),
    field('hasshAlgorithms', 'string', 'The client KEXINIT\'s "kex;encryption;mac;compression" lists (client-to-server directions).'),
    field('hasshServer', 'string', "HASSHServer: MD5 of hasshServerAlgorithms, fingerprinting the server's SSH implementation."),
    field('hasshServerAlgorithms', 'string', 'The server KEXINIT\'s "kex;encryption;mac;compression" lists (server-to-client directions).'),
  ],
};
