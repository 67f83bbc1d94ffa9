/**
 * IMAP4 (RFC 9051, RFC 3501) command log: tagged commands paired with their tagged completion
 * responses, literals ("{n}" / "{n+}", RFC 9051 §4.3) skipped by count in both directions,
 * AUTHENTICATE exchanges (and SASL-IR) followed, STARTTLS handing the stream to ssl, and whole
 * messages fetched (RFC822 / BODY[] literals) streamed as MIME into files.log.
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { latin1Text, wireText } from '../../support/wire-text.js';
import { LineReader } from '../smtp/line-reader.js';
import { decodeBase64 } from '../smtp/mail-text.js';
import { messageToFiles } from '../smtp/mail-files.js';
import type { MimeParser } from '../smtp/mime.js';
import type { LogRecord } from '../../logs/schema.js';
import { IMAP_LOG } from './imap-log.js';

export interface ImapOptions {
  /** Log passwords (LOGIN, AUTHENTICATE PLAIN); off by default. */
  showCredentials: boolean;
}

interface Cmd { ts: number; tag: string; command: string; arg: string; fuids: string[] }

/** "{123}" or "{123+}" at the end of a line: the literal's size. */
function literalAt(buf: Buffer, start: number, end: number): number {
  if (end - start < 3 || buf[end - 1] !== 0x7d) return -1;
  let i = end - 2;
  if (buf[i] === 0x2b) i--;
  let n = 0, digits = 0;
  for (; i > start && buf[i] >= 0x30 && buf[i] <= 0x39; i--) digits++;
  if (digits === 0 || digits > 12 || buf[i] !== 0x7b) return -1;
  for (let k = i + 1; k <= i + digits; k++) n = n * 10 + (buf[k] - 0x30);
  return n;
}

/** Astrings of a LOGIN argument: atoms or quoted strings (RFC 9051 §4.3). */
function astrings(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length && out.length < 2) {
    while (s[i] === ' ') i++;
    if (i >= s.length) break;
    if (s[i] === '"') {
      let v = '';
      i++;
      while (i < s.length && s[i] !== '"') { if (s[i] === '\\' && i + 1 < s.length) i++; v += s[i++]; }
      i++;
      out.push(v);
    } else {
      const j = s.indexOf(' ', i);
      out.push(s.slice(i, j < 0 ? s.length : j));
      i = j < 0 ? s.length : j;
    }
  }
  return out;
}

const TAG = /^[\x21-\x7e]+$/;

export class ImapAnalyzer implements StreamAnalyzer {
  private readonly orig: LineReader;
  private readonly resp: LineReader;
  private readonly pending = new Map<string, Cmd>();
  /** The next line of this side continues a line cut by a literal. */
  private origCont = false;
  private respCont = false;
  private auth: { cmd: Cmd; mech: string } | undefined;
  private mime: MimeParser | undefined;
  private mimeLines: LineReader | undefined;
  private username: string | undefined;
  private password: string | undefined;
  private confirmed = false;
  private off = false;
  /** The connection's log fields, the same for every record. */
  private conn: LogRecord | undefined;

  constructor(private readonly ctx: AnalyzerContext, private readonly opts: ImapOptions) {
    this.orig = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.request(b, s, e, c));
    this.resp = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.response(b, s, e, c));
    this.resp.onRaw = (b, o, n) => {
      this.mimeLines?.data(b, o, n);
      if (this.resp.rawBytes === 0) this.endMessage();
    };
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (!this.off) (isOrig ? this.orig : this.resp).data(buf, off, len);
  }

  gap(isOrig: boolean, len: number): void {
    if (this.off) return;
    const r = isOrig ? this.orig : this.resp;
    if (r.rawBytes > 0) {
      const k = Math.min(r.rawBytes, len);
      r.rawBytes -= k;
      if (!isOrig) {
        this.mime?.gap(k);
        this.mimeLines?.gap();
        if (r.rawBytes === 0) this.endMessage();
      }
      if (k === len) return;
    }
    r.gap();
    if (isOrig) this.origCont = false; else this.respCont = false;
  }

  eof(isOrig: boolean): void {
    if (!this.off) (isOrig ? this.orig : this.resp).flush();
  }

  done(): void {
    if (this.off) return;
    this.off = true;
    this.endMessage();
    for (const c of this.pending.values()) this.write(c, undefined, undefined);
    this.pending.clear();
  }

  private request(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (!complete && !this.orig.atLineStart) return;
    const lit = complete ? literalAt(buf, start, end) : -1;
    const cont = this.origCont;
    this.origCont = lit >= 0;
    if (lit >= 0) this.orig.rawBytes = lit;
    if (cont) return; // the rest of a command after a literal
    if (this.auth) { this.saslLine(latin1Text(buf, start, end)); return; }
    const lineEnd = lit >= 0 ? end - String(lit).length - 2 - (buf[end - 2] === 0x2b ? 1 : 0) : end;
    const line = latin1Text(buf, start, lineEnd);
    // Ends IDLE (RFC 2177). Only a 4-character line can upper-case to it: most lines are not
    // upper-cased at all.
    if (line.length === 4 && line.toUpperCase() === 'DONE') return;
    const m = /^(\S+) ([A-Za-z][A-Za-z0-9.-]*)(?: (.*))?$/.exec(line);
    if (!m || !TAG.test(m[1])) {
      if (!this.confirmed) { this.violation('not an IMAP command'); return; }
      this.ctx.weird('imap_bad_command', wireText(buf, start, Math.min(end, start + 64)));
      return;
    }
    let command = m[2].toUpperCase();
    let rest = m[3] ?? '';
    if (command === 'UID') {
      const sp = rest.indexOf(' ');
      command += ' ' + (sp < 0 ? rest : rest.slice(0, sp)).toUpperCase();
      rest = sp < 0 ? '' : rest.slice(sp + 1);
    }
    // `line` is buf[start, lineEnd) one latin1 char per byte, so the tag (its start) and `rest`
    // (always its end) are logged straight from the bytes, with no string → Buffer round trip.
    const cmd: Cmd = { ts: this.ctx.now(), tag: wireText(buf, start, start + m[1].length), command, arg: '', fuids: [] };
    if (command === 'LOGIN') {
      const [user, pass] = astrings(rest);
      if (user !== undefined) this.username = cmd.arg = wireText(Buffer.from(user, 'latin1'));
      if (pass !== undefined) this.password = wireText(Buffer.from(pass, 'latin1'));
    } else if (command === 'AUTHENTICATE') {
      const [mech, initial] = rest.split(' ');
      cmd.arg = wireText(Buffer.from(mech ?? '', 'latin1'));
      this.auth = { cmd, mech: (mech ?? '').toUpperCase() };
      if (initial !== undefined) this.saslLine(initial);
    } else {
      cmd.arg = wireText(buf, lineEnd - rest.length, lineEnd);
    }
    if (this.pending.size >= LIMITS.mailboxMaxPendingCommands) {
      this.ctx.weird('imap_excessive_pending_cmds');
      const [k, oldest] = this.pending.entries().next().value as [string, Cmd];
      this.pending.delete(k);
      this.write(oldest, undefined, undefined);
    }
    const dup = this.pending.get(cmd.tag);
    if (dup) this.write(dup, undefined, undefined);
    this.pending.set(cmd.tag, cmd);
  }

  private saslLine(line: string): void {
    if (this.auth?.mech !== 'PLAIN') return;
    const raw = decodeBase64(line);
    if (!raw) return;
    const a = raw.indexOf(0), b = a < 0 ? -1 : raw.indexOf(0, a + 1);
    if (b < 0) return;
    this.username = wireText(raw, a + 1, b);
    this.password = wireText(raw, b + 1, raw.length);
  }

  private response(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (!complete && !this.resp.atLineStart) return;
    const lit = complete ? literalAt(buf, start, end) : -1;
    const cont = this.respCont;
    this.respCont = lit >= 0;
    if (lit >= 0) {
      this.resp.rawBytes = lit;
      // A whole message (RFC822, BODY[] or BODY[]<n>) becomes files; other literals are skipped.
      const head = latin1Text(buf, start, Math.min(end, start + 512)).toUpperCase();
      if (/(RFC822|BODY\[\](<\d+>)?) \{\d+\+?\}$/.test(head)) this.startMessage();
    }
    if (cont) return;
    const c0 = buf[start];
    if (c0 === 0x2a || c0 === 0x2b) { // "*" untagged, "+" continuation
      if (!this.confirmed && c0 === 0x2a && /^\* (OK|PREAUTH|BYE)\b/i.test(latin1Text(buf, start, Math.min(end, start + 12)))) {
        this.confirmed = true;
        this.ctx.confirm();
      }
      return;
    }
    const line = latin1Text(buf, start, end);
    const m = /^(\S+) (OK|NO|BAD)\b ?(.*)$/i.exec(line);
    if (!m) {
      if (!this.confirmed) { this.violation('not an IMAP response'); return; }
      this.ctx.weird('imap_bad_response', wireText(buf, start, Math.min(end, start + 64)));
      return;
    }
    // The tag starts the line and the text ends it (`.` matches every latin1 char but CR and LF,
    // which would have failed the match): both are logged from the bytes themselves.
    const tag = wireText(buf, start, start + m[1].length);
    const cmd = this.pending.get(tag);
    if (!cmd) { this.ctx.weird('imap_unmatched_response', tag); return; }
    this.pending.delete(tag);
    if (this.auth?.cmd === cmd) this.auth = undefined;
    const status = m[2].toUpperCase();
    this.write(cmd, status, wireText(buf, end - m[3].length, end));
    if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
    if (cmd.command === 'STARTTLS' && status === 'OK') {
      this.off = true;
      this.orig.stopped = this.resp.stopped = true;
      for (const c of this.pending.values()) this.write(c, undefined, undefined);
      this.pending.clear();
      this.ctx.upgrade('ssl');
    }
  }

  private startMessage(): void {
    this.endMessage();
    let owner: Cmd | undefined;
    for (const c of this.pending.values()) if (c.command.endsWith('FETCH')) { owner = c; break; }
    this.mime = messageToFiles(this.ctx, 'IMAP', false, (f) => { if (owner && owner.fuids.length < LIMITS.mailMaxFuidsPerRecord) owner.fuids.push(f); });
    this.mimeLines = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.mime?.line(b, s, e, c));
  }

  private endMessage(): void {
    if (!this.mime) return;
    this.mimeLines?.flush();
    this.mime.end();
    this.mime = undefined;
    this.mimeLines = undefined;
  }

  private violation(reason: string): void {
    this.ctx.violation(reason);
    this.off = true;
  }

  private write(c: Cmd, status: string | undefined, response: string | undefined): void {
    // One literal of one shape per record, the connection's fields read once (a spread of
    // connFields() copied them key by key into every record).
    const f = (this.conn ??= this.ctx.connFields());
    this.ctx.log(IMAP_LOG, {
      ts: c.ts, uid: f.uid, 'id.orig_h': f['id.orig_h'], 'id.orig_p': f['id.orig_p'], 'id.resp_h': f['id.resp_h'], 'id.resp_p': f['id.resp_p'], tag: c.tag, command: c.command, arg: c.arg === '' ? undefined : c.arg,
      status, response: response === '' ? undefined : response, username: this.username,
      password: this.opts.showCredentials ? this.password : undefined, fuids: c.fuids.length > 0 ? c.fuids : undefined,
    });
  }
}
