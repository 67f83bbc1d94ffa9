/**
 * MySQL analyzer descriptor: Zeek's ports (1434, 3306) and, on any port, a probe for the server
 * greeting: a packet with sequence id 0 and protocol version 10 (or 9) followed by a printable,
 * NUL-terminated version string that starts with a digit; or a greeting-time ERR packet
 * (0xff, error code, message) as a server sends to refused hosts.
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { MysqlAnalyzer } from './mysql-analyzer.js';

/** Version strings are short ("8.0.32-0ubuntu0.22.04.1"); a greeting is ~80 bytes. */
const MAX_VERSION = 64;
const MAX_GREETING = 1024;

export function probeMysql(isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  if (isOrig) return 'no'; // the server speaks first
  if (len < 4) return 'more';
  const plen = buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16);
  if (buf[off + 3] !== 0 || plen < 3 || plen > MAX_GREETING) return 'no';
  if (len < 6) return 'more';
  const proto = buf[off + 4];
  const end = off + Math.min(len, 4 + plen);
  if (proto === 0xff) {
    // ERR: code (2 bytes, 1000..3999 in practice) then text
    if (len < 7) return 'more';
    const code = buf.readUInt16LE(off + 5);
    return code >= 1000 && code < 4000 && plen >= 4 ? 'yes' : 'no';
  }
  if (proto !== 10 && proto !== 9) return 'no';
  const v0 = buf[off + 5];
  if (v0 < 0x30 || v0 > 0x39) return 'no';
  for (let i = off + 6; i < end; i++) {
    const c = buf[i];
    if (c === 0) return i - off - 5 <= MAX_VERSION ? 'yes' : 'no';
    if (c < 0x20 || c > 0x7e || i - off - 5 > MAX_VERSION) return 'no';
  }
  return end < off + 4 + plen ? 'more' : 'no';
}

export const MYSQL_ANALYZER: AnalyzerDescriptor = {
  name: 'mysql',
  tcpPorts: [1434, 3306],
  probe: (isOrig, buf, off, len, transport) => (transport === 'tcp' ? probeMysql(isOrig, buf, off, len) : 'no'),
  createStream: (ctx) => new MysqlAnalyzer(ctx),
};
