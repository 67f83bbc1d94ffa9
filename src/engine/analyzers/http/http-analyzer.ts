/**
 * The HTTP analyzer of one connection: two MessageParsers (requests, responses), Zeek's
 * request/response matching (scripts/base/protocols/http/main.zeek: pending transactions
 * indexed by current_request / current_response, so pipelining and 1xx interim responses
 * pair up as in Zeek), content decoding, and the bodies handed to the files framework
 * (entities.zeek: one file per non-empty body, its fuid/filename/MIME type on the record).
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { FileHandle } from '../files/file-manager.js';
import { LIMITS } from '../../support/limits.js';
import { BodyDecoder, encodingOf } from './body-decoder.js';
import { HTTP_LOG } from './http-log.js';
import { type BodyFraming, type HttpHeader, MessageParser, type StartLine } from './message-parser.js';
import { type HttpTransaction, newTransaction } from './transaction.js';
import { dispositionFilename, logText, unescapeUri } from './wire-text.js';
import { MultipartParser, multipartBoundary, type PartSink } from './multipart.js';
import { BodyCopy, requestBuffers, responseBuffers, unit, uriPath } from './inspection.js';

export interface HttpOptions {
  /** Log Basic-auth passwords (Zeek's HTTP::default_capture_password, off by default). */
  capturePassword: boolean;
  /**
   * Called with each finished transaction just before its http.log record is written (raw
   * start lines and header lists included: see HttpTransaction), e.g. for detection rules.
   */
  onTransaction?: (tx: HttpTransaction, ctx: AnalyzerContext) => void;
}

/** Zeek's HTTP::proxy_headers. */
const PROXY_HEADERS = new Set(['FORWARDED', 'X-FORWARDED-FOR', 'X-FORWARDED-FROM', 'CLIENT-IP', 'VIA', 'XROXY-CONNECTION', 'PROXY-CONNECTION']);
/** Zeek's HTTP::http_methods: others are accepted with a weird. */
const KNOWN_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'CONNECT', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'POLL', 'REPORT', 'SUBSCRIBE', 'BMOVE', 'SEARCH']);

/** A MIME entity whose content becomes one file: a message body, or one part of a multipart body. */
interface Entity {
  tx: HttpTransaction;
  isOrig: boolean;
  file: FileHandle | undefined;
  filename: string | undefined;
  mimeHint: string | undefined;
  total: number | undefined;
}

/** The body of the message being parsed on one side. */
interface Body extends Entity {
  decoder: BodyDecoder | undefined;
  /** Set for multipart bodies: the parts are the entities, not the body. */
  multipart: MultipartParser | undefined;
  len: number;
  /** The body's first bytes for the detection engine (only while it inspects HTTP). */
  copy?: BodyCopy;
}

/** entities.zeek: filename from Content-Disposition (filename=), else from Content-Type name=. */
function entityFilename(headers: HttpHeader[]): string | undefined {
  const disp = header(headers, 'CONTENT-DISPOSITION');
  const ctype = header(headers, 'CONTENT-TYPE');
  if (disp !== undefined && /filename[ \t]*\*?=/i.test(disp)) return dispositionFilename(disp);
  if (ctype !== undefined && /name[ \t]*=/i.test(ctype)) return dispositionFilename(ctype);
  return undefined;
}

function header(headers: HttpHeader[], upper: string): string | undefined {
  let v: string | undefined;
  for (const h of headers) if (h.name.length === upper.length && h.name.toUpperCase() === upper) v = h.value;
  return v;
}

function contentLength(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return /^\d{1,15}$/.test(t) ? Number(t) : -1;
}

function isChunked(te: string | undefined): boolean {
  if (te === undefined) return false;
  const codings = te.toLowerCase().split(',');
  return codings[codings.length - 1].trim() === 'chunked';
}

export class HttpAnalyzer implements StreamAnalyzer {
  private readonly orig: MessageParser;
  private readonly resp: MessageParser;
  private readonly pending = new Map<number, HttpTransaction>();
  private curReq = 0;
  private curResp = 0;
  private depth = 0;
  private confirmed = false;
  private origBody: Body | undefined;
  private respBody: Body | undefined;
  private finished = false;
  /** The detection engine wants HTTP units (asked once: a run's rules do not change). */
  private readonly inspecting: boolean;

  constructor(private readonly ctx: AnalyzerContext, private readonly opts: HttpOptions) {
    this.inspecting = ctx.inspecting('http');
    this.orig = new MessageParser(true, this.events(true), this.inspecting);
    this.resp = new MessageParser(false, this.events(false), this.inspecting);
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    (isOrig ? this.orig : this.resp).data(buf, off, len);
  }

  gap(isOrig: boolean, len: number): void {
    (isOrig ? this.orig : this.resp).gap(len);
  }

  eof(isOrig: boolean): void {
    (isOrig ? this.orig : this.resp).eof();
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.orig.eof();
    this.resp.eof();
    // Zeek's finalize_http: every pending transaction is logged.
    for (const k of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (k === 0) continue;
      this.write(this.pending.get(k)!);
    }
    this.pending.clear();
  }

  // ---- transaction bookkeeping (main.zeek http_request / http_reply / set_state) ----

  private session(index: number): HttpTransaction {
    let tx = this.pending.get(index);
    if (!tx) {
      tx = newTransaction(this.ctx.now(), ++this.depth);
      this.pending.set(index, tx);
    }
    return tx;
  }

  private request(line: StartLine): HttpTransaction {
    if (this.curReq < this.curResp) {
      this.ctx.weird('HTTP_response_before_request');
      this.curReq = this.curResp;
    }
    if (this.pending.size > LIMITS.httpMaxPendingRequests) {
      this.ctx.weird('HTTP_excessive_pipelining');
      if (this.curResp === 0) this.curResp++;
      while (this.curResp < this.curReq) {
        const tx = this.pending.get(this.curResp);
        if (tx) { this.write(tx); this.pending.delete(this.curResp); }
        this.curResp++;
      }
    }
    this.curReq++;
    const tx = this.session(this.curReq);
    tx.method = line.method;
    tx.uriRaw = line.uri;
    tx.uri = unescapeUri(line.uri!, (n) => this.ctx.weird(n));
    tx.requestVersion = line.version;
    tx.requestLine = line.raw;
    if (!KNOWN_METHODS.has(line.method!)) this.ctx.weird('unknown_HTTP_method', line.method);
    return tx;
  }

  private reply(line: StartLine): HttpTransaction {
    const cur = this.pending.get(this.curResp);
    if (!cur || (cur.statusCode !== undefined && !(cur.statusCode >= 100 && cur.statusCode <= 199))) this.curResp++;
    const tx = this.session(this.curResp);
    tx.statusCode = line.code;
    tx.statusMsg = line.reason;
    tx.version = line.version;
    tx.statusLine = line.raw;
    if (line.code! >= 100 && line.code! <= 199) {
      tx.infoCode = line.code;
      tx.infoMsg = line.reason;
    }
    return tx;
  }

  private requestHeaders(tx: HttpTransaction, headers: HttpHeader[]): void {
    tx.requestHeaders = headers;
    for (const h of headers) {
      const name = h.name.toUpperCase();
      const v = h.value;
      if (name === 'REFERER') tx.referrer = v;
      else if (name === 'HOST') tx.host = v;
      else if (name === 'ORIGIN') tx.origin = v;
      else if (name === 'USER-AGENT') tx.userAgent = v;
      else if (PROXY_HEADERS.has(name)) {
        const entry = `${name} -> ${v}`;
        if (!tx.proxied) tx.proxied = [entry];
        else if (!tx.proxied.includes(entry)) tx.proxied.push(entry);
      } else if (name === 'AUTHORIZATION' || name === 'PROXY-AUTHORIZATION') this.basicAuth(tx, v);
    }
  }

  private basicAuth(tx: HttpTransaction, v: string): void {
    if (!/^basic /i.test(v)) return;
    const userpass = Buffer.from(v.replace(/^basic[ \t]+/i, ''), 'base64').toString('latin1');
    const colon = userpass.indexOf(':');
    if (colon >= 0) {
      tx.username = userpass.slice(0, colon);
      if (this.opts.capturePassword) tx.password = userpass.slice(colon + 1);
    } else {
      tx.username = `<problem-decoding> (${v})`;
      if (this.opts.capturePassword) tx.password = userpass;
    }
  }

  // ---- message events from the parsers ----

  private events(isOrig: boolean) {
    const parser = () => (isOrig ? this.orig : this.resp);
    return {
      start: (line: StartLine): boolean => {
        if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
        const tx = isOrig ? this.request(line) : this.reply(line);
        const body: Body = { tx, isOrig, decoder: undefined, multipart: undefined, file: undefined, len: 0, filename: undefined, mimeHint: undefined, total: undefined };
        if (isOrig) this.origBody = body; else this.respBody = body;
        return true;
      },
      headersDone: (headers: HttpHeader[]): BodyFraming => {
        const body = isOrig ? this.origBody! : this.respBody!;
        const tx = body.tx;
        if (isOrig) this.requestHeaders(tx, headers);
        else if (tx.statusCode! >= 100 && tx.statusCode! <= 199 && tx.responseHeaders.length > 0) {
          tx.responseHeaders = tx.responseHeaders.concat(headers); // interim then final response
        } else tx.responseHeaders = headers;
        const framing = this.framing(isOrig, tx, headers);
        if (framing.kind === 'length' || framing.kind === 'chunked' || framing.kind === 'eof') this.prepareBody(body, headers, framing);
        if (framing.kind === 'tunnel') this.orig.stop();
        if (this.inspecting) this.inspectHeaders(body, headers, framing);
        return framing;
      },
      body: (buf: Buffer, off: number, len: number): void => {
        const b = isOrig ? this.origBody : this.respBody;
        if (!b) return;
        if (b.decoder) b.decoder.push(buf, off, len);
        else this.content(b, buf, off, len);
      },
      bodyGap: (len: number): void => {
        const b = isOrig ? this.origBody : this.respBody;
        if (!b) return;
        b.len += len; // Zeek counts bytes lost in the body in body_length
        if (b.decoder) b.decoder.gap();
        else if (b.multipart) b.multipart.gap(len);
        else if (len > 0) this.openFile(b).gap(len);
      },
      trailers: (headers: HttpHeader[]): void => {
        const b = isOrig ? this.origBody : this.respBody;
        if (!b) return;
        if (isOrig) b.tx.requestTrailers = headers; else b.tx.responseTrailers = headers;
      },
      done: (_complete: boolean): void => {
        const b = isOrig ? this.origBody : this.respBody;
        if (!b) return;
        if (isOrig) this.origBody = undefined; else this.respBody = undefined;
        b.decoder?.end();
        b.multipart?.end();
        b.file?.end();
        if (b.copy && b.copy.length > 0) this.inspectBody(b, b.copy.bytes());
        const tx = b.tx;
        if (isOrig) tx.requestBodyLen = b.len;
        else {
          tx.responseBodyLen = b.len;
          // main.zeek http_message_done: the reply is done, log (unless it was a 1xx).
          if (!(tx.statusCode !== undefined && tx.statusCode >= 100 && tx.statusCode <= 199)) {
            this.write(tx);
            this.pending.delete(this.curResp);
          }
        }
        void parser;
      },
      weird: (name: string, addl?: string): void => this.ctx.weird(name, addl),
      garbage: (line: string): void => {
        if (!this.confirmed) {
          this.ctx.violation(isOrig ? 'not an HTTP request line' : 'not an HTTP status line');
          this.orig.stop();
          this.resp.stop();
          return;
        }
        this.ctx.weird(isOrig ? 'bad_HTTP_request' : 'bad_HTTP_reply', line.slice(0, 64));
      },
    };
  }

  /** RFC 9112 §6.3, in order. */
  private framing(isOrig: boolean, tx: HttpTransaction, headers: HttpHeader[]): BodyFraming {
    const cl = contentLength(header(headers, 'CONTENT-LENGTH'));
    if (cl === -1) this.ctx.weird('HTTP_bad_content_length');
    const chunked = isChunked(header(headers, 'TRANSFER-ENCODING'));
    if (isOrig) {
      if (chunked) return { kind: 'chunked' };
      return cl !== undefined && cl > 0 ? { kind: 'length', length: cl } : { kind: 'none' };
    }
    const code = tx.statusCode!;
    if (tx.method === 'CONNECT' && code >= 200 && code <= 299) return { kind: 'tunnel' };
    if (code === 101) return { kind: 'tunnel' };
    if (tx.method === 'HEAD' || (code >= 100 && code <= 199) || code === 204 || code === 304) return { kind: 'none' };
    if (chunked) return { kind: 'chunked' };
    if (cl !== undefined && cl >= 0) return cl === 0 ? { kind: 'none' } : { kind: 'length', length: cl };
    return { kind: 'eof' };
  }

  private prepareBody(b: Body, headers: HttpHeader[], framing: BodyFraming): void {
    const ctype = header(headers, 'CONTENT-TYPE');
    b.filename = entityFilename(headers);
    b.mimeHint = ctype;
    const boundary = multipartBoundary(ctype);
    if (boundary !== undefined) b.multipart = new MultipartParser(boundary, 1, this.partEvents(b));
    const enc = encodingOf(header(headers, 'CONTENT-ENCODING'));
    if (enc === 'unsupported') this.ctx.weird('HTTP_unsupported_content_encoding', header(headers, 'CONTENT-ENCODING'));
    if (enc === 'gzip' || enc === 'deflate' || enc === 'br') {
      b.decoder = new BodyDecoder(enc, (buf, off, len) => this.content(b, buf, off, len), (n, a) => this.ctx.weird(n, a));
    } else if (framing.kind === 'length') {
      b.total = framing.length; // the file is the body itself only without a content coding
    }
  }

  /** Decoded body bytes: counted, and given to the body's file (or split into its parts). */
  private content(b: Body, buf: Buffer, off: number, len: number): void {
    if (len <= 0) return;
    b.len += len;
    b.copy?.push(buf, off, len);
    if (b.multipart) b.multipart.data(buf, off, len);
    else this.openFile(b).data(buf, off, len);
  }

  /** Each part of a multipart body is an entity of its own (nested multiparts followed, bounded). */
  private partEvents(b: Body) {
    const events = {
      weird: (name: string, addl?: string) => this.ctx.weird(name, addl),
      part: (headers: HttpHeader[], depth: number): PartSink => {
        const nested = multipartBoundary(header(headers, 'CONTENT-TYPE'));
        if (nested !== undefined) {
          if (depth < LIMITS.httpMaxMimeDepth) return new MultipartParser(nested, depth + 1, events);
          this.ctx.weird('MIME_depth_limit');
        }
        const e: Entity = { tx: b.tx, isOrig: b.isOrig, file: undefined, filename: entityFilename(headers), mimeHint: header(headers, 'CONTENT-TYPE'), total: undefined };
        return {
          data: (buf, off, len) => { if (len > 0) this.openFile(e).data(buf, off, len); },
          gap: (len) => { if (len > 0) this.openFile(e).gap(len); },
          end: () => e.file?.end(),
        };
      },
    };
    return events;
  }

  /** Detection: the unit of one side's headers; a body copy is kept when a body follows. */
  private inspectHeaders(b: Body, headers: HttpHeader[], framing: BodyFraming): void {
    const tx = b.tx;
    if (b.isOrig) {
      tx.requestBuffers = requestBuffers(tx, this.orig.rawHeaders);
      this.ctx.inspect(unit(true, tx, tx.requestBuffers));
    } else {
      tx.responseBuffers = responseBuffers(tx, headers, this.resp.rawHeaders);
      this.ctx.inspect(unit(false, tx, { ...tx.requestBuffers, ...tx.responseBuffers }, { stat_code: tx.statusCode }));
    }
    if (framing.kind === 'length' || framing.kind === 'chunked' || framing.kind === 'eof') b.copy = new BodyCopy();
  }

  /** Detection: the body unit (request_body; or response_body, which is file.data for HTTP). */
  private inspectBody(b: Body, body: Buffer): void {
    const tx = b.tx;
    if (b.isOrig) this.ctx.inspect(unit(true, tx, { ...tx.requestBuffers, 'http.request_body': body }));
    else this.ctx.inspect(unit(false, tx, { ...tx.requestBuffers, ...tx.responseBuffers, 'http.response_body': body, 'file.data': body }, { stat_code: tx.statusCode }));
  }

  private openFile(b: Entity): FileHandle {
    if (b.file) return b.file;
    // Suricata names an HTTP file without Content-Disposition after the request path (file.name).
    const detectName = b.tx.uriRaw !== undefined && this.ctx.inspecting('file') ? uriPath(b.tx.uriRaw) : undefined;
    const f = this.ctx.files.begin({ source: 'HTTP', isOrig: b.isOrig, filename: b.filename === undefined ? undefined : logText(b.filename), mimeHint: b.mimeHint, totalBytes: b.total, depth: b.tx.transDepth, detectName });
    b.file = f;
    (b.isOrig ? b.tx.origFiles : b.tx.respFiles).push(f);
    return f;
  }

  private write(tx: HttpTransaction): void {
    this.opts.onTransaction?.(tx, this.ctx);
    const files = (list: FileHandle[]) => {
      const shown = list.slice(0, LIMITS.httpMaxFilesPerSide);
      if (shown.length === 0) return { fuids: undefined, names: undefined, mimes: undefined };
      const names = shown.filter((f) => f.filename !== undefined).map((f) => f.filename!);
      const mimes = shown.filter((f) => f.mimeType !== undefined).map((f) => f.mimeType!);
      return { fuids: shown.map((f) => f.fuid), names: names.length ? names : undefined, mimes: mimes.length ? mimes : undefined };
    };
    const o = files(tx.origFiles), r = files(tx.respFiles);
    const text = (s: string | undefined) => (s === undefined ? undefined : logText(s));
    this.ctx.log(HTTP_LOG, {
      ts: tx.ts,
      ...this.ctx.connFields(),
      trans_depth: tx.transDepth,
      method: tx.method,
      host: text(tx.host),
      uri: text(tx.uri),
      referrer: text(tx.referrer),
      version: tx.version,
      user_agent: text(tx.userAgent),
      origin: text(tx.origin),
      request_body_len: tx.requestBodyLen,
      response_body_len: tx.responseBodyLen,
      status_code: tx.statusCode,
      status_msg: text(tx.statusMsg),
      info_code: tx.infoCode,
      info_msg: text(tx.infoMsg),
      tags: [],
      username: text(tx.username),
      password: text(tx.password),
      proxied: tx.proxied?.map(logText),
      orig_fuids: o.fuids, orig_filenames: o.names, orig_mime_types: o.mimes,
      resp_fuids: r.fuids, resp_filenames: r.names, resp_mime_types: r.mimes,
    });
  }
}
