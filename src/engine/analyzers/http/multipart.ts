/**
 * MIME multipart bodies (RFC 2046 §5.1) split into their parts as they stream by, as Zeek's
 * MIME analyzer does for HTTP: each part is an entity with its own headers, and its content
 * (the CRLF before the next delimiter excluded, RFC 2046 §5.1.1) becomes its own file.
 * Nested multiparts are followed up to LIMITS.httpMaxMimeDepth. Content-Transfer-Encoding of
 * parts is not decoded (browsers send form-data parts as binary).
 */
import { LIMITS } from '../../support/limits.js';
import type { HttpHeader } from './message-parser.js';

export interface PartSink {
  data(buf: Buffer, off: number, len: number): void;
  gap(len: number): void;
  end(): void;
}

export interface MultipartEvents {
  /** A part's headers are in; returns where its content goes. */
  part(headers: HttpHeader[], depth: number): PartSink;
  weird(name: string, addl?: string): void;
}

/** RFC 2046 boundaries are 1-70 characters; longer ones are not followed. */
const MAX_BOUNDARY = 200;

/** The boundary of a multipart Content-Type, or undefined when it is not multipart. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const b = m ? (m[1] ?? m[2]) : undefined;
  return b && b.length > 0 && b.length <= MAX_BOUNDARY ? b : undefined;
}

const enum S { Preamble, AfterDelimiter, Headers, Body, Done }

export class MultipartParser implements PartSink {
  private readonly delim: Buffer;
  private state = S.Preamble;
  /** Bytes that may be the start of a delimiter (Preamble/Body), or a partial line. */
  private held: Buffer;
  private headers: HttpHeader[] = [];
  private headerBytes = 0;
  private current: PartSink | undefined;

  constructor(boundary: string, private readonly depth: number, private readonly ev: MultipartEvents) {
    this.delim = Buffer.from('\r\n--' + boundary, 'latin1');
    this.held = Buffer.from('\r\n'); // the first delimiter may start the body without a CRLF
  }

  data(buf: Buffer, off: number, len: number): void {
    if (this.state === S.Done || len <= 0) return;
    const data = this.held.length ? Buffer.concat([this.held, buf.subarray(off, off + len)]) : buf.subarray(off, off + len);
    this.held = EMPTY;
    let p = 0;
    while (p < data.length && !this.finished()) {
      if (this.state === S.Preamble || this.state === S.Body) {
        const i = data.indexOf(this.delim, p);
        if (i < 0) {
          // Keep what could be the beginning of a delimiter.
          const keep = Math.min(data.length - p, this.delim.length - 1);
          const upto = data.length - keep;
          if (this.state === S.Body && upto > p) this.current!.data(data, p, upto - p);
          this.held = Buffer.from(data.subarray(upto));
          return;
        }
        if (this.state === S.Body) {
          if (i > p) this.current!.data(data, p, i - p);
          this.current!.end();
          this.current = undefined;
        }
        p = i + this.delim.length;
        this.state = S.AfterDelimiter;
        continue;
      }
      // line states: AfterDelimiter (rest of the delimiter line), Headers
      const nl = data.indexOf(10, p);
      if (nl < 0) {
        if (data.length - p > LIMITS.httpMaxLineBytes) { this.fail('MIME_line_too_long'); return; }
        this.held = Buffer.from(data.subarray(p));
        return;
      }
      let line = data.toString('latin1', p, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      p = nl + 1;
      if (this.state === S.AfterDelimiter) {
        if (line.startsWith('--')) { this.state = S.Done; return; } // close-delimiter: epilogue ignored
        this.state = S.Headers;
        this.headers = [];
        this.headerBytes = 0;
        continue;
      }
      this.headerLine(line);
    }
  }

  private finished(): boolean {
    return this.state === S.Done;
  }

  gap(len: number): void {
    if (this.state === S.Done) return;
    this.current?.gap(len);
    this.fail('MIME_content_gap');
  }

  end(): void {
    if (this.current) { this.current.end(); this.current = undefined; }
    this.state = S.Done;
  }

  private headerLine(line: string): void {
    if (line.length === 0) {
      this.current = this.ev.part(this.headers, this.depth);
      this.state = S.Body;
      return;
    }
    this.headerBytes += line.length;
    if (this.headerBytes > LIMITS.httpMaxHeaderBytes || this.headers.length >= LIMITS.httpMaxHeaders) {
      this.fail('MIME_header_too_large');
      return;
    }
    const c0 = line.charCodeAt(0);
    if ((c0 === 32 || c0 === 9) && this.headers.length > 0) {
      const last = this.headers[this.headers.length - 1];
      last.value = (last.value + ' ' + line.trim()).trim();
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) { this.ev.weird('MIME_header_without_colon'); return; }
    this.headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }

  private fail(name: string): void {
    this.ev.weird(name);
    this.current?.end();
    this.current = undefined;
    this.state = S.Done;
    this.held = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);
