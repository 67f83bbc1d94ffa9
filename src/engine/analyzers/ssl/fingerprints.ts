/**
 * TLS client/server fingerprints: JA3 and JA3S (salesforce/ja3: MD5 of decimal field lists,
 * GREASE removed) and JA4 (FoxIO, BSD-3-Clause; the a_b_c form of the JA4 spec, TCP only).
 * The other JA4+ methods carry a restrictive licence and are deliberately not implemented.
 */
import { hash } from 'node:crypto';
import { isGrease } from './consts.js';
import type { ClientHello, ServerHello } from './hello.js';

function md5(s: string): string {
  return hash('md5', s, 'hex'); // one-shot: no Hash object per handshake
}

function noGrease(list: readonly number[]): number[] {
  return list.filter((v) => !isGrease(v));
}

/** JA3 string: SSLVersion,Ciphers,Extensions,EllipticCurves,ECPointFormats. */
export function ja3String(h: ClientHello): string {
  return [
    String(h.version),
    noGrease(h.ciphers).join('-'),
    noGrease(h.extensions).join('-'),
    noGrease(h.groups).join('-'),
    h.pointFormats.join('-'),
  ].join(',');
}

export function ja3(h: ClientHello): string {
  return md5(ja3String(h));
}

/** JA3S string: SSLVersion,Cipher,Extensions of the ServerHello. */
export function ja3sString(h: ServerHello): string {
  return [String(h.version), String(h.cipher), noGrease(h.extensions).join('-')].join(',');
}

export function ja3s(h: ServerHello): string {
  return md5(ja3sString(h));
}

const JA4_VERSIONS: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'], [0x0303, '12'], [0x0302, '11'], [0x0301, '10'], [0x0300, 's3'], [0x0002, 's2'],
  [0xfeff, 'd1'], [0xfefd, 'd2'], [0xfefc, 'd3'],
]);

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function sha12(s: string): string {
  return hash('sha256', s, 'hex').slice(0, 12);
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** First and last character of the first ALPN value; its hex form's when they are not
 *  alphanumeric (JA4 spec); '00' without ALPN. */
function ja4Alpn(alpn: readonly string[]): string {
  if (alpn.length === 0 || alpn[0].length === 0) return '00';
  const v = alpn[0];
  const first = v.charCodeAt(0);
  const last = v.charCodeAt(v.length - 1);
  if (isAlnum(first) && isAlnum(last)) return v[0] + v[v.length - 1];
  const hex = Buffer.from(v, 'latin1').toString('hex');
  return hex[0] + hex[hex.length - 1];
}

/** JA4's transport letter: 't' TLS over TCP, 'q' QUIC, 'd' DTLS. */
export type Ja4Transport = 't' | 'q' | 'd';

/** The JA4 parts before hashing (JA4_r): a, sorted ciphers, sorted extensions_sigalgs. */
export function ja4Raw(h: ClientHello, transport: Ja4Transport = 't'): { a: string; b: string; c: string } {
  const ciphers = noGrease(h.ciphers);
  const exts = noGrease(h.extensions);
  const versions = noGrease(h.supportedVersions);
  const best = versions.length > 0 ? Math.max(...versions) : h.version;
  const ver = JA4_VERSIONS.get(best) ?? '00';
  const sni = exts.includes(0) ? 'd' : 'i';
  const count = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
  const a = `${transport}${ver}${sni}${count(ciphers.length)}${count(exts.length)}${ja4Alpn(h.alpn)}`;
  const b = ciphers.map(hex4).sort().join(',');
  const sorted = exts.filter((e) => e !== 0x0000 && e !== 0x0010).map(hex4).sort().join(',');
  const c = h.sigAlgs.length > 0 ? `${sorted}_${h.sigAlgs.map(hex4).join(',')}` : sorted;
  return { a, b, c };
}

export function ja4(h: ClientHello, transport: Ja4Transport = 't'): string {
  const r = ja4Raw(h, transport);
  const b = r.b === '' ? '000000000000' : sha12(r.b);
  const c = r.c === '' ? '000000000000' : sha12(r.c);
  return `${r.a}_${b}_${c}`;
}
