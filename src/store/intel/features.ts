/**
 * A capture's features: what similar-captures hashes, suggestions match on and the archive counts.
 * Read after import from the observables index and a few record columns, normalised, bounded:
 *
 * - observables: file hashes, certificate fingerprints, JA3/JA3S/JA4, HASSH, user agents, e-mail
 *   addresses, file names, routable addresses (isInternalIp), and "contacted" domain names (DNS queries, HTTP Host, TLS/QUIC
 *   SNI, the same in alerts — not every name a certificate lists);
 * - `uri`: each HTTP URL's path as a pattern (numbers and long hex/base64 runs generalised), so
 *   `/gate.php?id=8812` and `/gate.php?id=9013` are one feature;
 * - `ja3sni`: a JA3 with the SNI it was sent to (one client to one server: a strong tie);
 * - coarse flow facts: `service` (http, ssl, dns, ...) and `port` (proto/responder port below 10000);
 * - `alert`: alert signatures (for trends and archive, and a weak similarity signal).
 *
 * STRONG_KINDS are the ones a shared value makes a label suggestion from.
 */
import type { IntelDb } from './intel-db.js';
import { normaliseIp } from '../observables.js';

export const FEATURE_KINDS = [
  'sha256', 'md5', 'sha1', 'cert_fp', 'ja3sni', 'domain', 'ja3', 'ja3s', 'ja4', 'hassh', 'hasshServer',
  'user_agent', 'email', 'filename', 'ip', 'uri', 'service', 'port', 'alert',
] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** A value shared with a labelled capture is evidence for its label (if not common, see suggest). */
export const STRONG_KINDS: readonly FeatureKind[] = ['sha256', 'md5', 'cert_fp', 'ja3sni', 'domain'];

/** Features kept per capture: a capture with more (a scan, a big mixed trace) is hashed on these. */
export const FEATURES_PER_CAPTURE_MAX = 4096;
/** Characters of one feature value (longer values are cut: they still compare, by prefix). */
export const FEATURE_VALUE_MAX_CHARS = 256;

export interface Feature {
  kind: FeatureKind;
  value: string;
}

/** The minhash input: one string per feature, kind-qualified so `ip:x` never equals `domain:x`. */
export const featureKey = (f: Feature): string => `${f.kind}:${f.value}`;

/** Observable types taken as they are (kind = type). */
const PLAIN_TYPES = ['sha256', 'md5', 'sha1', 'cert_fp', 'ja3', 'ja3s', 'ja4', 'hassh', 'hasshServer', 'user_agent', 'email', 'filename', 'ip'];
/** (log, field) pairs whose domain names the capture contacted. */
const CONTACTED: readonly (readonly [string, string])[] = [
  ['dns', 'query'], ['http', 'host'], ['ssl', 'server_name'], ['quic', 'server_name'],
  ['alert', 'tls.sni'], ['alert', 'http.hostname'], ['alert', 'dns.query.rrname'],
];
const CONTACTED_SET = new Set(CONTACTED.map(([l, f]) => `${l}\u0000${f}`));

/**
 * Private, loopback, link-local, CGNAT, multicast addresses: a sandbox's own network is in every
 * capture it makes, so they are context, not features (nor exported indicators).
 */
export function isInternalIp(ip: string): boolean {
  const v = normaliseIp(ip) ?? ip;
  if (v.includes(':')) return /^(::1?$|f[cd]|fe[89ab]|ff)/i.test(v);
  const [a, b] = v.split('.').map(Number);
  return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
    || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

/** A URL path (no host, no query) with variable parts generalised; undefined for none. */
export function uriPattern(url: string): string | undefined {
  const slash = url.indexOf('/');
  if (slash < 0) return undefined;
  let path = url.slice(slash);
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  const out = path.slice(0, 1024).split('/').map((seg) => {
    if (/^[0-9a-f]{16,}$/i.test(seg)) return '{hex}';
    if (seg.length >= 24 && /^[A-Za-z0-9+_=-]+$/.test(seg)) return '{b64}';
    return seg.replace(/[0-9]+/g, '{n}');
  }).join('/');
  return cut(out);
}

function cut(s: string): string {
  return s.length > FEATURE_VALUE_MAX_CHARS ? s.slice(0, FEATURE_VALUE_MAX_CHARS) : s;
}

/** Reads a stored capture's features (bounded, deduplicated, in a stable order). */
export async function readFeatures(db: IntelDb, captureId: string): Promise<Feature[]> {
  const sqlite = db.dialect === 'sqlite';
  const out = new Map<string, Feature>();
  const add = (kind: FeatureKind, raw: unknown): void => {
    if (out.size >= FEATURES_PER_CAPTURE_MAX || raw === null || raw === undefined) return;
    const value = cut(String(raw));
    if (value === '' || value === '-') return;
    const f = { kind, value };
    out.set(featureKey(f), f);
  };
  const types = [...PLAIN_TYPES, 'domain', 'url'];
  const marks = types.map(() => '?').join(', ');
  // SQLite: a capture's observables are one rowid range (no capture_id index); PG: a BRIN on capture_id.
  const obs = await db.all<{ type: string; value: string; log: string; field: string }>(sqlite
    ? `SELECT DISTINCT o.type, o.value, o.log, o.field FROM captures c JOIN observables o
         ON o.rowid BETWEEN c.observable_lo AND c.observable_hi AND o.capture_key = c.key
       WHERE c.id = ? AND o.type IN (${marks}) ORDER BY o.type, o.value LIMIT ?`
    : `SELECT DISTINCT o.type, o.value, o.log, o.field FROM observables o
       WHERE o.capture_key = (SELECT key FROM captures WHERE id = ?) AND o.type IN (${marks}) ORDER BY o.type, o.value LIMIT ?`,
  [captureId, ...types, FEATURES_PER_CAPTURE_MAX * 2]);
  for (const o of obs) {
    if (o.type === 'domain') { if (CONTACTED_SET.has(`${o.log}\u0000${o.field}`)) add('domain', o.value); continue; }
    if (o.type === 'url') { const p = uriPattern(o.value); if (p !== undefined) add('uri', p); continue; }
    if (o.type === 'ip' && isInternalIp(o.value)) continue;
    add(o.type as FeatureKind, o.value);
  }
  // Paths are our constants (no quote or brace in them); flat Zeek keys hold dots ('id.resp_p').
  const j = (...path: string[]): string => sqlite ? `json_extract(doc, '$${path.map((k) => `."${k}"`).join('')}')`
    : `doc #>> '{${path.map((k) => `"${k}"`).join(',')}}'`;
  const tls = await db.all<{ ja3: unknown; sni: unknown }>(
    `SELECT DISTINCT ${j('ja3')} AS ja3, ${j('server_name')} AS sni FROM records WHERE capture_id = ? AND log = 'ssl' LIMIT ?`,
    [captureId, FEATURES_PER_CAPTURE_MAX]);
  for (const t of tls) if (typeof t.ja3 === 'string' && typeof t.sni === 'string') add('ja3sni', `${t.ja3.toLowerCase()}|${t.sni.toLowerCase()}`);
  const conns = await db.all<{ proto: unknown; service: unknown; port: unknown }>(
    `SELECT DISTINCT ${j('proto')} AS proto, ${j('service')} AS service, ${j('id.resp_p')} AS port FROM records
     WHERE capture_id = ? AND log = 'conn' LIMIT ?`, [captureId, FEATURES_PER_CAPTURE_MAX]);
  for (const c of conns) {
    if (typeof c.service === 'string') for (const s of c.service.split(',')) add('service', s);
    const port = Number(c.port);
    if (typeof c.proto === 'string' && Number.isInteger(port) && port > 0 && port < 10_000) add('port', `${c.proto}/${port}`);
  }
  const alerts = await db.all<{ sig: unknown }>(
    `SELECT DISTINCT ${j('alert', 'signature')} AS sig FROM records WHERE capture_id = ? AND log = 'alert' LIMIT ?`,
    [captureId, FEATURES_PER_CAPTURE_MAX]);
  for (const a of alerts) add('alert', a.sig);
  return [...out.values()];
}
