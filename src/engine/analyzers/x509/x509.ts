/**
 * Our own X.509 certificate parser (RFC 5280 §4.1), producing what Zeek's x509.log shows. It
 * lives in analyzers/x509/ rather than under ssl/ because, as in Zeek (a file analyzer), it is
 * not TLS-specific: certificates also arrive over HTTP (application/pkix-cert), SMTP and LDAP.
 * It walks the fixed certificate structure with the bounded TLV reader in der.ts (no generic
 * recursion, so nesting depth is bounded by the structure itself); every element is checked
 * against its parent's end, and any inconsistency makes the whole certificate unparsed
 * (undefined) rather than half-trusted. Names are printed the way Zeek prints them: OpenSSL's
 * X509_NAME_print_ex with XN_FLAG_RFC2253 (last RDN first, short attribute names, RFC 2253
 * escaping, and, with ASN1_STRFLGS_ESC_MSB, every byte of a non-ASCII character's UTF-8 form
 * as \XX).
 */
import { createPublicKey, hash as oneShotHash, verify } from 'node:crypto';
import { LIMITS } from '../../support/limits.js';
import { formatV4, formatV6 } from '../../support/addr.js';
import { wireText } from '../../support/wire-text.js';
import { type Tlv, Tag, hexUpper, oidString, readSeq, readTlv } from './der.js';
import { ALGORITHMS, CURVES, OID_DSA, OID_EC, OID_EXT_BASIC_CONSTRAINTS, OID_EXT_SAN, OID_RSA } from './oids.js';
import { canonical } from './canonical.js';
import { formatName } from './name.js';

export { certMatchesHost } from './name.js';

export interface X509Info {
  /** SHA-256 of the DER (lower-case hex), Zeek's fingerprint. */
  fingerprint: string;
  sha1: string;
  version: number;
  serial: string;
  subject: string;
  issuer: string;
  /** Common names of the subject, for hostname matching. */
  subjectCns: string[];
  notValidBefore?: number;
  notValidAfter?: number;
  keyAlg: string;
  sigAlg: string;
  keyType?: string;
  keyLength?: number;
  exponent?: string;
  curve?: string;
  san?: { dns: string[]; uri: string[]; email: string[]; ip: string[] };
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** Issuer equals subject and the signature verifies with the certificate's own key. */
  selfSigned: boolean;
}

/** Parses one DER certificate; undefined when it is not a well-formed X.509 certificate. */
export function parseCertificate(der: Buffer): X509Info | undefined {
  try {
    return parse(der);
  } catch {
    return undefined; // defensive: a parser bug must not take the connection down
  }
}

function parse(der: Buffer): X509Info | undefined {
  const cert = readSeq(der, 0, der.length);
  if (!cert) return undefined;
  const tbs = readSeq(der, cert.start, cert.end);
  if (!tbs) return undefined;
  const sigAlgT = readSeq(der, tbs.end, cert.end);
  if (!sigAlgT) return undefined;
  const sigT = readTlv(der, sigAlgT.end, cert.end);
  if (!sigT || sigT.tag !== Tag.BitString || sigT.start >= sigT.end) return undefined;

  let p = tbs.start;
  let version = 1;
  let t = readTlv(der, p, tbs.end);
  if (!t) return undefined;
  if (t.cls === 2 && t.tag === 0) {
    const v = readTlv(der, t.start, t.end);
    if (!v || v.tag !== Tag.Integer || v.end - v.start !== 1) return undefined;
    version = der[v.start] + 1;
    p = t.end;
    t = readTlv(der, p, tbs.end);
    if (!t) return undefined;
  }
  if (t.tag !== Tag.Integer || t.cls !== 0 || t.start >= t.end) return undefined;
  const serial = formatSerial(der, t.start, t.end);
  const innerSig = readSeq(der, t.end, tbs.end);
  if (!innerSig) return undefined;
  const issuerT = readSeq(der, innerSig.end, tbs.end);
  if (!issuerT) return undefined;
  const validity = readSeq(der, issuerT.end, tbs.end);
  if (!validity) return undefined;
  const subjectT = readSeq(der, validity.end, tbs.end);
  if (!subjectT) return undefined;
  const spki = readSeq(der, subjectT.end, tbs.end);
  if (!spki) return undefined;

  const issuer = formatName(der, issuerT);
  const subject = formatName(der, subjectT);
  if (issuer === undefined || subject === undefined) return undefined;

  const nb = readTlv(der, validity.start, validity.end);
  const na = nb && readTlv(der, nb.end, validity.end);
  const sigAlgOid = algorithmOid(der, sigAlgT);
  if (sigAlgOid === undefined) return undefined;
  const canon = canonical(der, cert, tbs, sigAlgT, sigT);
  const info: X509Info = {
    fingerprint: oneShotHash('sha256', canon, 'hex'),
    sha1: oneShotHash('sha1', canon, 'hex'),
    version, serial, issuer: issuer.text, subject: subject.text, subjectCns: subject.cns,
    notValidBefore: nb ? parseTime(der, nb) : undefined,
    notValidAfter: na ? parseTime(der, na) : undefined,
    keyAlg: '', sigAlg: ALGORITHMS.get(sigAlgOid) ?? sigAlgOid,
    selfSigned: false,
  };
  if (!publicKey(der, spki, info)) return undefined;

  // Optional issuerUniqueID [1], subjectUniqueID [2], extensions [3].
  for (let q = spki.end; q < tbs.end; ) {
    const x = readTlv(der, q, tbs.end);
    if (!x) return undefined;
    if (x.cls === 2 && x.tag === 3) extensions(der, x, info);
    q = x.end;
  }

  if (der.compare(der, issuerT.off, issuerT.end, subjectT.off, subjectT.end) === 0) {
    // The same root certificates come by in connection after connection: verify each once.
    let ok = selfSignedCache.get(info.fingerprint);
    if (ok === undefined) {
      ok = verifiesWithOwnKey(der, tbs, spki, sigT, sigAlgOid);
      if (selfSignedCache.size >= SELF_SIGNED_CACHE_SIZE) selfSignedCache.clear();
      selfSignedCache.set(info.fingerprint, ok);
    }
    info.selfSigned = ok;
  }
  return info;
}

/** Zeek prints the serial as OpenSSL's i2a_ASN1_INTEGER: upper-case hex of the magnitude. */
function formatSerial(buf: Buffer, start: number, end: number): string {
  if (buf[start] & 0x80) {
    // Negative (invalid in RFC 5280 but seen): OpenSSL prints '-' and the magnitude.
    const bytes = Buffer.from(buf.subarray(start, end));
    let carry = 1;
    for (let i = bytes.length - 1; i >= 0; i--) {
      const v = (~bytes[i] & 0xff) + carry;
      bytes[i] = v & 0xff;
      carry = v >> 8;
    }
    let s = 0;
    while (s < bytes.length - 1 && bytes[s] === 0) s++;
    return '-' + hexUpper(bytes, s, bytes.length);
  }
  let s = start;
  while (s < end - 1 && buf[s] === 0) s++;
  return hexUpper(buf, s, end);
}

function algorithmOid(buf: Buffer, alg: Tlv): string | undefined {
  const o = readTlv(buf, alg.start, alg.end);
  if (!o || o.tag !== Tag.Oid) return undefined;
  return oidString(buf, o.start, o.end);
}

// ---- validity ----

/** UTCTime / GeneralizedTime → epoch seconds (RFC 5280 §4.1.2.5, with offsets tolerated). */
function parseTime(buf: Buffer, t: Tlv): number | undefined {
  if (t.cls !== 0 || (t.tag !== Tag.UtcTime && t.tag !== Tag.GeneralizedTime) || t.end - t.start > 32) return undefined;
  const s = buf.toString('latin1', t.start, t.end);
  const m = (t.tag === Tag.UtcTime ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})?$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{4})?$/).exec(s);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (t.tag === Tag.UtcTime) year += year < 50 ? 2000 : 1900;
  let secs = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), m[6] ? Number(m[6]) : 0) / 1000;
  const z = m[7];
  if (z && z !== 'Z') {
    const off = Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60;
    secs += z[0] === '+' ? -off : off;
  }
  return Number.isFinite(secs) ? secs : undefined;
}

// ---- public key ----

function publicKey(buf: Buffer, spki: Tlv, info: X509Info): boolean {
  const alg = readSeq(buf, spki.start, spki.end);
  if (!alg) return false;
  const o = readTlv(buf, alg.start, alg.end);
  if (!o || o.tag !== Tag.Oid) return false;
  const oid = oidString(buf, o.start, o.end);
  if (oid === undefined) return false;
  info.keyAlg = ALGORITHMS.get(oid) ?? oid;
  const params = o.end < alg.end ? readTlv(buf, o.end, alg.end) : undefined;
  const bits = readTlv(buf, alg.end, spki.end);
  if (!bits || bits.tag !== Tag.BitString || bits.start >= bits.end) return false;
  if (oid === OID_RSA) {
    info.keyType = 'rsa';
    const key = readSeq(buf, bits.start + 1, bits.end);
    const n = key && readTlv(buf, key.start, key.end);
    const e = n && readTlv(buf, n.end, key.end);
    if (n && n.tag === Tag.Integer) info.keyLength = bitLength(buf, n.start, n.end);
    if (e && e.tag === Tag.Integer && e.end > e.start && e.end - e.start <= 64) {
      info.exponent = BigInt('0x' + buf.toString('hex', e.start, e.end)).toString(10);
    }
  } else if (oid === OID_EC) {
    info.keyType = 'ec';
    if (params && params.tag === Tag.Oid) {
      const curve = CURVES.get(oidString(buf, params.start, params.end) ?? '');
      if (curve) {
        info.curve = curve.name;
        info.keyLength = curve.bits;
      }
    }
  } else if (oid === OID_DSA) {
    info.keyType = 'dsa';
    const pT = params && params.tag === Tag.Sequence ? readTlv(buf, params.start, params.end) : undefined;
    if (pT && pT.tag === Tag.Integer) info.keyLength = bitLength(buf, pT.start, pT.end);
  }
  return true;
}

function bitLength(buf: Buffer, start: number, end: number): number | undefined {
  let s = start;
  while (s < end && buf[s] === 0) s++;
  if (s >= end) return undefined;
  return (end - s - 1) * 8 + (32 - Math.clz32(buf[s]));
}

// ---- extensions ----

function extensions(buf: Buffer, wrapper: Tlv, info: X509Info): void {
  const list = readSeq(buf, wrapper.start, wrapper.end);
  if (!list) return;
  for (let p = list.start; p < list.end; ) {
    const ext = readSeq(buf, p, list.end);
    if (!ext) return;
    p = ext.end;
    const o = readTlv(buf, ext.start, ext.end);
    if (!o || o.tag !== Tag.Oid) continue;
    let v = readTlv(buf, o.end, ext.end);
    if (v && v.tag === Tag.Boolean) v = readTlv(buf, v.end, ext.end);
    if (!v || v.tag !== Tag.OctetString) continue;
    const oid = oidString(buf, o.start, o.end);
    if (oid === OID_EXT_SAN) info.san = subjectAltNames(buf, v.start, v.end);
    else if (oid === OID_EXT_BASIC_CONSTRAINTS) info.basicConstraints = basicConstraints(buf, v.start, v.end);
  }
}

function subjectAltNames(buf: Buffer, start: number, end: number): X509Info['san'] {
  const san = { dns: [] as string[], uri: [] as string[], email: [] as string[], ip: [] as string[] };
  const seq = readSeq(buf, start, end);
  if (!seq) return undefined;
  for (let p = seq.start; p < seq.end; ) {
    const g = readTlv(buf, p, seq.end);
    if (!g) break;
    p = g.end;
    if (g.cls !== 2) continue;
    const max = LIMITS.x509MaxSanEntries;
    if (g.tag === 2 && san.dns.length < max) san.dns.push(wireText(buf, g.start, g.end));
    else if (g.tag === 6 && san.uri.length < max) san.uri.push(wireText(buf, g.start, g.end));
    else if (g.tag === 1 && san.email.length < max) san.email.push(wireText(buf, g.start, g.end));
    else if (g.tag === 7 && san.ip.length < max) {
      const n = g.end - g.start;
      if (n === 4) san.ip.push(formatV4(buf.readUInt32BE(g.start)));
      else if (n === 16) san.ip.push(formatV6(buf.readUInt32BE(g.start), buf.readUInt32BE(g.start + 4), buf.readUInt32BE(g.start + 8), buf.readUInt32BE(g.start + 12)));
    }
  }
  return san;
}

function basicConstraints(buf: Buffer, start: number, end: number): X509Info['basicConstraints'] {
  const seq = readSeq(buf, start, end);
  if (!seq) return undefined;
  const bc: { ca: boolean; pathLen?: number } = { ca: false };
  let p = seq.start;
  let t = p < seq.end ? readTlv(buf, p, seq.end) : undefined;
  if (t && t.tag === Tag.Boolean && t.end - t.start === 1) {
    bc.ca = buf[t.start] !== 0;
    p = t.end;
    t = p < seq.end ? readTlv(buf, p, seq.end) : undefined;
  }
  if (t && t.tag === Tag.Integer && t.end > t.start && t.end - t.start <= 4 && (buf[t.start] & 0x80) === 0) {
    let n = 0;
    for (let i = t.start; i < t.end; i++) n = n * 256 + buf[i];
    bc.pathLen = n;
  }
  return bc;
}

// ---- self-signature ----

/** Verification results by certificate fingerprint (a signature check costs ~0.1 ms). The
 *  result depends only on the certificate's bytes, so sharing it across runs is safe. */
const selfSignedCache = new Map<string, boolean>();
const SELF_SIGNED_CACHE_SIZE = 4096;

const HASHES: ReadonlyMap<string, string | null> = new Map([
  ['1.2.840.113549.1.1.4', 'md5'], ['1.2.840.113549.1.1.5', 'sha1'], ['1.3.14.3.2.29', 'sha1'],
  ['1.2.840.113549.1.1.11', 'sha256'], ['1.2.840.113549.1.1.12', 'sha384'], ['1.2.840.113549.1.1.13', 'sha512'],
  ['1.2.840.113549.1.1.14', 'sha224'], ['1.2.840.10045.4.1', 'sha1'], ['1.2.840.10045.4.3.1', 'sha224'],
  ['1.2.840.10045.4.3.2', 'sha256'], ['1.2.840.10045.4.3.3', 'sha384'], ['1.2.840.10045.4.3.4', 'sha512'],
  ['1.2.840.10040.4.3', 'sha1'], ['2.16.840.1.101.3.4.3.2', 'sha256'], ['1.3.101.112', null], ['1.3.101.113', null],
]);

/** The signature checks out with the certificate's own public key. Algorithms we cannot check
 *  (RSA-PSS, GOST...) count as self-signed on the name match alone. */
function verifiesWithOwnKey(der: Buffer, tbs: Tlv, spki: Tlv, sig: Tlv, sigOid: string): boolean {
  const hash = HASHES.get(sigOid);
  if (hash === undefined) return true;
  if (der[sig.start] !== 0) return false; // unused bits in a signature
  try {
    const key = createPublicKey({ key: der.subarray(spki.off, spki.end), format: 'der', type: 'spki' });
    return verify(hash, der.subarray(tbs.off, tbs.end), key, der.subarray(sig.start + 1, sig.end));
  } catch {
    return false;
  }
}
