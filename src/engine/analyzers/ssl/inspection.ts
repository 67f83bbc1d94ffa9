/**
 * TLS inspection units (detect/inspection.ts) with Suricata 7's buffers:
 * - ClientHello: tls.sni, ja3.hash / ja3.string, ja4.hash, tls.alpn (one value per protocol);
 * - ServerHello: ja3s.hash / ja3s.string, tls.version (as Suricata's EVE writes it, "TLS 1.2";
 *   the number is facts.version for the tls.version keyword);
 * - Certificate (TLS <= 1.2; 1.3 encrypts it): tls.cert_subject / tls.cert_issuer in Suricata's
 *   form ("C=US, O=Org, CN=name": attributes in certificate order, ", " between them),
 *   tls.cert_serial ("00:A1:..", the DER integer's bytes), tls.cert_fingerprint (SHA-1 of the
 *   leaf's DER, lower-case colon hex), tls.certs (every DER in the message).
 */
import { createHash } from 'node:crypto';
import type { BufferName, InspectionUnit } from '../../detect/inspection.js';
import { LIMITS } from '../../support/limits.js';
import type { X509Info } from '../x509/x509.js';
import { SSLv2, SSLv3 } from './consts.js';
import { ja3String, ja3sString, ja4 } from './fingerprints.js';
import type { ClientHello, ServerHello } from './hello.js';

type Buffers = Partial<Record<BufferName, Uint8Array | readonly Uint8Array[]>>;

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const ascii = (s: string) => Buffer.from(s, 'latin1');

/** `known`: the JA3 / JA4 hashes the session already computed for ssl.log (not hashed again). */
export function clientHelloUnit(h: ClientHello, isOrig: boolean, known?: { ja3?: string; ja4?: string }): InspectionUnit {
  const buffers: Buffers = {};
  if (h.serverNames.length > 0) buffers['tls.sni'] = Buffer.from(h.serverNames[0], 'utf8');
  if (!h.v2) {
    const s = ja3String(h);
    buffers['ja3.string'] = ascii(s);
    buffers['ja3.hash'] = ascii(known?.ja3 ?? md5(s));
    buffers['ja4.hash'] = ascii(known?.ja4 ?? ja4(h));
  }
  if (h.alpn.length > 0) buffers['tls.alpn'] = h.alpn.slice(0, LIMITS.inspectMaxValues).map(ascii);
  return { proto: 'tls', isOrig, buffers, facts: { client_version: h.version } };
}

/** Suricata's EVE version names (SSLv2, SSLv3, TLS 1.0 .. TLS 1.3). */
export function suricataVersion(v: number): string {
  if (v === SSLv2) return 'SSLv2';
  if (v === SSLv3) return 'SSLv3';
  if (v >= 0x0301 && v <= 0x0304) return `TLS 1.${v - 0x0301}`;
  if (v >> 8 === 0x7f) return `TLS 1.3 draft-${v & 0xff}`;
  return `0x${v.toString(16).padStart(4, '0')}`;
}

export function serverHelloUnit(h: ServerHello, version: number, isOrig: boolean): InspectionUnit {
  const s = ja3sString(h);
  return {
    proto: 'tls',
    isOrig,
    buffers: { 'ja3s.string': ascii(s), 'ja3s.hash': ascii(md5(s)), 'tls.version': ascii(suricataVersion(version)) },
    facts: { version },
  };
}

/**
 * Zeek's RFC 2253 text ("CN=a,O=b\\, c,C=US": last attribute first, specials and non-ASCII bytes
 * escaped) to Suricata's ("C=US, O=b, c, CN=a"), as bytes.
 */
export function suricataName(zeek: string): Buffer {
  const rdns: number[][] = [];
  let cur: number[] = [];
  for (let i = 0; i < zeek.length; i++) {
    const c = zeek.charCodeAt(i);
    if (c === 0x5c && i + 1 < zeek.length) {
      const hex = zeek.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) { cur.push(parseInt(hex, 16)); i += 2; }
      else { cur.push(zeek.charCodeAt(i + 1) & 0xff); i++; }
    } else if (c === 0x2c) {
      rdns.push(cur);
      cur = [];
    } else if (c === 0x2b) {
      cur.push(0x20, 0x2b, 0x20); // multi-valued RDN: " + "
    } else cur.push(c & 0xff);
  }
  rdns.push(cur);
  const out: number[] = [];
  for (let i = rdns.length - 1; i >= 0; i--) {
    if (i !== rdns.length - 1) out.push(0x2c, 0x20);
    for (const b of rdns[i]) out.push(b);
  }
  return Buffer.from(out);
}

/** Zeek's serial (upper-case hex of the magnitude) as Suricata prints the DER integer: "00:A1:B2". */
export function suricataSerial(zeek: string): string {
  if (zeek.startsWith('-')) return zeek; // negative serials: not a valid DER certificate serial anyway
  let h = zeek.length % 2 === 1 ? '0' + zeek : zeek;
  if (parseInt(h.slice(0, 2), 16) >= 0x80) h = '00' + h; // DER keeps a leading zero byte there
  return h.match(/../g)!.join(':');
}

/** The unit of one Certificate message: the leaf's fields (when it parsed) and every DER. */
export function certificateUnit(ders: readonly Buffer[], leaf: X509Info | undefined, isOrig: boolean): InspectionUnit {
  const buffers: Buffers = {
    'tls.certs': ders.slice(0, LIMITS.inspectMaxValues),
  };
  if (ders.length > 0) {
    buffers['tls.cert_fingerprint'] = ascii(createHash('sha1').update(ders[0]).digest('hex').match(/../g)!.join(':'));
  }
  if (leaf) {
    buffers['tls.cert_subject'] = suricataName(leaf.subject);
    buffers['tls.cert_issuer'] = suricataName(leaf.issuer);
    buffers['tls.cert_serial'] = ascii(suricataSerial(leaf.serial));
  }
  if (!leaf) return { proto: 'tls', isOrig, buffers };
  return { proto: 'tls', isOrig, buffers, facts: { not_before: leaf.notValidBefore, not_after: leaf.notValidAfter } };
}
