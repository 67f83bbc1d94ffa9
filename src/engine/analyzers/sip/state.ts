/**
 * Zeek's SIP record keeping (base/protocols/sip/main.zeek), handler by handler: a table of
 * pending records indexed by the request and response counters, sip_request / sip_reply /
 * sip_header / sip_end_entity as the script has them (headers are split by direction, not by
 * message type, as Zeek's events are), a write at the end of every message from the responder,
 * and every pending record written when the connection ends.
 */
import { LIMITS } from '../../support/limits.js';
import type { AnalyzerContext } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import type { SipHead } from './parser.js';
import { SIP_LOG } from './sip-log.js';

/**
 * One pending sip.log record. A class with every field declared, so all records share one object
 * shape: header() sets fields in whatever order the messages bring them, which on a plain object
 * made a new hidden class per order (slow stores, and the log encoder's reads went megamorphic).
 */
class Info {
  method: string | undefined = undefined;
  uri: string | undefined = undefined;
  date: string | undefined = undefined;
  request_from: string | undefined = undefined;
  request_to: string | undefined = undefined;
  response_from: string | undefined = undefined;
  response_to: string | undefined = undefined;
  reply_to: string | undefined = undefined;
  call_id: string | undefined = undefined;
  seq: string | undefined = undefined;
  subject: string | undefined = undefined;
  request_path: string[] = [];
  response_path: string[] = [];
  user_agent: string | undefined = undefined;
  status_code: number | undefined = undefined;
  status_msg: string | undefined = undefined;
  warning: string | undefined = undefined;
  request_body_len: number | undefined = undefined;
  response_body_len: number | undefined = undefined;
  content_type: string | undefined = undefined;
  constructor(readonly ts: number, readonly conn: LogRecord, readonly trans_depth: number) {}

  /** The record as it is now (Zeek writes a snapshot): the paths are copied, later headers may grow them. */
  record(): LogRecord {
    const c = this.conn;
    return {
      ts: this.ts, uid: c.uid, 'id.orig_h': c['id.orig_h'], 'id.orig_p': c['id.orig_p'], 'id.resp_h': c['id.resp_h'], 'id.resp_p': c['id.resp_p'],
      trans_depth: this.trans_depth, method: this.method, uri: this.uri, date: this.date,
      request_from: this.request_from, request_to: this.request_to, response_from: this.response_from, response_to: this.response_to,
      reply_to: this.reply_to, call_id: this.call_id, seq: this.seq, subject: this.subject,
      request_path: this.request_path.slice(), response_path: this.response_path.slice(), user_agent: this.user_agent,
      status_code: this.status_code, status_msg: this.status_msg, warning: this.warning,
      request_body_len: this.request_body_len, response_body_len: this.response_body_len, content_type: this.content_type,
    };
  }
}

/** Zeek's SIP::sip_methods. */
const METHODS = new Set(['REGISTER', 'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'NOTIFY', 'SUBSCRIBE']);

/** split_string1(value, /;[ ]?tag=/)[0] and the same for branch. */
function before(value: string, param: string): string {
  const i = value.indexOf(';' + param), j = value.indexOf('; ' + param);
  const k = i < 0 ? j : j < 0 ? i : Math.min(i, j);
  return k < 0 ? value : value.slice(0, k);
}

export class SipState {
  private pending = new Map<number, Info>();
  private curReq = 0;
  private curResp = 0;
  private sip: Info | undefined;
  /** The connection's log fields, the same for every record. */
  private conn: LogRecord | undefined;

  constructor(private readonly ctx: AnalyzerContext) {}

  /** One message from one side; `ended` when it was complete (Zeek's sip_end_entity). */
  message(isOrig: boolean, m: SipHead, ended: boolean): void {
    if (m.request) this.request(m.method!, m.uri!);
    else this.reply(m.code!, m.reason!);
    const headers = m.headers;
    if (headers.length > 0) {
      // Zeek's sip_header looks the record up for every header, but only the first of a message
      // can move the counter or add a record: after it the record for that index is pending (and
      // nothing below removes it), so the other headers of the message go to the same record.
      const s = this.headerRecord(isOrig);
      for (let i = 0; i < headers.length; i++) {
        const h = headers[i];
        if (isOrig) requestHeader(s, h[0], h[1]);
        else responseHeader(s, h[0], h[1]);
      }
    }
    if (ended) this.endEntity(isOrig);
  }

  /** Connection removal (Zeek's finalize_sip): every pending record. */
  flush(): void {
    for (const info of this.pending.values()) this.write(info);
    this.pending.clear();
  }

  private newSession(): Info {
    return new Info(this.ctx.now(), (this.conn ??= this.ctx.connFields()), this.curReq);
  }

  private setState(isRequest: boolean): Info {
    const idx = isRequest ? this.curReq : this.curResp;
    let info = this.pending.get(idx);
    if (!info) {
      if (this.pending.size >= LIMITS.sipMaxPending) {
        // Zeek's table is unbounded; written early rather than held.
        this.ctx.weird('SIP_pending_quantity');
        const [k, oldest] = this.pending.entries().next().value!;
        this.pending.delete(k);
        this.write(oldest);
      }
      info = this.newSession();
      this.pending.set(idx, info);
    }
    this.sip = info;
    return info;
  }

  private request(method: string, uri: string): void {
    const s = this.setState(true);
    s.method = method;
    s.uri = uri;
    if (!METHODS.has(method)) this.ctx.weird('unknown_SIP_method', method);
  }

  private reply(code: number, reason: string): void {
    const s = this.setState(false);
    // Zeek's `code < 100 && 200 <= code` never holds: the response counter is not advanced here.
    s.status_code = code;
    s.status_msg = reason;
  }

  /** The record the headers of a message from this side go to (sip_header's set_state). */
  private headerRecord(isOrig: boolean): Info {
    if (isOrig) {
      if (!this.pending.has(this.curReq)) ++this.curReq;
    } else if (!this.pending.has(this.curResp)) ++this.curResp;
    return this.setState(isOrig);
  }

  private endEntity(isOrig: boolean): void {
    const s = this.setState(isOrig);
    if (isOrig) return;
    this.write(s);
    const code = s.status_code;
    // Zeek's handler stops with an error on an unset status code (a request from the responder).
    if (code === undefined) return;
    if (code < 100 || code >= 200) this.pending.delete(this.curResp);
    if (s.method === undefined || (s.method === 'BYE' && code >= 200 && code < 300)) {
      for (const [r, info] of this.pending) if (r !== 0) this.write(info);
      this.pending = new Map();
      this.curReq = 0;
      this.curResp = 0;
      this.sip = undefined;
    }
  }

  /** A snapshot: Zeek writes the record as it is at that moment. */
  private write(info: Info): void {
    this.ctx.log(SIP_LOG, info.record());
  }
}

/** A request-side header (sip_header with is_orig): the fields Zeek's script keeps. */
function requestHeader(s: Info, name: string, value: string): void {
  switch (name) {
    case 'CALL-ID': s.call_id = value; break;
    case 'CONTENT-LENGTH': case 'L': s.request_body_len = toCountZeek(value); break;
    case 'CSEQ': s.seq = value; break;
    case 'DATE': s.date = value; break;
    case 'FROM': case 'F': s.request_from = before(value, 'tag='); break;
    case 'REPLY-TO': s.reply_to = value; break;
    case 'SUBJECT': case 'S': s.subject = value; break;
    case 'TO': case 'T': s.request_to = value; break;
    case 'USER-AGENT': s.user_agent = value; break;
    case 'VIA': case 'V': if (s.request_path.length < LIMITS.sipMaxPath) s.request_path.push(before(value, 'branch')); break;
  }
}

/** A response-side header (sip_header from the responder). */
function responseHeader(s: Info, name: string, value: string): void {
  switch (name) {
    case 'CONTENT-LENGTH': case 'L': s.response_body_len = toCountZeek(value); break;
    case 'CONTENT-TYPE': case 'C': s.content_type = value; break;
    case 'WARNING': s.warning = value; break;
    case 'FROM': case 'F': s.response_from = before(value, 'tag='); break;
    case 'TO': case 'T': s.response_to = value; break;
    case 'VIA': case 'V': if (s.response_path.length < LIMITS.sipMaxPath) s.response_path.push(before(value, 'branch')); break;
  }
}

function toCountZeek(v: string): number {
  const t = v.trim();
  return /^[0-9]{1,15}$/.test(t) ? Number(t) : 0;
}
