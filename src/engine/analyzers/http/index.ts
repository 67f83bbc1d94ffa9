/**
 * HTTP/1.x (http.log, and files.log for bodies). Recognised on Zeek's HTTP ports and, by its
 * probe, on any port: a request line (method token, SP, origin-form "/...", absolute-form
 * "scheme://", authority-form for CONNECT or "*" for OPTIONS, SP, "HTTP/1.x") or a status line
 * ("HTTP/1.x NNN"). HTTP/2's connection preface ("PRI * HTTP/2.0") is not HTTP/1.x.
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { HttpAnalyzer, type HttpOptions } from './http-analyzer.js';

const PROBE_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'SUBSCRIBE', 'UNSUBSCRIBE', 'NOTIFY', 'POLL', 'BMOVE', 'ACL', 'MKCALENDAR'];
/** A request line longer than this without its end is judged on what it has. */
const PROBE_LINE_BYTES = 2048;

function startsWithAscii(buf: Buffer, off: number, end: number, s: string): 'yes' | 'no' | 'more' {
  for (let i = 0; i < s.length; i++) {
    if (off + i >= end) return 'more';
    if (buf[off + i] !== s.charCodeAt(i)) return 'no';
  }
  return 'yes';
}

/** tchar (RFC 9110 §5.6.2). */
function isTchar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c !== 0x22 && c !== 0x28 && c !== 0x29 &&
    c !== 0x2c && c !== 0x2f && c > 0x20 && c < 0x7f && !(c >= 0x3a && c <= 0x40) && c !== 0x5b && c !== 0x5c && c !== 0x5d && c !== 0x7b && c !== 0x7d);
}

/** Extension methods (RPC_IN_DATA, ...) up to this long are accepted with a complete request line. */
const MAX_METHOD = 32;

/**
 * The request line of buf[off, end): 'yes' | 'no' | 'more'. A well-known method needs its
 * target to look right; any other token method needs the whole line, ending in HTTP/1.x.
 */
export function probeRequest(buf: Buffer, off: number, end: number): ProbeResult {
  let i = off;
  while (i < end && i - off <= MAX_METHOD && isTchar(buf[i])) i++;
  if (i >= end) return i - off <= MAX_METHOD ? 'more' : 'no';
  if (buf[i] !== 0x20 || i === off || i - off > MAX_METHOD) return 'no';
  const method = buf.toString('latin1', off, i);
  const known = PROBE_METHODS.includes(method);
  i++;
  if (i >= end) return 'more';
  const c = buf[i];
  // origin-form, asterisk-form, absolute-form (scheme ":"), or authority-form for CONNECT
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
  if (!(c === 0x2f || (c === 0x2a && method === 'OPTIONS') || alpha)) return 'no';
  const limit = Math.min(end, off + PROBE_LINE_BYTES);
  const targetStart = i;
  while (i < limit && buf[i] > 0x20 && buf[i] < 0x7f) i++;
  if (i >= limit) return end - off < PROBE_LINE_BYTES ? 'more' : known ? 'yes' : 'no';
  if (buf[i] !== 0x20) return 'no';
  const target = buf.toString('latin1', targetStart, i);
  if (alpha && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target) && !(method === 'CONNECT' && /^[^/\s]+:\d+$/.test(target))) return 'no';
  i++;
  const v = startsWithAscii(buf, i, end, 'HTTP/1.');
  if (v !== 'yes') return v;
  i += 7;
  if (i >= end) return 'more';
  if (buf[i] !== 0x30 && buf[i] !== 0x31) return 'no';
  i++;
  if (i >= end) return 'more';
  return buf[i] === 0x0d || buf[i] === 0x0a ? 'yes' : 'no';
}

/** The status line of buf[off, end). */
export function probeResponse(buf: Buffer, off: number, end: number): ProbeResult {
  const r = startsWithAscii(buf, off, end, 'HTTP/1.');
  if (r !== 'yes') return r;
  let i = off + 7;
  if (i >= end) return 'more';
  if (buf[i] !== 0x30 && buf[i] !== 0x31) return 'no';
  i++;
  if (i >= end) return 'more';
  if (buf[i] !== 0x20) return 'no';
  for (let k = 1; k <= 3; k++) {
    if (i + k >= end) return 'more';
    if (buf[i + k] < 0x30 || buf[i + k] > 0x39) return 'no';
  }
  return 'yes';
}

export function httpAnalyzer(opts: Partial<HttpOptions> = {}): AnalyzerDescriptor {
  const options: HttpOptions = { capturePassword: false, ...opts };
  return {
    name: 'http',
    // Zeek's HTTP::ports
    tcpPorts: [80, 81, 631, 1080, 3128, 8000, 8080, 8888],
    probe(isOrig, buf, off, len, transport) {
      if (transport !== 'tcp') return 'no';
      const end = off + len;
      return isOrig ? probeRequest(buf, off, end) : probeResponse(buf, off, end);
    },
    createStream: (ctx) => new HttpAnalyzer(ctx, options),
  };
}

/** The registered HTTP analyzer: Zeek's defaults (passwords not logged). */
export const HTTP_ANALYZER = httpAnalyzer();
