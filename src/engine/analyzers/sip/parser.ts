/**
 * SIP message heads (RFC 3261 §7): the start line (request "METHOD URI SIP/2.0" or status
 * "SIP/2.0 CODE REASON") and the header fields up to the empty line. Lines end in CRLF or a
 * bare LF; header names are upper-cased (as Zeek's sip_header gives them), values lose their
 * leading white space. Bounded: header count and the bytes scanned.
 */
import { LIMITS } from '../../support/limits.js';
import { latin1Text, wireText } from '../../support/wire-text.js';

export interface SipHead {
  request: boolean;
  method?: string;
  uri?: string;
  code?: number;
  reason?: string;
  version: string;
  headers: Array<[string, string]>;
  /** The empty line ending the headers was seen; `bodyOff` is the first byte after it. */
  complete: boolean;
  bodyOff: number;
  /** Content-Length (or "l") value; undefined when absent or not a number. */
  contentLength?: number;
  weirds?: string[];
}

/** Index just past the end of the line starting at p (its LF), or -1 when none before `end`. */
function lineEnd(buf: Buffer, p: number, end: number): number {
  const i = buf.indexOf(0x0a, p);
  return i < 0 || i >= end ? -1 : i + 1;
}

/** The line [p, e) without its CR LF. */
function contentEnd(buf: Buffer, p: number, e: number): number {
  let q = e;
  if (q > p && buf[q - 1] === 0x0a) q--;
  if (q > p && buf[q - 1] === 0x0d) q--;
  return q;
}

const isAlpha = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** "SIP/" at p. */
function isSipVersion(buf: Buffer, p: number, end: number): boolean {
  return end - p >= 4 && buf[p] === 0x53 && buf[p + 1] === 0x49 && buf[p + 2] === 0x50 && buf[p + 3] === 0x2f;
}

/** A start line's fields and where the next line starts. */
export type SipStartLine = Pick<SipHead, 'request' | 'method' | 'uri' | 'code' | 'reason' | 'version'> & { next: number };

/**
 * The start line at buf[off]: undefined when it is not SIP's. Zeek's analyzer accepts methods of
 * letters only.
 */
export function parseStartLine(buf: Buffer, off: number, end: number): SipStartLine | undefined {
  const e = lineEnd(buf, off, end);
  if (e < 0) return undefined;
  const le = contentEnd(buf, off, e);
  if (isSipVersion(buf, off, le)) {
    const sp = buf.indexOf(0x20, off);
    if (sp < 0 || sp + 4 > le) return undefined;
    let code = 0;
    for (let i = sp + 1; i < sp + 4; i++) {
      if (buf[i] < 0x30 || buf[i] > 0x39) return undefined;
      code = code * 10 + buf[i] - 0x30;
    }
    if (sp + 4 < le && buf[sp + 4] !== 0x20) return undefined;
    return { request: false, method: undefined, uri: undefined, code, reason: wireText(buf, Math.min(sp + 5, le), le), version: wireText(buf, off + 4, sp), next: e };
  }
  let p = off;
  while (p < le && isAlpha(buf[p])) p++;
  if (p === off || p >= le || buf[p] !== 0x20) return undefined;
  const sp2 = buf.lastIndexOf(0x20, le - 1);
  if (sp2 <= p || !isSipVersion(buf, sp2 + 1, le)) return undefined;
  return { request: true, method: latin1Text(buf, off, p), uri: wireText(buf, p + 1, sp2), code: undefined, reason: undefined, version: wireText(buf, sp2 + 5, le), next: e };
}

export function parseSipHead(buf: Buffer, off: number, len: number): SipHead | undefined {
  const end = off + len;
  const start = parseStartLine(buf, off, end);
  if (!start) return undefined;
  // Every field set here, in one order: one object shape for all heads (a spread of the start
  // line made a slow dictionary-mode object, the parser's main cost).
  const head: SipHead = {
    request: start.request, method: start.method, uri: start.uri, code: start.code, reason: start.reason, version: start.version,
    headers: [], complete: false, bodyOff: end, contentLength: undefined, weirds: undefined,
  };
  let p = start.next;
  while (p < end) {
    const e = lineEnd(buf, p, end);
    if (e < 0) break; // the head is cut short
    const le = contentEnd(buf, p, e);
    const lineStart = p;
    p = e;
    if (le === lineStart) {
      head.complete = true;
      head.bodyOff = e;
      break;
    }
    const colon = buf.indexOf(0x3a, lineStart);
    if (colon < 0 || colon >= le) {
      (head.weirds ??= []).push('SIP_bad_header');
      continue;
    }
    if (head.headers.length >= LIMITS.sipMaxHeaders) {
      (head.weirds ??= []).push('SIP_too_many_headers');
      continue;
    }
    let ne = colon;
    while (ne > lineStart && (buf[ne - 1] === 0x20 || buf[ne - 1] === 0x09)) ne--;
    let v = colon + 1;
    while (v < le && (buf[v] === 0x20 || buf[v] === 0x09)) v++;
    const name = wireText(buf, lineStart, ne).toUpperCase();
    const value = wireText(buf, v, le);
    head.headers.push([name, value]);
    if (name === 'CONTENT-LENGTH' || name === 'L') head.contentLength = toCount(value);
  }
  return head;
}

/** Zeek's to_count: a decimal number, else 0. */
export function toCount(s: string): number {
  const t = s.trim();
  return /^[0-9]{1,15}$/.test(t) ? Number(t) : 0;
}
