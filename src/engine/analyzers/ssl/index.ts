/**
 * SSL/TLS analyzer descriptor: Zeek's ssl_ports, plus a probe that recognises a ClientHello or
 * ServerHello on any port (TLS record header + hello header, or the SSLv2 CLIENT-HELLO form).
 *
 * Protocols that upgrade to TLS in-band (SMTP/IMAP/POP3 STARTTLS, the PostgreSQL SSLRequest)
 * can continue the connection as TLS by creating `new SslAnalyzer(ctx)` and feeding it the bytes
 * after the upgrade (and calling its done()); ssl.log and x509.log then come out as usual.
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { isHelloVersion, SSLv2 } from './consts.js';
import { SslAnalyzer } from './ssl-analyzer.js';

/** Largest TLSCiphertext fragment: 2^14 + 2048 (RFC 5246 §6.2.3). */
const MAX_RECORD = 16384 + 2048;

export function probeTls(buf: Buffer, off: number, len: number): ProbeResult {
  if (len < 1) return 'more';
  const b0 = buf[off];
  if (b0 === 22) {
    if (len < 2) return 'more';
    if (buf[off + 1] !== 3) return 'no';
    if (len < 3) return 'more';
    if (buf[off + 2] > 4) return 'no';
    if (len < 5) return 'more';
    const recLen = buf.readUInt16BE(off + 3);
    if (recLen < 4 || recLen > MAX_RECORD) return 'no';
    if (len < 6) return 'more';
    const hs = buf[off + 5];
    if (hs !== 1 && hs !== 2) return 'no';
    if (len < 11) return 'more';
    const msgLen = (buf[off + 6] << 16) | (buf[off + 7] << 8) | buf[off + 8];
    if (msgLen < 38 || msgLen > 0xffff) return 'no';
    return isHelloVersion(buf.readUInt16BE(off + 9)) ? 'yes' : 'no';
  }
  if (b0 & 0x80) {
    // SSLv2 CLIENT-HELLO: 2-byte header, msg type 1, version, cipher-specs length (SSLv2 §2.5).
    if (len < 3) return 'more';
    if (buf[off + 2] !== 1) return 'no';
    const recLen = ((b0 & 0x7f) << 8) | buf[off + 1];
    if (len < 7) return 'more';
    const v = buf.readUInt16BE(off + 3);
    if (!(v === SSLv2 || (v >= 0x0300 && v <= 0x0303))) return 'no';
    const csLen = buf.readUInt16BE(off + 5);
    return recLen >= 9 + csLen && csLen > 0 && csLen % 3 === 0 ? 'yes' : 'no';
  }
  return 'no';
}

export const SSL_ANALYZER: AnalyzerDescriptor = {
  name: 'ssl',
  tcpPorts: [443, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223],
  probe: (_isOrig, buf, off, len, transport) => (transport === 'tcp' ? probeTls(buf, off, len) : 'no'),
  createStream: (ctx) => new SslAnalyzer(ctx),
};
