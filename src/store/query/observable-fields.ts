/**
 * Which record fields the observables index holds, so `dns.query:x` becomes an index lookup
 * instead of a scan of every document. Must agree with what ingest extracts (store contract,
 * note 1-3): every addr field is type 'ip'; the rest is the table below. A pair listed here but
 * not extracted would lose results, so the table only names fields ingest indexes.
 */
import type { ZeekType } from '../../engine/logs/schema.js';

export interface ObservableField {
  readonly log: string;
  readonly field: string;
  readonly type: string;
}

export const OBSERVABLE_FIELDS: readonly ObservableField[] = [
  { log: 'dns', field: 'query', type: 'domain' },
  { log: 'http', field: 'host', type: 'host' },
  { log: 'http', field: 'user_agent', type: 'user_agent' },
  { log: 'ssl', field: 'server_name', type: 'domain' },
  { log: 'ssl', field: 'ja3', type: 'ja3' },
  { log: 'ssl', field: 'ja3s', type: 'ja3s' },
  { log: 'ssl', field: 'ja4', type: 'ja4' },
  { log: 'quic', field: 'server_name', type: 'domain' },
  { log: 'quic', field: 'ja4', type: 'ja4' },
  { log: 'ssh', field: 'hassh', type: 'hassh' },
  { log: 'ssh', field: 'hasshServer', type: 'hasshServer' },
  { log: 'files', field: 'md5', type: 'md5' },
  { log: 'files', field: 'sha1', type: 'sha1' },
  { log: 'files', field: 'sha256', type: 'sha256' },
  { log: 'files', field: 'filename', type: 'filename' },
  { log: 'x509', field: 'fingerprint', type: 'cert_fp' },
];

const BY_LOG_FIELD = new Map(OBSERVABLE_FIELDS.map((o) => [`${o.log}\u0000${o.field}`, o.type]));

/** The observables type of (log, field), if ingest indexes it. */
export function observableTypeOf(log: string, field: string, type: ZeekType): string | undefined {
  if (type === 'addr' || type === 'set[addr]' || type === 'vector[addr]') return 'ip';
  return BY_LOG_FIELD.get(`${log}\u0000${field}`);
}

/** Observable types whose values ingest lower-cases (so query values are lower-cased too). */
const LOWER_CASED = new Set(['domain', 'host', 'md5', 'sha1', 'sha256', 'ja3', 'ja3s', 'ja4', 'hassh', 'hasshServer', 'cert_fp', 'email']);

export function isLowerCased(type: string): boolean {
  return LOWER_CASED.has(type);
}
