/**
 * HTTP inspection units for the detection engine (detect/inspection.ts), with Suricata 7's
 * buffer semantics (doc/userguide/rules/http-keywords.rst, libhtp's defaults):
 * - request unit when the request headers are complete: http.method, http.uri (normalised),
 *   http.uri.raw, http.protocol, http.request_line, http.host (lower-cased, no port) /
 *   http.host.raw, the single-header buffers, http.header ("Name: value\r\n" per header, Cookie
 *   left out, repeated headers merged with ", " as libhtp does), http.header.raw (the header lines
 *   as sent), http.header_names ("\r\nName\r\n...\r\n\r\n");
 * - response unit when the response headers are complete, request body / response body units when
 *   a body ends (bounded copies, LIMITS.inspectHttpBodyBytes; the response body decoded, also
 *   given as file.data as Suricata does for HTTP).
 * Suricata inspects a transaction, so a to_client rule may name request buffers (http.uri with
 * http.stat_code): response units also carry the transaction's request buffers.
 * Nothing here runs unless the engine inspects 'http' (the analyzer checks ctx.inspecting once).
 */
import type { BufferName, InspectionUnit } from '../../detect/inspection.js';
import { LIMITS } from '../../support/limits.js';
import type { HttpHeader } from './message-parser.js';
import type { HttpTransaction } from './transaction.js';

export type Buffers = Partial<Record<BufferName, Uint8Array | readonly Uint8Array[]>>;

/** Header values by lower-cased name, repeated headers joined with ", " (libhtp's header table). */
interface MergedHeader { name: string; value: string }

function merge(headers: readonly HttpHeader[]): Map<string, MergedHeader> {
  const m = new Map<string, MergedHeader>();
  for (const h of headers) {
    const key = h.name.toLowerCase();
    const prev = m.get(key);
    if (prev) prev.value += ', ' + h.value;
    else m.set(key, { name: h.name, value: h.value });
  }
  return m;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** http.header: Suricata leaves out Cookie (requests) and Set-Cookie (responses); no final CRLF. */
function headerBuffer(merged: Map<string, MergedHeader>, skip: string): Buffer {
  let s = '';
  for (const [key, h] of merged) if (key !== skip) s += `${h.name}: ${h.value}\r\n`;
  return bytes(s);
}

function headerNames(merged: Map<string, MergedHeader>): Buffer {
  let s = '\r\n';
  for (const h of merged.values()) s += h.name + '\r\n';
  return bytes(s + '\r\n');
}

/** Single-header buffers of each side: [buffer, lower-cased header name]. */
const REQUEST_HEADERS: ReadonlyArray<[BufferName, string]> = [
  ['http.user_agent', 'user-agent'], ['http.cookie', 'cookie'], ['http.referer', 'referer'], ['http.accept', 'accept'],
  ['http.accept_lang', 'accept-language'], ['http.accept_enc', 'accept-encoding'], ['http.connection', 'connection'],
  ['http.content_len', 'content-length'], ['http.content_type', 'content-type'],
];
const RESPONSE_HEADERS: ReadonlyArray<[BufferName, string]> = [
  ['http.server', 'server'], ['http.location', 'location'], ['http.content_type', 'content-type'],
  ['http.content_len', 'content-length'], ['http.cookie', 'set-cookie'],
];

/** The header buffers of one side: its single-header buffers, http.header (without `cookie`),
 *  http.header_names and http.header.raw. */
function headerBuffers(b: Buffers, merged: Map<string, MergedHeader>, table: ReadonlyArray<[BufferName, string]>, cookie: string, raw: string | undefined): void {
  for (const [name, header] of table) {
    const h = merged.get(header);
    if (h !== undefined) b[name] = bytes(h.value);
  }
  b['http.header'] = headerBuffer(merged, cookie);
  b['http.header_names'] = headerNames(merged);
  if (raw !== undefined) b['http.header.raw'] = bytes(raw);
}

/**
 * libhtp's normalised URI as Suricata inspects it (http.uri): an absolute-form target loses its
 * scheme and authority, the path is percent-decoded and its dot segments removed (RFC 3986
 * §5.2.4); the query and fragment stay as sent.
 */
export function normalizeUri(raw: string): string {
  let s = raw;
  const abs = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(s);
  if (abs) s = s.slice(abs[0].length);
  else if (s.charCodeAt(0) !== 0x2f) return s; // "*", authority-form: nothing to normalise
  let pathEnd = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3f || c === 0x23) { pathEnd = i; break; }
  }
  return removeDotSegments(percentDecode(s.slice(0, pathEnd))) + s.slice(pathEnd);
}

/** The normalised path of a request target, without query or fragment (Suricata's HTTP file name). */
export function uriPath(raw: string): string {
  const n = normalizeUri(raw);
  const q = n.search(/[?#]/);
  return q < 0 ? n : n.slice(0, q);
}

function hex(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
}

function percentDecode(p: string): string {
  if (p.indexOf('%') < 0) return p;
  let out = '';
  for (let i = 0; i < p.length; i++) {
    if (p.charCodeAt(i) === 0x25 && i + 2 < p.length && hex(p.charCodeAt(i + 1)) >= 0 && hex(p.charCodeAt(i + 2)) >= 0) {
      out += String.fromCharCode((hex(p.charCodeAt(i + 1)) << 4) | hex(p.charCodeAt(i + 2)));
      i += 2;
    } else out += p[i];
  }
  return out;
}

/** RFC 3986 §5.2.4 on an absolute path (segments never climb above the root). */
function removeDotSegments(path: string): string {
  if (path.indexOf('.') < 0) return path;
  const segs = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === '.') { if (last) out.push(''); continue; }
    if (seg === '..') { out.pop(); if (last) out.push(''); continue; }
    out.push(seg);
  }
  return '/' + out.join('/');
}

/** Host without port: "Example.COM:8080" → "Example.COM", "[::1]:80" → "[::1]". */
function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const e = host.indexOf(']');
    return e < 0 ? host : host.slice(0, e + 1);
  }
  const c = host.lastIndexOf(':');
  return c < 0 ? host : host.slice(0, c);
}

/** Hostname of an absolute-form target ("http://user@Host:81/x" → "Host"), if it is one. */
function uriHost(raw: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(raw);
  if (!m) return undefined;
  const at = m[1].lastIndexOf('@');
  return stripPort(at < 0 ? m[1] : m[1].slice(at + 1));
}

/** The request buffers of a transaction whose request headers are complete. */
export function requestBuffers(tx: HttpTransaction, rawHeaders: string | undefined): Buffers {
  const merged = merge(tx.requestHeaders);
  const b: Buffers = {};
  if (tx.method !== undefined) b['http.method'] = bytes(tx.method);
  if (tx.uriRaw !== undefined) {
    b['http.uri.raw'] = bytes(tx.uriRaw);
    b['http.uri'] = bytes(normalizeUri(tx.uriRaw));
  }
  if (tx.requestVersion !== undefined) b['http.protocol'] = bytes(`HTTP/${tx.requestVersion}`);
  if (tx.requestLine !== undefined) b['http.request_line'] = bytes(tx.requestLine);
  // Suricata: the host of an absolute URI wins over the Host header.
  const fromUri = tx.uriRaw === undefined ? undefined : uriHost(tx.uriRaw);
  const hostHeader = merged.get('host')?.value;
  const hostRaw = fromUri ?? hostHeader;
  if (hostRaw !== undefined) {
    b['http.host.raw'] = bytes(hostRaw);
    b['http.host'] = bytes((fromUri ?? hostRaw.split(', ').map(stripPort).join(', ')).toLowerCase());
  }
  headerBuffers(b, merged, REQUEST_HEADERS, 'cookie', rawHeaders);
  return b;
}

/** The response-header buffers (without the request's). */
export function responseBuffers(tx: HttpTransaction, headers: readonly HttpHeader[], rawHeaders: string | undefined): Buffers {
  const b: Buffers = {};
  if (tx.statusCode !== undefined) b['http.stat_code'] = bytes(String(tx.statusCode).padStart(3, '0'));
  if (tx.statusMsg !== undefined) b['http.stat_msg'] = bytes(tx.statusMsg);
  if (tx.statusLine !== undefined) b['http.response_line'] = bytes(tx.statusLine);
  if (tx.version !== undefined) b['http.protocol'] = bytes(`HTTP/${tx.version}`);
  headerBuffers(b, merge(headers), RESPONSE_HEADERS, 'set-cookie', rawHeaders);
  return b;
}

export function unit(isOrig: boolean, tx: HttpTransaction, buffers: Buffers, facts?: Record<string, number | string | undefined>): InspectionUnit {
  return facts ? { proto: 'http', isOrig, buffers, txId: tx.transDepth, facts } : { proto: 'http', isOrig, buffers, txId: tx.transDepth };
}

/** The first LIMITS.inspectHttpBodyBytes of a body, copied as it streams by. */
export class BodyCopy {
  private parts: Buffer[] = [];
  private len = 0;

  push(buf: Buffer, off: number, len: number): void {
    const take = Math.min(len, LIMITS.inspectHttpBodyBytes - this.len);
    if (take <= 0) return;
    this.parts.push(Buffer.from(buf.subarray(off, off + take)));
    this.len += take;
  }

  get length(): number {
    return this.len;
  }

  bytes(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.len);
  }
}
