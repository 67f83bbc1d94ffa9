/** The encoding Zeek fingerprints: OpenSSL's re-encoding of a parsed certificate (i2d_X509). */
import { type Tlv, readTlv } from './der.js';

function headerLen(len: number): number {
  return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : len < 0x1000000 ? 5 : 6;
}

function isMinimal(t: Tlv): boolean {
  return t.start - t.off === headerLen(t.end - t.start);
}

function header(id: number, len: number): Buffer {
  if (len < 0x80) return Buffer.from([id, len]);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([id, 0x80 | bytes.length, ...bytes]);
}

function reencode(buf: Buffer, t: Tlv): Buffer {
  return Buffer.concat([header(buf[t.off], t.end - t.start), buf.subarray(t.start, t.end)]);
}

/**
 * The bytes Zeek hashes for the fingerprint: i2d_X509 of OpenSSL's parse, i.e. the certificate
 * without trailing bytes, the TBSCertificate as received (OpenSSL keeps its encoding) and the
 * outer SEQUENCE, signature AlgorithmIdentifier and signature re-encoded with minimal lengths.
 * For a proper DER certificate that is the input itself.
 */
export function canonical(der: Buffer, cert: Tlv, tbs: Tlv, alg: Tlv, sig: Tlv): Buffer {
  const algKids: Tlv[] = [];
  let minimal = cert.off === 0 && cert.end === der.length && isMinimal(cert) && isMinimal(alg) && isMinimal(sig);
  for (let p = alg.start; p < alg.end; ) {
    const k = readTlv(der, p, alg.end);
    if (!k || (der[k.off] & 0x1f) === 0x1f) return der.subarray(cert.off, cert.end);
    if (!isMinimal(k)) minimal = false;
    algKids.push(k);
    p = k.end;
  }
  if (minimal) return der;
  const algBody = Buffer.concat(algKids.map((k) => reencode(der, k)));
  const body = Buffer.concat([der.subarray(tbs.off, tbs.end), header(der[alg.off], algBody.length), algBody, reencode(der, sig)]);
  return Buffer.concat([header(der[cert.off], body.length), body]);
}
