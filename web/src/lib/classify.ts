/**
 * Value classification for row tools: what kind of indicator a cell holds (IP, domain, URL, hash,
 * JA3/JA4, email, uid, Community ID, filename, user agent), and which pivot type of the server's
 * observables index (OBSERVABLE_TYPES in src/store/store.ts) finds it in other captures.
 *
 * The field name decides first when it is unambiguous (`ja3` holds an md5-shaped value that is a
 * JA3, `user_agent` any text), the value's shape otherwise. Values come from captures, so every
 * test is a bounded regular expression on a length-capped string: nothing here can be made slow.
 * Pure TypeScript, no DOM: unit-tested by test/web/classify.test.ts under node.
 */
import type { ObservableType } from '../../../src/store/store.js';

export type ValueKind =
  | 'ipv4' | 'ipv6' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256' | 'ja3' | 'ja3s' | 'ja4'
  | 'hassh' | 'cert_fp' | 'email' | 'uid' | 'fuid' | 'community_id' | 'filename' | 'user_agent'
  | 'number' | 'bool' | 'time' | 'text';

export interface Classified {
  kind: ValueKind;
  /** The value as text (what copy, search and pivot use). */
  value: string;
  /** The observables type to pivot on, when the index holds this kind. */
  pivot?: ObservableType;
  /** A human label for the kind ('IPv4 address', 'SHA-256', ...). */
  label: string;
}

/** Longer values are classified as text: no indicator is this long, and tests stay cheap. */
export const CLASSIFY_MAX_CHARS = 2048;

const LABELS: Record<ValueKind, string> = {
  ipv4: 'IPv4 address', ipv6: 'IPv6 address', domain: 'Domain', url: 'URL', md5: 'MD5', sha1: 'SHA-1',
  sha256: 'SHA-256', ja3: 'JA3', ja3s: 'JA3S', ja4: 'JA4', hassh: 'HASSH', cert_fp: 'Certificate fingerprint',
  email: 'Email address', uid: 'Connection uid', fuid: 'File id', community_id: 'Community ID',
  filename: 'File name', user_agent: 'User agent', number: 'Number', bool: 'Boolean', time: 'Time', text: 'Text',
};

const PIVOTS: Partial<Record<ValueKind, ObservableType>> = {
  ipv4: 'ip', ipv6: 'ip', domain: 'domain', url: 'url', md5: 'md5', sha1: 'sha1', sha256: 'sha256',
  ja3: 'ja3', ja3s: 'ja3s', ja4: 'ja4', hassh: 'hassh', cert_fp: 'cert_fp', email: 'email', uid: 'uid',
  community_id: 'community_id', filename: 'filename', user_agent: 'user_agent',
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX32 = /^[0-9a-f]{32}$/i;
const HEX40 = /^[0-9a-f]{40}$/i;
const HEX64 = /^[0-9a-f]{64}$/i;
/** Zeek conn uids: 'C' + base62 (17 chars in Zeek 5+, older ones shorter). */
const UID = /^C[0-9A-Za-z]{10,20}$/;
const FUID = /^F[0-9A-Za-z]{10,20}$/;
/** Community ID v1: '1:' + base64 of a SHA-1 (28 chars). */
const COMMUNITY_ID = /^1:[A-Za-z0-9+/]{27}=$/;
/** JA4 (FoxIO): t13d1516h2_8daaf6152771_b186095e22b6 (q/t/d, version, sni, counts, alpn _ 12 hex _ 12 hex). */
const JA4 = /^[tqd][0-9a-z]{2}[di][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;
const EMAIL = /^[^\s@<>()",;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** A host name with at least two labels and an alphabetic TLD (so 1.2.3 and 10.5 stay numbers). */
const DOMAIN = /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;
const URL_LIKE = /^(?:https?|ftp|wss?):\/\/[^\s]+$/i;
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
const FILENAME = /^[^\\/:*?"<>|\s][^\\/:*?"<>|]{0,254}\.[A-Za-z0-9]{1,8}$/;

/** IPv6 by shape: hex groups and colons (at most one '::'), an optional trailing IPv4, an optional zone. */
export function isIpv6(v: string): boolean {
  if (v.length < 2 || v.length > 64 || !v.includes(':')) return false;
  const s = v.replace(/%[0-9A-Za-z._-]+$/, '');
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return false;
  const parts = s.split(':');
  let groups = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '') continue;
    if (i === parts.length - 1 && IPV4.test(p)) { groups += 2; continue; }
    if (!/^[0-9a-f]{1,4}$/i.test(p)) return false;
    groups++;
  }
  return dbl === -1 ? groups === 8 : groups < 8;
}

/** The kind a field name alone decides (the last path segment, any log). */
function kindByField(field: string): ValueKind | undefined {
  const last = field.slice(field.lastIndexOf('.') + 1).toLowerCase();
  switch (last) {
    case 'ja3': return 'ja3';
    case 'ja3s': return 'ja3s';
    case 'ja4': case 'ja4s': return 'ja4';
    case 'hassh': case 'hasshserver': return 'hassh';
    case 'user_agent': case 'http_user_agent': case 'useragent': return 'user_agent';
    case 'filename': case 'orig_filenames': case 'resp_filenames': case 'dcc_file_name': case 'name': return field.includes('file') || last !== 'name' ? 'filename' : undefined;
    case 'community_id': return 'community_id';
    case 'fingerprint': case 'cert_chain_fps': case 'client_cert_chain_fps': return 'cert_fp';
    default: return undefined;
  }
}

/** The kind of a value by its shape alone. */
export function kindOfValue(v: string): ValueKind {
  if (v.length === 0 || v.length > CLASSIFY_MAX_CHARS) return 'text';
  if (IPV4.test(v)) return 'ipv4';
  if (isIpv6(v)) return 'ipv6';
  if (NUMBER.test(v)) return 'number';
  if (HEX32.test(v)) return 'md5';
  if (HEX40.test(v)) return 'sha1';
  if (HEX64.test(v)) return 'sha256';
  if (COMMUNITY_ID.test(v)) return 'community_id';
  if (UID.test(v) && /\d/.test(v)) return 'uid';
  if (FUID.test(v) && /\d/.test(v)) return 'fuid';
  if (JA4.test(v)) return 'ja4';
  if (URL_LIKE.test(v)) return 'url';
  if (EMAIL.test(v)) return 'email';
  if (DOMAIN.test(v)) return 'domain';
  if (/^Mozilla\/|^curl\/|^Wget\/|^python-requests\//.test(v)) return 'user_agent';
  return 'text';
}

/**
 * Classifies one cell: `field` is its column (`dns.query`, `id.resp_h`, `ja3`), `raw` its value
 * as the record holds it. Field hints win only when the value fits them (a `ja3` column holding
 * garbage stays text), so a hostile record cannot make a pivot of the wrong type.
 */
export function classify(raw: unknown, field = ''): Classified {
  const value = raw === null || raw === undefined ? '' : typeof raw === 'string' ? raw : String(raw);
  const lastField = field.slice(field.lastIndexOf('.') + 1);
  let kind: ValueKind;
  if (typeof raw === 'number' && (lastField === 'ts' || lastField.endsWith('_ts'))) kind = 'time';
  else if (typeof raw === 'boolean') kind = 'bool';
  else if (typeof raw === 'number') kind = 'number';
  else {
    const shape = kindOfValue(value);
    const hinted = field ? kindByField(field) : undefined;
    kind = shape;
    if (hinted && value.length > 0 && value.length <= CLASSIFY_MAX_CHARS) {
      if ((hinted === 'ja3' || hinted === 'ja3s' || hinted === 'hassh') && shape === 'md5') kind = hinted;
      else if (hinted === 'cert_fp' && (shape === 'sha1' || shape === 'sha256' || shape === 'md5')) kind = 'cert_fp';
      else if (hinted === 'ja4' && shape === 'ja4') kind = 'ja4';
      else if (hinted === 'community_id' && shape === 'community_id') kind = 'community_id';
      else if (hinted === 'user_agent' || (hinted === 'filename' && shape !== 'ipv4' && shape !== 'ipv6')) kind = hinted;
    }
    if (kind === 'uid' && lastField !== '' && !/uid/.test(lastField)) {
      // A C+17 base62 string outside a uid column is more likely a token than a connection.
      kind = 'text';
    }
    if (kind === 'text' && hinted === undefined && FILENAME.test(value) && /(^|_)(file|filename)s?$/.test(lastField)) kind = 'filename';
  }
  return { kind, value, pivot: PIVOTS[kind], label: LABELS[kind] };
}

/** True for kinds that name a connection (their tools show every record of it). */
export const isConnectionKind = (k: ValueKind): boolean => k === 'uid' || k === 'community_id';

/** True for IP kinds (geo/ASN and whois apply). */
export const isIpKind = (k: ValueKind): boolean => k === 'ipv4' || k === 'ipv6';

/** The search-language field name for `field:"value"` (quotes and backslashes escaped). */
export function searchFor(field: string, value: string): string {
  const quoted = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return field ? `${field}:${quoted}` : quoted;
}

/**
 * False for addresses no registry answers for (private, loopback, link-local, CGNAT, multicast,
 * documentation, reserved): row tools offer whois only for the others. The server keeps the
 * authoritative list (src/whois/index.ts); this one only spares a request that must fail.
 */
export function isPublicIp(v: string): boolean {
  if (IPV4.test(v)) {
    const [a, b, c] = v.split('.').map(Number);
    return !(a === 0 || a === 10 || a === 127 || a >= 224 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254)
      || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 192 && b === 0 && c === 2)
      || (a === 198 && (b === 18 || b === 19)) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113));
  }
  if (!isIpv6(v)) return false;
  const s = v.toLowerCase();
  if (s === '::' || s === '::1' || s.startsWith('::ffff:')) return s.startsWith('::ffff:') && isPublicIp(s.slice(7));
  return !/^(f[cd]|fe[89ab]|ff)/.test(s) && !s.startsWith('2001:db8:') && !s.startsWith('2001:0db8:');
}
