/**
 * A mail message (RFC 5322 + MIME, RFC 2045/2046) parsed line by line as it streams by, as
 * Zeek's MIME analyzer does for SMTP: every entity's headers are reported, multipart bodies
 * are split at their boundaries (nested, innermost boundary or any enclosing one, RFC 2046
 * §5.1.2), and each leaf entity's content, decoded from its Content-Transfer-Encoding (base64,
 * quoted-printable; anything else as is), streams into a file. The CRLF before a delimiter
 * belongs to the delimiter (RFC 2046 §5.1.1) and is not content.
 *
 * Input is lines without their CRLF (dot-unstuffed by SMTP); `complete = false` marks a piece
 * of an overlong line, which is content only (never a header or a boundary).
 */
import { LIMITS } from '../../support/limits.js';
import { latin1Text } from '../../support/wire-text.js';

export interface MimeHeader {
  /** Upper-cased name (Zeek's mime_header_rec name). */
  readonly name: string;
  /** Unfolded value, leading blanks removed, as latin1 text of the wire bytes. */
  value: string;
}

export interface ContentSink {
  data(buf: Buffer, off: number, len: number): void;
  gap(len: number): void;
  end(): void;
}

export interface MimeEvents {
  /** An entity begins (the message itself first): Zeek's mime_begin_entity. */
  beginEntity(level: number): void;
  /** All headers of an entity, once its header block is over. */
  headers(level: number, headers: readonly MimeHeader[]): void;
  /** The entity's first content byte: where its content goes. */
  openContent(level: number, headers: readonly MimeHeader[]): ContentSink;
  weird(name: string, addl?: string): void;
}

const enum Mode { Headers, Body, Skip, Done }
const enum Enc { Raw, Base64, QuotedPrintable }

const B64 = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
const CRLF = Buffer.from('\r\n');
/** A base64 line that decodes on its own (length checked separately). */
const B64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;
/** Base64 characters gathered before a native decode: big enough to amortise the call. */
const B64_BLOCK_CHARS = 64 * 1024;

/** Boundaries longer than this are not followed (RFC 2046 §5.1.1 allows 70). */
const MAX_BOUNDARY = 200;

/** The boundary parameter of a multipart Content-Type, or undefined when it is not multipart. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const b = m ? (m[1] ?? m[2]) : undefined;
  return b && b.length > 0 && b.length <= MAX_BOUNDARY ? b : undefined;
}

export function headerValue(headers: readonly MimeHeader[], name: string): string | undefined {
  for (const h of headers) if (h.name === name) return h.value;
  return undefined;
}

export class MimeParser {
  private mode = Mode.Headers;
  private level = 0;
  private headers: MimeHeader[] = [];
  private headerBytes = 0;
  /** Open multipart boundaries, outermost first, as "--boundary" bytes. */
  private readonly stack: Buffer[] = [];
  private entities = 0;
  private enc = Enc.Raw;
  private sink: ContentSink | undefined;
  private pendingEol = false;
  private quad = 0;
  private quadLen = 0;
  private out = Buffer.allocUnsafe(1024);
  private readonly b64Lines: string[] = [];
  private b64Chars = 0;

  constructor(private readonly ev: MimeEvents) {
    this.begin(0);
  }

  line(buf: Buffer, start: number, end: number, complete: boolean): void {
    switch (this.mode) {
      case Mode.Done:
        return;
      case Mode.Headers:
        // An entity may end before its header block does (an empty part).
        if (complete && this.stack.length > 0 && end - start >= 3 && buf[start] === 0x2d && buf[start + 1] === 0x2d && this.boundary(buf, start, end)) return;
        if (!complete) {
          this.ev.weird('MIME_header_line_too_long');
          return;
        }
        this.headerLine(buf, start, end);
        return;
      default:
        if (complete && this.stack.length > 0 && end - start >= 3 && buf[start] === 0x2d && buf[start + 1] === 0x2d && this.boundary(buf, start, end)) return;
        if (this.mode === Mode.Body) this.content(buf, start, end, complete);
    }
  }

  /** `len` message bytes were never seen: the current content misses them. */
  gap(len: number): void {
    if (this.mode === Mode.Body) {
      this.flushBase64();
      this.pendingEol = false;
      this.quadLen = 0;
      this.openSink().gap(this.enc === Enc.Base64 ? Math.floor(len * 3 / 4) : len);
    }
  }

  /** End of the message: the open entity ends. */
  end(): void {
    this.closeSink();
    this.mode = Mode.Done;
  }

  private begin(level: number): void {
    if (++this.entities > LIMITS.mimeMaxEntities) {
      this.ev.weird('MIME_entity_limit');
      this.mode = Mode.Done;
      return;
    }
    this.level = level;
    this.headers = [];
    this.headerBytes = 0;
    this.mode = Mode.Headers;
    this.ev.beginEntity(level);
  }

  private headerLine(buf: Buffer, start: number, end: number): void {
    if (start === end) {
      this.endHeaders();
      return;
    }
    this.headerBytes += end - start;
    if (this.headerBytes > LIMITS.mimeMaxHeaderBytes) {
      if (this.headerBytes - (end - start) <= LIMITS.mimeMaxHeaderBytes) this.ev.weird('MIME_header_too_large');
      return;
    }
    const c0 = buf[start];
    if ((c0 === 0x20 || c0 === 0x09) && this.headers.length > 0) {
      // Folding (RFC 5322 §2.2.3): unfolding removes the CRLF only.
      this.headers[this.headers.length - 1].value += latin1Text(buf, start, end);
      return;
    }
    const colon = buf.indexOf(0x3a, start);
    if (colon < 0 || colon >= end || colon === start) {
      this.ev.weird('MIME_header_without_colon');
      return;
    }
    if (this.headers.length >= LIMITS.mimeMaxHeaders) {
      this.ev.weird('MIME_too_many_headers');
      return;
    }
    let v = colon + 1;
    while (v < end && (buf[v] === 0x20 || buf[v] === 0x09)) v++;
    this.headers.push({ name: latin1Text(buf, start, colon).trim().toUpperCase(), value: latin1Text(buf, v, end) });
  }

  private endHeaders(): void {
    const hs = this.headers;
    this.ev.headers(this.level, hs);
    const ct = headerValue(hs, 'CONTENT-TYPE');
    const boundary = multipartBoundary(ct);
    if (boundary !== undefined) {
      if (this.stack.length < LIMITS.mimeMaxDepth) {
        this.stack.push(Buffer.from('--' + boundary, 'latin1'));
        this.mode = Mode.Skip; // preamble
        return;
      }
      this.ev.weird('MIME_depth_limit');
    } else if (ct !== undefined && /^\s*multipart\//i.test(ct)) {
      this.ev.weird('MIME_multipart_without_boundary');
    }
    const cte = (headerValue(hs, 'CONTENT-TRANSFER-ENCODING') ?? '').trim().toLowerCase();
    this.enc = cte === 'base64' ? Enc.Base64 : cte === 'quoted-printable' ? Enc.QuotedPrintable : Enc.Raw;
    this.quadLen = 0;
    this.pendingEol = false;
    this.mode = Mode.Body;
  }

  /** A "--..." line: a delimiter or close-delimiter of an open multipart? Handles it if so. */
  private boundary(buf: Buffer, start: number, end: number): boolean {
    // Transport padding (RFC 2046 §5.1.1): trailing blanks are allowed.
    while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const b = this.stack[k];
      const n = b.length;
      if (end - start !== n && end - start !== n + 2) continue;
      if (buf.compare(b, 0, n, start, start + n) !== 0) continue;
      const close = end - start === n + 2;
      if (close && (buf[start + n] !== 0x2d || buf[start + n + 1] !== 0x2d)) continue;
      this.closeSink();
      if (close) {
        this.stack.length = k;
        this.mode = Mode.Skip; // the epilogue, ignored like the preamble
      } else {
        this.stack.length = k + 1;
        this.begin(k + 1);
      }
      return true;
    }
    return false;
  }

  private openSink(): ContentSink {
    this.sink ??= this.ev.openContent(this.level, this.headers);
    return this.sink;
  }

  private closeSink(): void {
    this.flushBase64();
    this.sink?.end();
    this.sink = undefined;
    this.pendingEol = false;
  }

  private content(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (this.enc === Enc.Base64) {
      this.base64(buf, start, end);
      return;
    }
    if (this.pendingEol) {
      this.openSink().data(CRLF, 0, 2);
      this.pendingEol = false;
    }
    if (this.enc === Enc.Raw) {
      if (end > start) this.openSink().data(buf, start, end - start);
      this.pendingEol = complete;
      return;
    }
    this.quotedPrintable(buf, start, end, complete);
  }

  private scratch(n: number): Buffer {
    if (this.out.length < n) this.out = Buffer.allocUnsafe(Math.max(n, this.out.length * 2));
    return this.out;
  }

  /**
   * Base64 (RFC 2045 §6.8). Well-formed lines (alphabet only, a multiple of 4 long, padding
   * only at the end) starting on a quantum boundary are gathered and decoded natively in
   * blocks of B64_BLOCK_CHARS (the per-byte loop costs 3-4x more); anything else goes through
   * the exact streaming decoder below.
   */
  private base64(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.quadLen === 0 && n > 0 && (n & 3) === 0) {
      const text = latin1Text(buf, start, end);
      if (B64_LINE.test(text)) {
        this.b64Lines.push(text);
        this.b64Chars += n;
        if (this.b64Chars >= B64_BLOCK_CHARS || buf[end - 1] === 0x3d) this.flushBase64();
        return;
      }
    }
    this.flushBase64();
    this.base64Slow(buf, start, end);
  }

  private flushBase64(): void {
    if (this.b64Chars === 0) return;
    const out = Buffer.from(this.b64Lines.length === 1 ? this.b64Lines[0] : this.b64Lines.join(''), 'base64');
    this.b64Lines.length = 0;
    this.b64Chars = 0;
    if (out.length > 0) this.openSink().data(out, 0, out.length);
  }

  /** The exact decoder: characters outside the alphabet are ignored; "=" ends a quantum. */
  private base64Slow(buf: Buffer, start: number, end: number): void {
    const out = this.scratch(Math.floor((end - start) * 3 / 4) + 3);
    let o = 0;
    let q = this.quad, ql = this.quadLen;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      const v = B64[c];
      if (v < 0) {
        if (c === 0x3d && ql >= 2) {
          // padding: flush the partial quantum
          out[o++] = (q >> (ql === 2 ? 4 : 10)) & 0xff;
          if (ql === 3) out[o++] = (q >> 2) & 0xff;
          q = 0; ql = 0;
        }
        continue;
      }
      q = (q << 6) | v;
      if (++ql === 4) {
        out[o++] = (q >> 16) & 0xff;
        out[o++] = (q >> 8) & 0xff;
        out[o++] = q & 0xff;
        q = 0; ql = 0;
      }
    }
    this.quad = q;
    this.quadLen = ql;
    if (o > 0) this.openSink().data(out, 0, o);
  }

  /** Quoted-printable (RFC 2045 §6.7): "=XX", soft line breaks, trailing blanks dropped. */
  private quotedPrintable(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (complete) while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
    const out = this.scratch(end - start);
    let o = 0;
    let soft = false;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c !== 0x3d) { out[o++] = c; continue; }
      if (i === end - 1 && complete) { soft = true; break; }
      const h = i + 2 < end ? hex(buf[i + 1]) : -1, l = i + 2 < end ? hex(buf[i + 2]) : -1;
      if (h >= 0 && l >= 0) {
        out[o++] = (h << 4) | l;
        i += 2;
      } else out[o++] = c; // not an escape: kept literally (RFC 2045 §6.7 note 1)
    }
    if (o > 0) this.openSink().data(out, 0, o);
    this.pendingEol = complete && !soft;
  }
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
