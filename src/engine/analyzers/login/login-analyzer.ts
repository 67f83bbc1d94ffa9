/**
 * Telnet and rlogin sessions: the shared part (the login dialogue, login.log, the credential),
 * and the two front ends that turn each protocol's bytes into terminal text.
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { wireText } from '../../support/wire-text.js';
import { LoginDialogue, type LoginOutcome } from './login-dialogue.js';
import { LOGIN_LOG } from './login-log.js';
import { OPT_TTYPE, OPT_XDISPLOC, TelnetDecoder } from './telnet-decoder.js';

export interface LoginOptions {
  /** login.log shows the typed password instead of "<hidden>". */
  showCredentials: boolean;
}

abstract class LoginSession implements StreamAnalyzer {
  protected readonly rec: LogRecord;
  protected readonly dialogue: LoginDialogue;
  private finished = false;
  private confirmed = false;

  constructor(protected readonly ctx: AnalyzerContext, private readonly opts: LoginOptions, private readonly method: string, service: string) {
    this.rec = { ts: ctx.now(), ...ctx.connFields(), service, client_bytes: 0, server_bytes: 0 };
    this.dialogue = new LoginDialogue((o) => this.changed(o));
  }

  abstract data(isOrig: boolean, buf: Buffer, off: number, len: number): void;

  gap(): void {
    // Keystrokes are lost: whatever line was being typed can't be trusted; keep what we know.
  }

  eof(): void {}

  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.confirmed) this.ctx.log(LOGIN_LOG, this.rec);
  }

  protected confirm(): void {
    if (this.confirmed) return;
    this.confirmed = true;
    this.ctx.confirm();
  }

  protected text(isOrig: boolean, data: Uint8Array, len: number): void {
    if (isOrig) {
      (this.rec.client_bytes as number) += len;
      this.dialogue.client(data, len);
    } else {
      (this.rec.server_bytes as number) += len;
      this.dialogue.server(data, len);
    }
  }

  private changed(o: LoginOutcome): void {
    if (o.user !== undefined) this.rec.user = o.user;
    if (o.password !== undefined) this.rec.password = this.opts.showCredentials ? o.password : '<hidden>';
    if (o.success !== undefined) this.rec.success = o.success;
    this.ctx.credential({ method: this.method, username: o.user, password: o.password, success: o.success });
  }
}

export class TelnetAnalyzer extends LoginSession {
  private readonly decoders: [TelnetDecoder, TelnetDecoder];

  constructor(ctx: AnalyzerContext, opts: LoginOptions) {
    super(ctx, opts, 'telnet login', 'telnet');
    const side = (isOrig: boolean) => new TelnetDecoder({
      data: (d, n) => this.text(isOrig, d, n),
      sub: (opt, body) => this.sub(opt, body),
    });
    this.decoders = [side(true), side(false)];
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const d = this.decoders[isOrig ? 0 : 1];
    d.feed(buf, off, len);
    if (d.negotiated) this.confirm();
  }

  /** TERMINAL-TYPE IS <type> and X-DISPLAY-LOCATION IS <display> (both: code 0 = IS). */
  private sub(opt: number, body: Uint8Array): void {
    if (body.length < 2 || body[0] !== 0) return;
    const value = wireText(Buffer.from(body.buffer, body.byteOffset + 1, body.length - 1));
    if (opt === OPT_TTYPE) this.rec.terminal ??= value;
    else if (opt === OPT_XDISPLOC) this.rec.display ??= value;
  }
}

/**
 * rlogin (RFC 1282): the client opens with "\0client-user\0server-user\0terminal/speed\0", the
 * server answers "\0"; then it is a terminal session (a password prompt when .rhosts does not
 * let the user in).
 */
export class RloginAnalyzer extends LoginSession {
  private handshake: number[] | undefined = [];

  constructor(ctx: AnalyzerContext, opts: LoginOptions) {
    super(ctx, opts, 'rlogin', 'rlogin');
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (isOrig && this.handshake) {
      let i = off;
      const end = off + len;
      for (; i < end && this.handshake; i++) {
        this.handshake.push(buf[i]);
        if (this.handshake.length > 4 + 3 * 256) { this.handshake = undefined; this.ctx.violation('rlogin handshake too long'); return; }
        if (buf[i] === 0 && this.handshake.filter((b) => b === 0).length === 4) this.handshakeDone();
      }
      if (i < end) this.text(true, buf.subarray(i, end), end - i);
      return;
    }
    if (!isOrig && !this.handshake) this.confirm();
    this.text(isOrig, buf.subarray(off, off + len), len);
  }

  private handshakeDone(): void {
    const b = Buffer.from(this.handshake!);
    this.handshake = undefined;
    const parts: string[] = [];
    let start = 1;
    for (let i = 1; i < b.length; i++) if (b[i] === 0) { parts.push(wireText(b, start, i)); start = i + 1; }
    if (b[0] !== 0 || parts.length !== 3) { this.ctx.violation('not an rlogin handshake'); return; }
    this.rec.client_user = parts[0];
    this.rec.terminal = parts[2];
    this.dialogue.presetUser(parts[1]);
  }
}
