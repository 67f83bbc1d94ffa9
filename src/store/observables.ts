/**
 * The observables index: which (log, field) holds which kind of indicator, how each kind is
 * normalised, and the extraction that turns one record into its (type, value, field) rows.
 *
 * - Every addr / set[addr] / vector[addr] field of every schema is type `ip` (read from the schema,
 *   so a new log needs no entry here). Other pairs are listed in OBSERVABLE_FIELDS, which the query
 *   compiler imports to know when it may answer `field:value` from the index.
 * - `uid` and `community_id` of a record are columns of `records` (indexed there), not rows here:
 *   nearly every record has them and doubling them would cost a third of the index. Fields that
 *   hold *other* connections' uids (dhcp.uids, notice.uids, conn.tunnel_parents) are rows here.
 * - Values are normalised the same way at ingest and for pivot input (normaliseObservable), and cut
 *   at OBSERVABLE_VALUE_MAX_CHARS at the same place, so a pivot finds what ingest stored.
 */
import type { LogRecord, LogSchema } from '../engine/logs/schema.js';
import { formatAddr, parseAddr } from '../engine/support/addr.js';
import { reverseValue, wordsKey } from './query/observable-keys.js';
import { DOCUMENT_PATH_MAX_DEPTH, OBSERVABLE_VALUE_MAX_CHARS, OBSERVABLES_PER_RECORD_MAX } from './limits.js';
import type { ObservableType } from './store.js';

export interface ObservableField {
  /** Stored log name (records.log): 'dns', 'http', ..., 'alert' for EVE alerts. */
  log: string;
  /** The key as written in the document; for nested EVE documents the path joined with '.'. */
  field: string;
  type: ObservableType;
  /**
   * The index holds a value derived from the field, not the field's own value (http uri → url
   * `host/path`, Host header → domain without its port): pivots use it, but `field:value`
   * searches must not answer from it.
   */
  derived?: true;
}

const f = (log: string, field: string, type: ObservableType, derived?: 'derived'): ObservableField =>
  derived ? { log, field, type, derived: true } : { log, field, type };

/** (log, field) → type for everything that is not an addr field (those are all `ip`). */
export const OBSERVABLE_FIELDS: readonly ObservableField[] = [
  f('dns', 'query', 'domain'),
  // Zeek's answers mix addresses (A/AAAA) and names (CNAME, PTR, NS, MX): each value goes to the type it parses as.
  f('dns', 'answers', 'ip'), f('dns', 'answers', 'domain'),
  f('http', 'host', 'host'), f('http', 'host', 'domain', 'derived'), f('http', 'uri', 'url', 'derived'),
  f('http', 'user_agent', 'user_agent'), f('http', 'orig_filenames', 'filename'), f('http', 'resp_filenames', 'filename'),
  f('ssl', 'server_name', 'domain'), f('ssl', 'ja3', 'ja3'), f('ssl', 'ja3s', 'ja3s'), f('ssl', 'ja4', 'ja4'),
  f('ssl', 'cert_chain_fps', 'cert_fp'), f('ssl', 'client_cert_chain_fps', 'cert_fp'),
  f('quic', 'server_name', 'domain'), f('quic', 'ja4', 'ja4'),
  f('x509', 'fingerprint', 'cert_fp'), f('x509', 'sha1', 'cert_fp'), f('x509', 'san.dns', 'domain'), f('x509', 'san.email', 'email'),
  f('files', 'md5', 'md5'), f('files', 'sha1', 'sha1'), f('files', 'sha256', 'sha256'), f('files', 'filename', 'filename'),
  f('ssh', 'hassh', 'hassh'), f('ssh', 'hasshServer', 'hasshServer'),
  f('smtp', 'mailfrom', 'email'), f('smtp', 'rcptto', 'email'), f('smtp', 'from', 'email'), f('smtp', 'to', 'email'),
  f('smtp', 'cc', 'email'), f('smtp', 'reply_to', 'email'), f('smtp', 'user_agent', 'user_agent'),
  f('sip', 'user_agent', 'user_agent'),
  f('irc', 'dcc_file_name', 'filename'),
  f('dhcp', 'client_fqdn', 'domain'), f('dhcp', 'domain', 'domain'), f('dhcp', 'uids', 'uid'),
  f('notice', 'uids', 'uid'), f('conn', 'tunnel_parents', 'uid'),
  f('alert', 'http.hostname', 'host'), f('alert', 'http.hostname', 'domain', 'derived'), f('alert', 'http.url', 'url', 'derived'),
  f('alert', 'http.http_user_agent', 'user_agent'), f('alert', 'tls.sni', 'domain'),
  f('alert', 'tls.ja3.hash', 'ja3'), f('alert', 'tls.ja3s.hash', 'ja3s'), f('alert', 'tls.ja4', 'ja4'),
  f('alert', 'tls.fingerprint', 'cert_fp'), f('alert', 'dns.query.rrname', 'domain'),
  f('alert', 'fileinfo.filename', 'filename'), f('alert', 'fileinfo.md5', 'md5'), f('alert', 'fileinfo.sha1', 'sha1'),
  f('alert', 'fileinfo.sha256', 'sha256'), f('alert', 'ssh.client.hassh.hash', 'hassh'), f('alert', 'ssh.server.hassh.hash', 'hasshServer'),
];

/** records.log for a schema: EVE documents are stored as 'alert' (their event_type), the rest by path. */
export function storedLogName(schema: LogSchema): string {
  return schema.path === 'eve' ? 'alert' : schema.path;
}

/** True for nested documents (EVE), whose dotted field names are paths rather than flat keys. */
export function isDocumentSchema(schema: LogSchema): boolean {
  return (schema as { document?: boolean }).document === true;
}

// ---- normalisation ----

/** Cuts at the limit without splitting a surrogate pair. */
function cap(s: string): string {
  if (s.length <= OBSERVABLE_VALUE_MAX_CHARS) return s;
  let end = OBSERVABLE_VALUE_MAX_CHARS;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end);
}

/** The four words of an IP written in any form normaliseIp accepts (brackets, zone index), or undefined. */
function ipWords(raw: string): [number, number, number, number] | undefined {
  let s = raw.trim();
  if (s.length > 64) return undefined; // longer than any address text, with or without brackets
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%'); // zone index (fe80::1%eth0): not part of the address
  if (pct >= 0) s = s.slice(0, pct);
  return parseAddr(s);
}

/** Canonical text of an IP (IPv6 compressed lower-case, IPv4-mapped as IPv4), or undefined. */
export function normaliseIp(raw: string): string | undefined {
  const w = ipWords(raw);
  return w === undefined ? undefined : formatAddr(w[0], w[1], w[2], w[3]);
}

/** Lower-case, no trailing dot; undefined for text with blanks (a DNS answer such as `RRSIG 1 example.com` is no name). */
function normaliseDomain(raw: string): string | undefined {
  let s = raw.trim().toLowerCase();
  while (s.endsWith('.')) s = s.slice(0, -1);
  return s === '' || /\s/.test(s) ? undefined : s;
}

/** `host/path?query`: scheme dropped, host lower-case (port kept), path as sent ('/' when none). */
export function normaliseUrl(raw: string): string | undefined {
  let s = raw.trim();
  const scheme = /^[a-z][a-z0-9+.-]{0,15}:\/\//i.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  let cut = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) { cut = i; break; } // '/', '?', '#'
  }
  const host = s.slice(0, cut).toLowerCase();
  if (host === '') return undefined;
  const rest = s.slice(cut);
  return host + (rest.startsWith('/') ? rest : '/' + rest);
}

/** The address inside `Name <a@b>` (or the whole text), lower-case; undefined without an '@'. */
function normaliseEmail(raw: string): string | undefined {
  let s = raw.trim();
  const lt = s.lastIndexOf('<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    s = s.slice(lt + 1, gt < 0 ? s.length : gt).trim();
  }
  if (s.toLowerCase().startsWith('mailto:')) s = s.slice(7);
  s = s.toLowerCase();
  return s.includes('@') ? s : undefined;
}

/** Hex digests and fingerprints: lower-case, colons (Suricata's `aa:bb:..`) dropped. */
function normaliseHex(raw: string): string | undefined {
  const s = raw.trim().toLowerCase().replaceAll(':', '');
  return s === '' ? undefined : s;
}

function normaliseExact(raw: string): string | undefined {
  return raw === '' ? undefined : raw;
}

/** A value of `type` as the index holds it, or undefined when it is not one (then it is not indexed). */
export function normaliseObservable(type: ObservableType, raw: string): string | undefined {
  let v: string | undefined;
  switch (type) {
    case 'ip': v = normaliseIp(raw); break;
    case 'domain': v = normaliseDomain(raw); break;
    case 'host': v = normaliseDomain(raw); break;
    case 'url': v = normaliseUrl(raw); break;
    case 'email': v = normaliseEmail(raw); break;
    case 'md5': case 'sha1': case 'sha256': case 'ja3': case 'ja3s': case 'hassh': case 'hasshServer': case 'cert_fp':
      v = normaliseHex(raw); break;
    case 'ja4': v = normaliseDomain(raw); break; // JA4 is lower-case by definition
    default: v = normaliseExact(raw.trim());
  }
  return v === undefined ? undefined : cap(v);
}

/** The host part of an HTTP Host header as a domain: port dropped; undefined for an IP literal. */
function hostHeaderDomain(raw: string): string | undefined {
  let s = raw.trim();
  if (s.startsWith('[')) return undefined; // [v6]:port
  const colon = s.indexOf(':');
  if (colon >= 0 && s.indexOf(':', colon + 1) < 0) s = s.slice(0, colon);
  if (parseAddr(s) !== undefined) return undefined;
  return normaliseObservable('domain', s);
}

// ---- extraction ----

/** One row of the observables index for one record. */
export interface ObservableRow {
  type: ObservableType;
  value: string;
  field: string;
  /** Sortable address key (type ip only), see query/observable-keys.ts. */
  ipkey: string | null;
  /** The value reversed (all types but ip), for suffix wildcards. */
  rvalue: string | null;
}

interface PlanEntry {
  field: string;
  type: ObservableType;
  /** Keys to walk: one flat key, or a nested path for documents. */
  path: readonly string[];
  /** How a value becomes an index value; default normaliseObservable(type, v). */
  derive?: (v: string, rec: LogRecord) => string | undefined;
  /** dns.answers: only values that parse as this kind. */
  onlyIf?: (v: string) => boolean;
}

const isAddrType = (t: string): boolean => t === 'addr' || t === 'set[addr]' || t === 'vector[addr]';
const looksLikeIp = (v: string): boolean => parseAddr(v) !== undefined;

/** HTTP url from the record's host (else the responder's address) and uri. */
function httpUrl(uri: string, rec: LogRecord): string | undefined {
  if (/^[a-z][a-z0-9+.-]{0,15}:\/\//i.test(uri)) return normaliseObservable('url', uri); // proxy request: absolute URI
  const host = typeof rec.host === 'string' && rec.host !== '' ? rec.host : rec['id.resp_h'];
  if (typeof host !== 'string') return undefined;
  return normaliseObservable('url', host + (uri.startsWith('/') ? uri : '/' + uri));
}

/** EVE http.url is a path; the host is http.hostname. */
function eveUrl(url: string, rec: LogRecord): string | undefined {
  if (/^[a-z][a-z0-9+.-]{0,15}:\/\//i.test(url)) return normaliseObservable('url', url);
  const http = rec.http as Record<string, unknown> | undefined;
  const host = typeof http?.hostname === 'string' ? http.hostname : rec.dest_ip;
  if (typeof host !== 'string') return undefined;
  return normaliseObservable('url', host + (url.startsWith('/') ? url : '/' + url));
}

function planFor(schema: LogSchema): readonly PlanEntry[] {
  const document = isDocumentSchema(schema);
  const log = storedLogName(schema);
  const toPath = (name: string): string[] => (document ? name.split('.').slice(0, DOCUMENT_PATH_MAX_DEPTH) : [name]);
  const plan: PlanEntry[] = [];
  for (const fs of schema.fields) {
    if (isAddrType(fs.type)) plan.push({ field: fs.name, type: 'ip', path: toPath(fs.name) });
  }
  for (const o of OBSERVABLE_FIELDS) {
    if (o.log !== log) continue;
    const e: PlanEntry = { field: o.field, type: o.type, path: toPath(o.field) };
    if (log === 'dns' && o.field === 'answers') e.onlyIf = o.type === 'ip' ? looksLikeIp : (v) => !looksLikeIp(v);
    if (o.type === 'domain' && (o.field === 'host' || o.field === 'http.hostname')) e.derive = hostHeaderDomain;
    if (log === 'http' && o.type === 'url') e.derive = httpUrl;
    if (log === 'alert' && o.type === 'url') e.derive = eveUrl;
    plan.push(e);
  }
  return plan;
}

/**
 * Turns records into observable rows. Keeps a plan per schema and a bounded cache of address
 * texts, so the common case (the same few addresses in record after record) costs a map lookup.
 */
export class ObservableExtractor {
  private readonly plans = new WeakMap<LogSchema, readonly PlanEntry[]>();
  private readonly ipCache = new Map<string, { value: string; key: string } | null>();
  /** Addresses cached before the cache is cleared (a capture of random addresses must not grow it forever). */
  private static readonly IP_CACHE_MAX = 1 << 16;

  /** Appends the record's observables to `out` (cleared first); returns how many. */
  extract(schema: LogSchema, rec: LogRecord, out: ObservableRow[]): number {
    out.length = 0;
    let plan = this.plans.get(schema);
    if (!plan) this.plans.set(schema, (plan = planFor(schema)));
    for (const e of plan) {
      let v: unknown = rec;
      for (let i = 0; i < e.path.length && v !== undefined; i++) {
        v = Array.isArray(v) ? collect(v, e.path[i]) : (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[e.path[i]] : undefined);
      }
      if (typeof v === 'string') this.add(e, v, rec, out);
      else if (Array.isArray(v)) {
        for (let i = 0; i < v.length && out.length < OBSERVABLES_PER_RECORD_MAX; i++) {
          if (typeof v[i] === 'string') this.add(e, v[i] as string, rec, out);
        }
      }
      if (out.length >= OBSERVABLES_PER_RECORD_MAX) break;
    }
    return out.length;
  }

  private add(e: PlanEntry, raw: string, rec: LogRecord, out: ObservableRow[]): void {
    if (out.length >= OBSERVABLES_PER_RECORD_MAX) return;
    if (e.onlyIf && !e.onlyIf(raw)) return;
    if (e.type === 'ip') {
      const ip = this.ip(raw);
      if (ip) pushUnique(out, { type: 'ip', value: ip.value, field: e.field, ipkey: ip.key, rvalue: null });
      return;
    }
    const value = e.derive ? e.derive(raw, rec) : normaliseObservable(e.type, raw);
    if (value === undefined) return;
    pushUnique(out, { type: e.type, value, field: e.field, ipkey: null, rvalue: reversed(value) });
  }

  private ip(raw: string): { value: string; key: string } | null {
    let hit = this.ipCache.get(raw);
    if (hit !== undefined) return hit;
    // One parse for both: the canonical text parses back to these same words (a test holds
    // ipKey(value) === key), so the key always matches the value.
    const w = ipWords(raw);
    hit = w === undefined ? null : { value: formatAddr(w[0], w[1], w[2], w[3]), key: wordsKey(w) };
    if (this.ipCache.size >= ObservableExtractor.IP_CACHE_MAX) this.ipCache.clear();
    this.ipCache.set(raw, hit);
    return hit;
  }
}

/** Code units of one value being reversed (reused: one array for every call, never shrunk below the longest value). */
const REVERSE_UNITS: number[] = [];

/**
 * reverseValue's result, built without the array of code points it makes when the text has no
 * surrogate pair (nearly always): this runs for most observable rows of an import. One flat
 * string from String.fromCharCode, not a chain of one-character concatenations: that chain is a
 * rope V8 copies again when the row is bound to SQL (measured: ~2x slower per value, plus the copy).
 */
export function reversed(value: string): string {
  const n = value.length;
  if (n > OBSERVABLE_VALUE_MAX_CHARS) return reverseValue(value); // values are capped; keep the apply() argument list bounded
  const units = REVERSE_UNITS;
  units.length = n;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return reverseValue(value);
    units[n - 1 - i] = c;
  }
  return String.fromCharCode.apply(null, units);
}

/** Array of objects on a path (EVE dns.query[].rrname): the key of each element, bounded. */
function collect(arr: unknown[], key: string): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < arr.length && i < OBSERVABLES_PER_RECORD_MAX; i++) {
    const el = arr[i];
    if (el !== null && typeof el === 'object' && !Array.isArray(el)) out.push((el as Record<string, unknown>)[key]);
  }
  return out;
}

/** Skips a repeat of the same (type, value, field) in one record (a set listing one name twice). */
function pushUnique(out: ObservableRow[], row: ObservableRow): void {
  for (let i = out.length - 1; i >= 0; i--) {
    const o = out[i];
    if (o.value === row.value && o.type === row.type && o.field === row.field) return;
  }
  out.push(row);
}
