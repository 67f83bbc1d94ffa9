/**
 * SMTP (RFC 5321) as Zeek's SMTP analyzer and base/protocols/smtp scripts see it: client
 * commands and server replies paired through a queue (RFC 2920 pipelining), the message after
 * DATA up to CRLF.CRLF dot-unstuffed (§4.5.2) and parsed as MIME (mime.ts) into files, BDAT
 * chunks (RFC 3030) likewise, AUTH (RFC 4954) followed to its end, and STARTTLS (RFC 3207)
 * handing the stream to the TLS analyzer after the server's 220.
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { FileHandle } from '../files/index.js';
import { LIMITS } from '../../support/limits.js';
import { latin1Text, wireText } from '../../support/wire-text.js';
import { LineReader } from './line-reader.js';
import { MimeParser, type ContentSink, type MimeHeader } from './mime.js';
import { decodeBase64, extractEmailAddrs, firstEmailAddr } from './mail-text.js';
import { addBounded, applyHeaders, logText, smtpRecord, type SmtpInfo } from './smtp-info.js';
import { entityFilename } from './mail-files.js';
import { SMTP_LOG } from './smtp-log.js';
import { SmtpEnvelope } from './inspection.js';

export interface SmtpOptions {
  /** Log AUTH PLAIN/LOGIN passwords (off by default: they are credentials). */
  showCredentials: boolean;
}

const enum Mode { Command, Data, Auth, Bdat, Off }

export class SmtpAnalyzer implements StreamAnalyzer {
  private readonly orig: LineReader;
  private readonly resp: LineReader;
  private mode = Mode.Command;
  private readonly pending: string[] = [];
  private greeted = false;
  private confirmed = false;
  private info: SmtpInfo | undefined;
  private helo: string | undefined;
  private messagesTransferred = 0;
  /** Entities begun in the session (Zeek's smtp_state$mime_depth): files.log depth. */
  private mimeDepth = 0;
  private mime: MimeParser | undefined;
  private dataSeen = false;
  private dataLineStart = true;
  private bdatReader: LineReader | undefined;
  private bdatLast = false;
  /** AUTH LOGIN: what the next client line holds. */
  private authExpect: 'username' | 'password' | undefined;
  private finished = false;
  /** Envelope units for the detection engine; undefined when it does not inspect SMTP. */
  private readonly envelope: SmtpEnvelope | undefined;

  constructor(private readonly ctx: AnalyzerContext, private readonly opts: SmtpOptions) {
    this.envelope = ctx.inspecting('smtp') ? new SmtpEnvelope(ctx) : undefined;
    this.orig = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.origLine(b, s, e, c));
    this.resp = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.respLine(b, s, e, c));
    this.orig.onRaw = (b, o, n) => this.bdatData(b, o, n);
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.mode === Mode.Off) return;
    (isOrig ? this.orig : this.resp).data(buf, off, len);
  }

  gap(isOrig: boolean, len: number): void {
    if (this.mode === Mode.Off) return;
    if (isOrig) {
      if (this.mode === Mode.Data) this.mime?.gap(len);
      if (this.mode === Mode.Bdat) {
        this.mime?.gap(len);
        this.orig.rawBytes = Math.max(0, this.orig.rawBytes - len);
        this.bdatReader?.gap();
        if (this.orig.rawBytes === 0) this.endBdatChunk();
        return;
      }
      this.orig.gap();
      this.dataLineStart = true; // the reader resumes at the next line
    } else {
      this.resp.gap();
    }
  }

  eof(isOrig: boolean): void {
    if (this.mode === Mode.Off) return;
    (isOrig ? this.orig : this.resp).flush();
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.orig.stopped = this.resp.stopped = true;
    this.envelope?.flush();
    if (this.mime) {
      this.mime.end();
      this.mime = undefined;
    }
    if (this.info && (this.info.hasClientActivity || this.info.auth_mechanism !== undefined)) this.write();
    this.info = undefined;
    this.mode = Mode.Off;
  }

  // --- client side -----------------------------------------------------------------------

  private origLine(buf: Buffer, start: number, end: number, complete: boolean): void {
    switch (this.mode) {
      case Mode.Data: return this.dataLine(buf, start, end, complete);
      case Mode.Auth: if (complete) this.authLine(latin1Text(buf, start, end)); return;
      case Mode.Bdat: return; // lines only between chunks
      default: break;
    }
    if (!complete) {
      // Overlong command: the first piece is taken as the command, the rest ignored.
      if (this.orig.atLineStart) this.ctx.weird('smtp_line_too_long');
      else return;
    }
    let sp = start;
    while (sp < end && buf[sp] !== 0x20) sp++;
    const verb = latin1Text(buf, start, sp).toUpperCase();
    let a = sp;
    while (a < end && buf[a] === 0x20) a++;
    const arg = latin1Text(buf, a, end);
    if (!/^[A-Z][A-Z0-9-]{0,19}$/.test(verb)) {
      if (!this.confirmed) { this.ctx.violation('not an SMTP command'); return; }
      this.ctx.weird('smtp_bad_command', logText(latin1Text(buf, start, Math.min(end, start + 64))));
      return;
    }
    this.command(verb, arg);
  }

  private command(verb: string, arg: string): void {
    const info = this.session();
    if (this.pending.length >= LIMITS.smtpMaxPendingCommands) {
      this.ctx.weird('smtp_excessive_pending_cmds');
      this.pending.shift();
    }
    this.pending.push(verb);
    this.envelope?.command(verb, arg);
    switch (verb) {
      case 'HELO': case 'EHLO':
        this.helo = info.helo = logText(arg);
        break;
      case 'MAIL':
        if (!/^from:/i.test(arg)) break;
        this.flushMessage();
        {
          const cur = this.session();
          const from = firstEmailAddr(arg);
          if (from !== undefined) cur.mailfrom = logText(from);
          cur.hasClientActivity = true;
        }
        break;
      case 'RCPT':
        if (!/^to:/i.test(arg)) break;
        for (const r of extractEmailAddrs(arg)) info.rcptto = addBounded(info.rcptto, logText(r.replace(/ORCPT=rfc822;?/g, '')));
        info.hasClientActivity = true;
        break;
      case 'DATA':
        this.mode = Mode.Data; // the client waits for 354; a refusal switches back (reply())
        this.dataSeen = false;
        this.dataLineStart = true;
        this.mime = this.newMime();
        break;
      case 'BDAT': {
        const m = /^(\d{1,12})(\s+LAST)?\s*$/i.exec(arg);
        if (!m) { this.ctx.weird('smtp_bad_bdat'); break; }
        this.mime ??= this.newMime();
        this.bdatReader ??= new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.mime?.line(b, s, e, c));
        this.bdatLast = m[2] !== undefined;
        this.orig.rawBytes = Number(m[1]);
        this.mode = Mode.Bdat;
        if (this.orig.rawBytes === 0) this.endBdatChunk();
        break;
      }
      case 'AUTH': {
        const sp = arg.indexOf(' ');
        const mech = (sp < 0 ? arg : arg.slice(0, sp)).toUpperCase();
        info.auth_mechanism = logText(mech);
        this.mode = Mode.Auth;
        this.authExpect = mech === 'LOGIN' ? 'username' : undefined;
        if (sp >= 0) this.authLine(arg.slice(sp + 1)); // initial response (RFC 4954 §4)
        break;
      }
      default:
        break;
    }
  }

  private newMime(): MimeParser {
    return new MimeParser({
      beginEntity: () => { this.mimeDepth++; },
      headers: (_level, hs) => applyHeaders(this.session(), hs),
      openContent: (_level, hs) => this.openFile(hs),
      weird: (n, a) => this.ctx.weird(n, a),
    });
  }

  private dataLine(buf: Buffer, start: number, end: number, complete: boolean): void {
    this.dataSeen = true;
    const lineStart = this.dataLineStart;
    this.dataLineStart = complete;
    if (lineStart && buf[start] === 0x2e) {
      if (complete && end - start === 1) {
        // CRLF.CRLF: end of the message (RFC 5321 §4.1.1.4)
        this.mime?.end();
        this.mime = undefined;
        this.mode = Mode.Command;
        this.pending.push('.');
        return;
      }
      start++; // dot-stuffing (§4.5.2)
    }
    this.mime?.line(buf, start, end, complete);
  }

  private bdatData(buf: Buffer, off: number, len: number): void {
    this.bdatReader?.data(buf, off, len);
    if (this.orig.rawBytes === 0) this.endBdatChunk();
  }

  private endBdatChunk(): void {
    this.mode = Mode.Command;
    if (this.bdatLast) {
      this.bdatReader?.flush();
      this.mime?.end();
      this.mime = undefined;
      this.bdatReader = undefined;
      this.bdatLast = false;
      // The reply to BDAT LAST ends the message, as "." does after DATA.
      const i = this.pending.lastIndexOf('BDAT');
      if (i >= 0) this.pending[i] = '.';
    }
  }

  /** A SASL response line (RFC 4954 §4): base64, or "*" to cancel. */
  private authLine(line: string): void {
    const info = this.session();
    const mech = info.auth_mechanism;
    if (line.trim() === '*') return;
    const raw = decodeBase64(line);
    if (!raw) return;
    if (mech === 'PLAIN') {
      // authzid NUL authcid NUL passwd (RFC 4616 §2)
      const a = raw.indexOf(0), b = a < 0 ? -1 : raw.indexOf(0, a + 1);
      if (b < 0) { this.ctx.weird('smtp_bad_auth_plain'); return; }
      info.username = wireText(raw, a + 1, b);
      if (this.opts.showCredentials) info.password = wireText(raw, b + 1, raw.length);
    } else if (mech === 'LOGIN') {
      if (this.authExpect === 'username') {
        info.username = wireText(raw);
        this.authExpect = 'password';
      } else if (this.authExpect === 'password') {
        if (this.opts.showCredentials) info.password = wireText(raw);
        this.authExpect = undefined;
      }
    }
  }

  // --- server side -----------------------------------------------------------------------

  private respLine(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (!complete && !this.resp.atLineStart) return; // rest of an overlong reply
    const len = end - start;
    const d = (i: number): boolean => buf[start + i] >= 0x30 && buf[start + i] <= 0x39;
    if (len < 3 || !d(0) || !d(1) || !d(2) || (len > 3 && buf[start + 3] !== 0x20 && buf[start + 3] !== 0x2d)) {
      if (!this.confirmed) { this.ctx.violation('not an SMTP reply'); return; }
      this.ctx.weird('smtp_bad_reply', logText(latin1Text(buf, start, Math.min(end, start + 64))));
      return;
    }
    const code = (buf[start] - 0x30) * 100 + (buf[start + 1] - 0x30) * 10 + (buf[start + 2] - 0x30);
    const info = this.session();
    info.last_reply = `${code} ${len > 4 ? wireText(buf, start + 4, end) : ''}`;
    if (len > 3 && buf[start + 3] === 0x2d) return; // continuation line (§4.2.1)
    this.reply(code, buf, start + 4, end);
  }

  private reply(code: number, buf: Buffer, msgStart: number, msgEnd: number): void {
    const cmd = this.pending.shift();
    if (cmd === undefined) {
      if (!this.greeted) {
        this.greeted = true;
        if (code === 220 || code === 554 || code === 421) this.confirm();
        return;
      }
      this.ctx.weird('smtp_unmatched_reply', String(code));
      return;
    }
    this.greeted = true;
    this.confirm();
    switch (cmd) {
      case '.': {
        this.messagesTransferred++;
        this.flushMessage();
        this.info = this.newInfo();
        break;
      }
      case 'DATA':
        if (code !== 354 && this.mode === Mode.Data && !this.dataSeen) {
          this.mode = Mode.Command;
          this.mime = undefined;
        }
        break;
      case 'AUTH':
        if (code === 334) {
          this.pending.unshift(cmd); // the exchange goes on
          const ch = decodeBase64(latin1Text(buf, Math.min(msgStart, msgEnd), msgEnd));
          if (ch && this.info?.auth_mechanism === 'LOGIN') {
            const t = ch.toString('latin1').toLowerCase();
            if (t.startsWith('user')) this.authExpect = 'username';
            else if (t.startsWith('pass')) this.authExpect = 'password';
          }
          break;
        }
        if (this.mode === Mode.Auth) this.mode = Mode.Command;
        this.session().auth_success = code === 235;
        break;
      case 'STARTTLS':
        if (code === 220) {
          const info = this.session();
          info.tls = true;
          info.hasClientActivity = true;
          // The rest of the stream is TLS (RFC 3207 §4); done() logs this session.
          this.orig.stopped = this.resp.stopped = true;
          if (!this.ctx.upgrade('ssl')) this.done();
          this.mode = Mode.Off;
        }
        break;
      default:
        break;
    }
  }

  private confirm(): void {
    if (this.confirmed) return;
    this.confirmed = true;
    this.ctx.confirm();
  }

  // --- the message -----------------------------------------------------------------------

  private openFile(hs: readonly MimeHeader[]): ContentSink {
    const filename = entityFilename(hs);
    const ct = hs.find((h) => h.name === 'CONTENT-TYPE')?.value;
    const f: FileHandle = this.ctx.files.begin({
      source: 'SMTP', isOrig: true, depth: this.mimeDepth,
      filename,
      mimeHint: ct === undefined ? undefined : logText(ct.split(';')[0].trim().toLowerCase()),
    });
    const info = this.session();
    if (!info.tls && info.fuids.length < LIMITS.mimeMaxEntities) info.fuids.push(f.fuid);
    return f;
  }

  // --- records ---------------------------------------------------------------------------

  /** Zeek's set_smtp_session: the record being filled, created at the first event. */
  private session(): SmtpInfo {
    this.info ??= this.newInfo();
    return this.info;
  }

  private newInfo(): SmtpInfo {
    const c = this.ctx.conn;
    return {
      ts: this.ctx.now(), trans_depth: this.messagesTransferred + 1, helo: this.helo,
      path: [c.respH, c.origH], tls: false, fuids: [], hasClientActivity: false,
    };
  }

  /** Zeek's smtp_message: log the record if the client did something, start a new one. */
  private flushMessage(): void {
    if (this.info?.hasClientActivity) {
      this.write();
      this.info = this.newInfo();
    }
  }

  private write(): void {
    this.ctx.log(SMTP_LOG, smtpRecord(this.info!, this.ctx.connFields()));
  }
}
