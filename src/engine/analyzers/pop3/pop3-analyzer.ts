/**
 * POP3 (RFC 1939) with CAPA/pipelining (RFC 2449), AUTH (RFC 5034) and STLS (RFC 2595):
 * commands paired with "+OK"/"-ERR" responses in order, multi-line responses read to their
 * "." line (dot-unstuffed), messages retrieved by RETR/TOP streamed as MIME into files.log.
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { latin1Text, wireText } from '../../support/wire-text.js';
import { LineReader } from '../smtp/line-reader.js';
import { decodeBase64 } from '../smtp/mail-text.js';
import { messageToFiles } from '../smtp/mail-files.js';
import type { MimeParser } from '../smtp/mime.js';
import { POP3_LOG } from './pop3-log.js';

export interface Pop3Options {
  /** Log passwords (PASS, AUTH PLAIN); off by default. */
  showCredentials: boolean;
}

interface Cmd { ts: number; command: string; arg: string; fuids: string[] }

/** Commands whose +OK response is multi-line (RFC 1939 §5, RFC 2449 §5). */
function multiLine(c: Cmd): boolean {
  switch (c.command) {
    case 'RETR': case 'TOP': case 'CAPA': return true;
    case 'LIST': case 'UIDL': case 'AUTH': return c.arg === '';
    default: return false;
  }
}

export class Pop3Analyzer implements StreamAnalyzer {
  private readonly orig: LineReader;
  private readonly resp: LineReader;
  private readonly pending: Cmd[] = [];
  private inMulti = false;
  private multiStart = true;
  private mime: MimeParser | undefined;
  private auth: string | undefined;
  private username: string | undefined;
  private password: string | undefined;
  private confirmed = false;
  private off = false;

  constructor(private readonly ctx: AnalyzerContext, private readonly opts: Pop3Options) {
    this.orig = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.request(b, s, e, c));
    this.resp = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.response(b, s, e, c));
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (!this.off) (isOrig ? this.orig : this.resp).data(buf, off, len);
  }

  gap(isOrig: boolean, len: number): void {
    if (this.off) return;
    if (isOrig) { this.orig.gap(); return; }
    this.resp.gap();
    if (this.inMulti) { this.mime?.gap(len); this.multiStart = false; }
  }

  eof(isOrig: boolean): void {
    if (!this.off) (isOrig ? this.orig : this.resp).flush();
  }

  done(): void {
    if (this.off) return;
    this.off = true;
    this.endBody();
    for (const c of this.pending) this.write(c, undefined, undefined);
    this.pending.length = 0;
  }

  private request(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (!complete && !this.orig.atLineStart) return;
    if (this.auth !== undefined) { this.saslLine(latin1Text(buf, start, end)); return; }
    let sp = start;
    while (sp < end && buf[sp] !== 0x20) sp++;
    const command = latin1Text(buf, start, sp).toUpperCase();
    if (!/^[A-Z]{3,4}$/.test(command)) {
      if (!this.confirmed) { this.violation('not a POP3 command'); return; }
      this.ctx.weird('pop3_bad_command', wireText(buf, start, Math.min(end, start + 64)));
      return;
    }
    const a = sp < end ? sp + 1 : sp;
    const raw = latin1Text(buf, a, end);
    let arg = wireText(buf, a, end);
    if (command === 'USER') this.username = arg;
    else if (command === 'APOP') this.username = wireText(Buffer.from(raw.split(' ')[0], 'latin1'));
    else if (command === 'PASS') {
      this.password = arg;
      if (!this.opts.showCredentials) arg = '<hidden>';
    } else if (command === 'AUTH' && raw.length > 0) {
      const [mech, initial] = raw.split(' ');
      this.auth = mech.toUpperCase();
      if (initial !== undefined) { this.saslLine(initial); arg = wireText(Buffer.from(mech, 'latin1')); }
    }
    if (this.pending.length >= LIMITS.mailboxMaxPendingCommands) {
      this.ctx.weird('pop3_excessive_pending_cmds');
      this.write(this.pending.shift()!, undefined, undefined);
    }
    this.pending.push({ ts: this.ctx.now(), command, arg, fuids: [] });
  }

  /** A SASL response line (RFC 5034 §4): AUTH PLAIN gives user and password. */
  private saslLine(line: string): void {
    if (this.auth !== 'PLAIN') return;
    const raw = decodeBase64(line);
    if (!raw) return;
    const a = raw.indexOf(0), b = a < 0 ? -1 : raw.indexOf(0, a + 1);
    if (b < 0) return;
    this.username = wireText(raw, a + 1, b);
    this.password = wireText(raw, b + 1, raw.length);
  }

  private response(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (this.inMulti) { this.bodyLine(buf, start, end, complete); return; }
    if (!complete && !this.resp.atLineStart) return;
    const ok = startsWith(buf, start, end, '+OK'), err = startsWith(buf, start, end, '-ERR');
    if (!ok && !err) {
      if (startsWith(buf, start, end, '+') && this.auth !== undefined) return; // SASL challenge
      if (!this.confirmed) { this.violation('not a POP3 response'); return; }
      this.ctx.weird('pop3_bad_response', wireText(buf, start, Math.min(end, start + 64)));
      return;
    }
    if (!this.confirmed && ok) { this.confirmed = true; this.ctx.confirm(); }
    let m = start + (ok ? 3 : 4);
    if (m < end && buf[m] === 0x20) m++;
    const msg = wireText(buf, m, end);
    const cmd = this.pending[0];
    if (cmd === undefined) return; // the greeting, or a response nobody asked for
    if (cmd.command === 'AUTH') this.auth = undefined;
    if (ok && multiLine(cmd)) {
      this.inMulti = true;
      this.multiStart = true;
      this.multiStatus = msg;
      if (cmd.command === 'RETR' || cmd.command === 'TOP') this.mime = messageToFiles(this.ctx, 'POP3', false, (f) => { if (cmd.fuids.length < LIMITS.mailMaxFuidsPerRecord) cmd.fuids.push(f); });
      return;
    }
    this.pending.shift();
    this.write(cmd, ok ? 'OK' : 'ERR', msg);
    if (ok && cmd.command === 'STLS') {
      this.off = true;
      this.orig.stopped = this.resp.stopped = true;
      for (const c of this.pending) this.write(c, undefined, undefined);
      this.pending.length = 0;
      this.ctx.upgrade('ssl');
    }
  }

  private multiStatus = '';

  private bodyLine(buf: Buffer, start: number, end: number, complete: boolean): void {
    const atStart = this.multiStart;
    this.multiStart = complete;
    if (atStart && end > start && buf[start] === 0x2e) {
      if (complete && end - start === 1) {
        this.endBody();
        const cmd = this.pending.shift();
        if (cmd) this.write(cmd, 'OK', this.multiStatus);
        return;
      }
      start++; // byte-stuffed (RFC 1939 §3)
    }
    this.mime?.line(buf, start, end, complete);
  }

  private endBody(): void {
    this.inMulti = false;
    this.mime?.end();
    this.mime = undefined;
  }

  private violation(reason: string): void {
    this.ctx.violation(reason);
    this.off = true;
  }

  private write(c: Cmd, status: string | undefined, msg: string | undefined): void {
    this.ctx.log(POP3_LOG, {
      ts: c.ts, ...this.ctx.connFields(), command: c.command, arg: c.arg === '' ? undefined : c.arg, status, msg: msg === '' ? undefined : msg,
      username: this.username, password: this.opts.showCredentials ? this.password : undefined,
      fuids: c.fuids.length > 0 ? c.fuids : undefined,
    });
  }
}

function startsWith(buf: Buffer, start: number, end: number, s: string): boolean {
  if (end - start < s.length) return false;
  for (let i = 0; i < s.length; i++) if ((buf[start + i] | (s.charCodeAt(i) >= 0x41 ? 0x20 : 0)) !== (s.charCodeAt(i) | (s.charCodeAt(i) >= 0x41 ? 0x20 : 0))) return false;
  return true;
}
