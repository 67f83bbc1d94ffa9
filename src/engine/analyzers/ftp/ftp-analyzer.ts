/**
 * The FTP control channel (RFC 959, RFC 2428) as Zeek's FTP analyzer and base/protocols/ftp
 * scripts log it: commands queue up until answered (a "<init>" entry takes the greeting), a
 * command is logged when the next one is sent (or at once when others are still waiting), with
 * the session's last reply, user, password (hidden unless a guest id) and the data channel set
 * up by PORT/EPRT or the reply to PASV/EPSV.
 *
 * The data connections themselves (service ftp-data, files.log for transfers) are not analysed:
 * that needs "expected connections" in the flow layer (see index.ts).
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { latin1Text, wireText } from '../../support/wire-text.js';
import { LineReader } from '../smtp/line-reader.js';
import { FTP_LOG } from './ftp-log.js';
import { buildPath, extractPath, lastCount, parseEftpPort, parseFtpEpsv, parseFtpPasv, parseFtpPort } from './ftp-text.js';
import { ftpCommandUnit } from './inspection.js';

export interface FtpOptions {
  /** Log every password (Zeek's FTP capture_password); by default only guests' are shown. */
  showCredentials: boolean;
  /** Commands that get a record (Zeek's FTP::logged_commands); undefined: every command. */
  loggedCommands: ReadonlySet<string> | undefined;
}

/** Zeek's FTP::logged_commands. */
export const ZEEK_LOGGED_COMMANDS: ReadonlySet<string> = new Set(['APPE', 'DELE', 'RETR', 'STOR', 'STOU', 'ACCT', 'PORT', 'PASV', 'EPRT', 'EPSV']);
/** Zeek's FTP::guest_ids. */
const GUEST_IDS = new Set(['anonymous', 'ftp', 'ftpuser', 'guest']);
/** Zeek's file_cmds: their argument is logged as a URL. */
const FILE_CMDS = new Set(['APPE', 'CWD', 'DELE', 'MKD', 'RETR', 'RMD', 'RNFR', 'RNTO', 'STOR', 'STOU', 'REST', 'SIZE', 'MDTM']);
/** Zeek's max_user_length / max_password_length / max_arg_length / max_reply_msg_length. */
const MAX_USER = 128, MAX_ARG = 4096;

interface Cmd { ts: number; cmd: string; arg: string; cwdDone: boolean }
interface Channel { passive: boolean; origH: string; respH: string; respP: number }

/**
 * What the data connection tells the control session about the file it carried, filled in by
 * the ftp-data analyzer (it gets this object as its expectation's info) and read when the
 * transfer command is logged: Zeek's ftp.log fuid and mime_type.
 */
export interface FtpDataLink {
  controlUid: string;
  fuid?: string;
  mimeType?: string;
}

/** Commands whose ftp.log record carries the data channel's file. */
const TRANSFER_CMDS = new Set(['RETR', 'STOR', 'STOU', 'APPE']);

export class FtpAnalyzer implements StreamAnalyzer {
  private readonly orig: LineReader;
  private readonly resp: LineReader;
  private readonly pending: Cmd[];
  private current: Cmd | undefined;
  private replyCode: number | undefined;
  private replyMsg: string | undefined;
  private user = '<unknown>';
  private password: string | undefined;
  private cwd = '.';
  private fileSize: number | undefined;
  private channel: Channel | undefined;
  /** The file of the latest data channel, until a transfer command's record takes it. */
  private link: FtpDataLink | undefined;
  /** Code of an open multi-line reply (RFC 959 §4.2: "ddd-" ... "ddd "). */
  private multi = 0;
  private confirmed = false;
  private off = false;
  /** The detection engine wants FTP units; the count numbers them. */
  private readonly inspecting: boolean;
  private commands = 0;

  constructor(private readonly ctx: AnalyzerContext, private readonly opts: FtpOptions) {
    this.inspecting = ctx.inspecting('ftp');
    this.orig = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.request(b, s, e, c));
    this.resp = new LineReader(LIMITS.mailMaxLineBytes, (b, s, e, c) => this.replyLine(b, s, e, c));
    this.pending = [{ ts: ctx.now(), cmd: '<init>', arg: '', cwdDone: false }];
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (!this.off) (isOrig ? this.orig : this.resp).data(buf, off, len);
  }

  gap(isOrig: boolean): void {
    (isOrig ? this.orig : this.resp).gap();
    if (!isOrig) this.multi = 0;
  }

  eof(isOrig: boolean): void {
    if (!this.off) (isOrig ? this.orig : this.resp).flush();
  }

  done(): void {
    if (this.off) return;
    this.off = true;
    // Zeek's finalize_ftp: every command still pending is logged.
    for (const c of this.pending) {
      this.current = c;
      this.message();
    }
    this.pending.length = 0;
  }

  private request(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (!complete && !this.orig.atLineStart) return;
    if (!complete) this.ctx.weird('FTP_line_too_long');
    let sp = start;
    while (sp < end && buf[sp] !== 0x20) sp++;
    const cmd = latin1Text(buf, start, sp).toUpperCase();
    if (!/^[A-Z]{3,4}$|^X[A-Z]{2,3}$/.test(cmd)) {
      if (!this.confirmed) { this.ctx.violation('not an FTP command'); this.off = true; return; }
      this.ctx.weird('FTP_bad_command', wireText(buf, start, Math.min(end, start + 64)));
      return;
    }
    let a = sp;
    while (a < end && buf[a] === 0x20) a++;
    let arg = wireText(buf, a, end);
    if (this.inspecting) this.ctx.inspect(ftpCommandUnit(buf, start, sp, a, end, this.commands++));
    // The previous command was answered: log it now (Zeek's ftp_request).
    if (this.current && this.replyCode !== undefined) {
      const i = this.pending.indexOf(this.current);
      if (i >= 0) {
        this.pending.splice(i, 1);
        this.message();
      }
    }
    if (this.pending.length >= LIMITS.ftpMaxPendingCommands) this.ctx.weird('FTP_too_many_pending_commands', String(this.pending.length));
    else this.pending.push({ ts: this.ctx.now(), cmd, arg, cwdDone: false });
    if (cmd === 'USER') {
      if (arg.length > MAX_USER) { this.ctx.weird('FTP_user_too_long', String(arg.length)); arg = arg.slice(0, MAX_USER); }
      this.user = arg;
      this.ctx.credential({ method: 'USER/PASS', username: arg });
    } else if (cmd === 'PASS') {
      if (arg.length > MAX_USER) { this.ctx.weird('FTP_password_too_long', String(arg.length)); arg = arg.slice(0, MAX_USER); }
      this.password = arg;
      this.ctx.credential({ method: 'USER/PASS', username: this.user, password: arg });
    } else if (cmd === 'PORT' || cmd === 'EPRT') {
      const d = cmd === 'PORT' ? parseFtpPort(arg) : parseEftpPort(arg);
      if (d) this.setChannel({ passive: false, origH: this.ctx.conn.respH, respH: d.h, respP: d.p });
    }
  }

  /** A data channel was announced: remember it for ftp.log and expect the connection. */
  private setChannel(ch: Channel): void {
    this.channel = ch;
    this.link = { controlUid: this.ctx.conn.uid };
    this.ctx.expect({ respH: ch.respH, respP: ch.respP, origH: ch.origH, analyzer: 'ftp-data', info: this.link });
  }

  private replyLine(buf: Buffer, start: number, end: number, complete: boolean): void {
    if (!complete && !this.resp.atLineStart) return;
    const len = end - start;
    const digits = len >= 3 && isDigit(buf[start]) && isDigit(buf[start + 1]) && isDigit(buf[start + 2]);
    const code = digits ? (buf[start] - 0x30) * 100 + (buf[start + 1] - 0x30) * 10 + (buf[start + 2] - 0x30) : 0;
    const sep = len > 3 ? buf[start + 3] : 0x20;
    if (this.multi !== 0) {
      // Inside a multi-line reply: only "ddd " with the opening code ends it.
      if (!(digits && code === this.multi && sep === 0x20)) return;
      this.multi = 0;
    } else if (!digits || (sep !== 0x20 && sep !== 0x2d)) {
      if (!this.confirmed) { this.ctx.violation('not an FTP reply'); this.off = true; return; }
      this.ctx.weird('FTP_bad_reply', wireText(buf, start, Math.min(end, start + 64)));
      return;
    } else if (sep === 0x2d) {
      this.multi = code;
      // Zeek takes code and text from the first line of a multi-line reply.
    }
    const msg = len > 4 ? wireText(buf, start + 4, end) : '';
    if (this.multi !== 0 || sep === 0x20 || len <= 3) this.reply(code, msg, this.multi !== 0);
  }

  private reply(code: number, msg: string, firstOfMulti: boolean): void {
    if (!this.confirmed && code >= 100 && code < 600) {
      this.confirmed = true;
      this.ctx.confirm();
    }
    const cur = this.pending[0] ?? { ts: this.ctx.now(), cmd: '<missing>', arg: '', cwdDone: false };
    if (this.pending.length === 0) this.ctx.weird('FTP_unmatched_reply', String(code));
    this.current = cur;
    this.replyCode = code;
    this.replyMsg = msg.length > MAX_ARG ? msg.slice(0, MAX_ARG) : msg;
    if (firstOfMulti) return; // the closing line completes it
    if ((cur.cmd === 'PASS' || cur.cmd === 'USER') && (code === 230 || code === 530)) {
      this.ctx.credential({ method: 'USER/PASS', username: this.user, success: code === 230 });
    }
    if ((code === 150 && cur.cmd === 'RETR') || (code === 213 && cur.cmd === 'SIZE')) {
      this.fileSize = lastCount(msg);
    } else if ((code === 227 || code === 229) && (cur.cmd === 'PASV' || cur.cmd === 'EPSV')) {
      const c = this.ctx.conn;
      if (code === 227) {
        const d = parseFtpPasv(msg);
        if (d) this.setChannel({ passive: true, origH: c.origH, respH: d.h, respP: d.p });
      } else {
        const p = parseFtpEpsv(msg);
        if (p !== undefined) this.setChannel({ passive: true, origH: c.origH, respH: c.respH, respP: p });
      }
    }
    if (!cur.cwdDone) {
      if (cur.cmd === 'CWD' && code === 250) { cur.cwdDone = true; this.cwd = buildPath(this.cwd, cur.arg); }
      else if (cur.cmd === 'CDUP' && (code === 200 || code === 250)) { cur.cwdDone = true; this.cwd = buildPath(this.cwd, '..'); }
      else if ((cur.cmd === 'PWD' || cur.cmd === 'XPWD') && code === 257) { cur.cwdDone = true; this.cwd = extractPath(msg) ?? this.cwd; }
    }
    if (this.pending.length > 1) {
      this.pending.shift();
      this.message();
    }
  }

  /** Zeek's ftp_message: log the current command if it is a logged one, reset per-transfer fields. */
  private message(): void {
    const cur = this.current;
    if (!cur) return;
    const showPw = this.opts.showCredentials || GUEST_IDS.has(this.user.toLowerCase());
    let arg = cur.arg;
    if (FILE_CMDS.has(cur.cmd)) arg = this.url(arg);
    if (arg.length > MAX_ARG) { this.ctx.weird('FTP_arg_too_long', String(arg.length)); arg = arg.slice(0, MAX_ARG); }
    if (cur.cmd === 'PASS' && !showPw) arg = '<hidden>';
    const logged = this.opts.loggedCommands;
    const link = TRANSFER_CMDS.has(cur.cmd) ? this.link : undefined;
    if (link) this.link = undefined;
    if (cur.cmd !== '<init>' && (!logged || logged.has(cur.cmd))) {
      const ch = this.channel;
      this.ctx.log(FTP_LOG, {
        ts: cur.ts, ...this.ctx.connFields(), user: this.user,
        password: this.password === undefined ? undefined : showPw ? this.password : '<hidden>',
        command: cur.cmd, arg: arg === '' ? undefined : arg, mime_type: link?.mimeType, file_size: this.fileSize,
        reply_code: this.replyCode, reply_msg: this.replyMsg,
        'data_channel.passive': ch?.passive, 'data_channel.orig_h': ch?.origH, 'data_channel.resp_h': ch?.respH, 'data_channel.resp_p': ch?.respP,
        fuid: link?.fuid,
      });
    }
    this.fileSize = undefined;
    this.channel = undefined;
  }

  /** Zeek's build_url_ftp. */
  private url(arg: string): string {
    let p = buildPath(this.cwd, arg);
    if (!p.startsWith('/')) p = '/' + p;
    const h = this.ctx.conn.respH;
    return `ftp://${h.includes(':') ? `[${h}]` : h}${p}`;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
