/**
 * When `field:value` may be answered from the observables index, from ingest's own table
 * (OBSERVABLE_FIELDS in ../observables.ts), so the compiler and ingest cannot disagree:
 * every addr field is type 'ip'; another (log, field) pair is indexed when the table names it
 * with exactly one type and not as `derived` (a value computed from the field, such as the url
 * built from http.uri, is no answer to a search on the field itself). dns.answers, split into ip
 * and domain rows by what each answer parses as, is searched in the document instead.
 */
import type { ZeekType } from '../../engine/logs/schema.js';
import { OBSERVABLE_FIELDS } from '../observables.js';

const BY_LOG_FIELD = new Map<string, string | null>();
for (const o of OBSERVABLE_FIELDS) {
  if (o.derived) continue;
  const k = `${o.log}\u0000${o.field}`;
  const seen = BY_LOG_FIELD.get(k);
  BY_LOG_FIELD.set(k, seen === undefined ? o.type : null); // null: more than one type
}

/** The observables type of (log, field), if ingest indexes the field's own values under one type. */
export function observableTypeOf(log: string, field: string, type: ZeekType): string | undefined {
  if (type === 'addr' || type === 'set[addr]' || type === 'vector[addr]') return 'ip';
  return BY_LOG_FIELD.get(`${log}\u0000${field}`) ?? undefined;
}

/** Types ingest lower-cases (normaliseObservable): wildcard literals are lower-cased to match. */
const LOWER_CASED = new Set(['domain', 'host', 'email', 'md5', 'sha1', 'sha256', 'ja3', 'ja3s', 'ja4', 'hassh', 'hasshServer', 'cert_fp']);

export function isLowerCased(type: string): boolean {
  return LOWER_CASED.has(type);
}
