/**
 * One direction of an HTTP/1.x connection, parsed incrementally (RFC 9112): start line,
 * header fields (obs-fold continuations joined), then the body as framed by RFC 9112 §6.3 —
 * no body, Content-Length, chunked (§7.1, with trailers), or until the connection closes —
 * and, after CONNECT 2xx / 101, nothing more (the bytes are another protocol).
 *
 * Bytes may arrive split anywhere; a partial line is kept (bounded by LIMITS.httpMaxLineBytes).
 * A gap inside a Content-Length or chunk body is reported as a body gap; anywhere else the
 * message is abandoned and the parser resynchronises on the next line that is a start line.
 */
import { LIMITS } from '../../support/limits.js';

export interface HttpHeader {
  /** Field name as sent. */
  readonly name: string;
  /** Field value, surrounding whitespace removed, continuation lines joined with a space (latin1). */
  value: string;
}

export interface StartLine {
  /** Requests: method, raw target, version "1.1"; responses: version, status code and reason. */
  method?: string;
  uri?: string;
  version: string;
  code?: number;
  reason?: string;
  /** The whole line (latin1, without CRLF). */
  raw: string;
}

/** How the message's body is framed, decided by the owner once the headers are in. */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'eof' }
  /** No body, and the rest of this direction is not HTTP (CONNECT tunnel, protocol upgrade). */
  | { kind: 'tunnel' };

export interface MessageEvents {
  /** A start line parsed; return false if it is not acceptable (it is then treated as garbage). */
  start(line: StartLine): boolean;
  /** All header fields are in: decide the framing. */
  headersDone(headers: HttpHeader[]): BodyFraming;
  body(buf: Buffer, off: number, len: number): void;
  bodyGap(len: number): void;
  trailers(headers: HttpHeader[]): void;
  /** The message is over; `complete` false when it was cut by a gap or the end of the stream. */
  done(complete: boolean): void;
  weird(name: string, addl?: string): void;
  /** A line that should have been a start line is not one. */
  garbage(line: string): void;
}

const enum S { Start, Headers, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, Eof, Tunnel, Resync }

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** HTTP/1.x only: "PRI * HTTP/2.0" (the HTTP/2 preface) and other majors are not this protocol. */
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]+(\S+)[ \t]+HTTP\/(1\.\d)[ \t]*$/;
const STATUS_LINE = /^HTTP\/(1\.\d)[ \t]+(\d{3})(?:[ \t]+(.*))?$/;

export class MessageParser {
  private state = S.Start;
  private partial: Buffer | undefined;
  private headers: HttpHeader[] = [];
  private headerBytes = 0;
  private droppedHeaders = 0;
  private remaining = 0;
  /** Inside a message (start line seen, done() not yet called). */
  private inMessage = false;
  /** The header lines of the current message as sent (line ends included), for detection's
   *  http.header.raw; undefined unless asked for (bounded by LIMITS.httpMaxHeaderBytes). */
  rawHeaders: string | undefined;

  constructor(private readonly isRequest: boolean, private readonly ev: MessageEvents, keepRawHeaders = false) {
    if (keepRawHeaders) this.rawHeaders = '';
  }

  /** The rest of the stream is not to be parsed (after a violation). */
  stop(): void {
    this.state = S.Tunnel;
    this.partial = undefined;
  }

  get tunnelled(): boolean {
    return this.state === S.Tunnel;
  }

  data(buf: Buffer, off: number, len: number): void {
    const end = off + len;
    while (off < end) {
      switch (this.state) {
        case S.Length: {
          const take = Math.min(this.remaining, end - off);
          this.remaining -= take;
          this.ev.body(buf, off, take);
          off += take;
          if (this.remaining === 0) this.finish(true);
          break;
        }
        case S.ChunkData: {
          const take = Math.min(this.remaining, end - off);
          this.remaining -= take;
          this.ev.body(buf, off, take);
          off += take;
          if (this.remaining === 0) this.state = S.ChunkEnd;
          break;
        }
        case S.Eof:
          this.ev.body(buf, off, end - off);
          off = end;
          break;
        case S.Tunnel:
          return;
        default: {
          // A line-oriented state.
          // Search this delivery only: `buf` may be a large capture window extending past `end`.
          let nl = buf.subarray(off, end).indexOf(10);
          if (nl >= 0) nl += off;
          if (nl < 0) {
            this.keepPartial(buf, off, end);
            return;
          }
          let line: string;
          if (this.partial) {
            const p = this.partial;
            this.partial = undefined;
            line = p.toString('latin1') + buf.toString('latin1', off, nl);
          } else line = buf.toString('latin1', off, nl);
          off = nl + 1;
          if (this.rawHeaders !== undefined && this.state === S.Headers) this.rawHeaders += line + '\n';
          if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
          this.line(line);
        }
      }
    }
  }

  gap(len: number): void {
    this.partial = undefined;
    switch (this.state) {
      case S.Length: {
        const rem = this.remaining;
        if (len < rem) { this.remaining -= len; this.ev.bodyGap(len); return; }
        this.ev.bodyGap(rem);
        // The body's end is known: a gap that ends exactly there leaves the stream in sync.
        if (len === rem) { this.finish(false); return; }
        this.finish(false);
        this.state = S.Resync;
        return;
      }
      case S.ChunkData:
        if (len < this.remaining) { this.remaining -= len; this.ev.bodyGap(len); return; }
        this.ev.bodyGap(this.remaining);
        this.finish(false);
        this.state = S.Resync;
        return;
      case S.Eof:
        this.ev.bodyGap(len);
        return;
      case S.Tunnel:
        return;
      default:
        if (this.inMessage) this.finish(false);
        this.state = S.Resync;
    }
  }

  /** The stream ended (FIN or connection over): a message still open ends here. */
  eof(): void {
    this.partial = undefined;
    if (this.state === S.Eof) { this.finish(true); this.state = S.Start; return; }
    if (this.inMessage) {
      if (this.state === S.Headers) this.ev.headersDone(this.headers); // what did arrive is kept
      this.finish(false);
    }
  }

  private keepPartial(buf: Buffer, off: number, end: number): void {
    const have = this.partial ? this.partial.length : 0;
    if (have + end - off > LIMITS.httpMaxLineBytes) {
      this.partial = undefined;
      if (this.state === S.Resync) return; // still hunting for a start line: drop and go on
      this.ev.weird('HTTP_line_too_long');
      if (this.inMessage) this.finish(false);
      this.state = S.Resync;
      return;
    }
    const piece = buf.subarray(off, end);
    this.partial = this.partial ? Buffer.concat([this.partial, piece]) : Buffer.from(piece);
  }

  private line(line: string): void {
    switch (this.state) {
      case S.Start:
      case S.Resync:
        this.startLine(line);
        return;
      case S.Headers:
        this.headerLine(line);
        return;
      case S.ChunkSize:
        this.chunkSize(line);
        return;
      case S.ChunkEnd:
        if (line.length !== 0) this.ev.weird('HTTP_chunk_missing_CRLF');
        this.state = S.ChunkSize;
        if (line.length !== 0) this.chunkSize(line); // be lenient: the size may follow directly
        return;
      case S.Trailers:
        if (line.length === 0) {
          this.ev.trailers(this.headers);
          this.finish(true);
        } else this.addHeader(line);
        return;
    }
  }

  private startLine(line: string): void {
    if (line.length === 0) return; // CRLF between messages (RFC 9112 §2.2 allows it)
    const parsed = this.isRequest ? parseRequestLine(line) : parseStatusLine(line);
    if (!parsed || !this.ev.start(parsed)) {
      if (this.state === S.Start) this.ev.garbage(line);
      this.state = S.Resync;
      return;
    }
    this.inMessage = true;
    if (this.rawHeaders !== undefined) this.rawHeaders = '';
    this.headers = [];
    this.headerBytes = 0;
    this.droppedHeaders = 0;
    this.state = S.Headers;
  }

  private headerLine(line: string): void {
    if (line.length === 0) {
      if (this.droppedHeaders > 0) this.ev.weird('HTTP_too_many_headers', String(this.droppedHeaders));
      this.framing(this.ev.headersDone(this.headers));
      return;
    }
    this.headerBytes += line.length + 2;
    if (this.headerBytes > LIMITS.httpMaxHeaderBytes) {
      this.ev.weird('HTTP_header_too_large');
      this.finish(false);
      this.state = S.Resync;
      return;
    }
    this.addHeader(line);
  }

  private addHeader(line: string): void {
    const c0 = line.charCodeAt(0);
    if (c0 === 32 || c0 === 9) {
      // obs-fold (RFC 9112 §5.2): continuation of the previous field
      const last = this.headers[this.headers.length - 1];
      if (last) last.value = (last.value + ' ' + line.trim()).trim();
      else this.ev.weird('HTTP_continuation_without_header');
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      this.ev.weird('HTTP_header_without_colon');
      return;
    }
    if (this.headers.length >= LIMITS.httpMaxHeaders) { this.droppedHeaders++; return; }
    const name = line.slice(0, colon).trim();
    if (!TOKEN.test(name)) this.ev.weird('HTTP_bad_header_name');
    this.headers.push({ name, value: line.slice(colon + 1).trim() });
  }

  private framing(f: BodyFraming): void {
    switch (f.kind) {
      case 'none':
        this.finish(true);
        return;
      case 'length':
        if (f.length <= 0) { this.finish(true); return; }
        this.remaining = f.length;
        this.state = S.Length;
        return;
      case 'chunked':
        this.state = S.ChunkSize;
        return;
      case 'eof':
        this.state = S.Eof;
        return;
      case 'tunnel':
        this.finish(true);
        this.state = S.Tunnel;
        return;
    }
  }

  private chunkSize(line: string): void {
    // chunk-size [ chunk-ext ] (RFC 9112 §7.1.1); a hex number of up to 12 digits (256 TiB)
    let i = 0;
    let size = 0;
    while (i < line.length && i < 13) {
      const c = line.charCodeAt(i);
      const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (v < 0) break;
      size = size * 16 + v;
      i++;
    }
    const rest = line.charCodeAt(i);
    if (i === 0 || i > 12 || !(i === line.length || rest === 59 || rest === 32 || rest === 9)) {
      this.ev.weird('HTTP_bad_chunk_size', line.slice(0, 32));
      this.finish(false);
      this.state = S.Resync;
      return;
    }
    if (size === 0) {
      this.headers = [];
      this.state = S.Trailers;
      return;
    }
    this.remaining = size;
    this.state = S.ChunkData;
  }

  private finish(complete: boolean): void {
    const was = this.inMessage;
    this.inMessage = false;
    this.state = S.Start;
    this.remaining = 0;
    if (was) this.ev.done(complete);
  }
}

export function parseRequestLine(line: string): StartLine | undefined {
  const m = REQUEST_LINE.exec(line);
  if (!m) return undefined;
  return { method: m[1], uri: m[2], version: m[3], raw: line };
}

export function parseStatusLine(line: string): StartLine | undefined {
  const m = STATUS_LINE.exec(line);
  if (!m) return undefined;
  return { version: m[1], code: Number(m[2]), reason: (m[3] ?? '').trim(), raw: line };
}
