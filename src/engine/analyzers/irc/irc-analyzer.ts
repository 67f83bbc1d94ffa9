/**
 * IRC (irc.log), following Zeek's IRC analyzer (src/analyzer/protocol/irc/IRC.cc) and
 * scripts/base/protocols/irc/{main,dcc-send}.zeek: lines of both sides, an optional ":prefix",
 * a command or a 3-digit reply; the client's NICK, USER and JOIN (and NJOIN) are logged with the
 * session state Zeek carries between records (nick, user, and the last value/addl), DCC SEND
 * offers (either direction) as command "DCC". A 670 reply (STARTTLS accepted) hands the stream to
 * the TLS analyzer.
 *
 * Deliberate difference: Zeek writes the DCC record when the transfer connection's file is
 * sniffed (adding dcc_mime_type and fuid); analyzers here see one connection, so the record is
 * written at the offer and those two fields stay unset.
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { latin1Text, wireText } from '../../support/wire-text.js';
import { IRC_LOG } from './irc-log.js';

/** Zeek's IRC line limit (RFC 2812 §2.3: 512 bytes). Longer lines are skipped. */
const MAX_IRC_LINE = 512;
/** Zeek's invalid_msg_max_count: over-long command names before it gives up. */
const MAX_INVALID = 20;

class Side {
  pending: Buffer | undefined;
  /** Inside an over-long line or after a gap: drop bytes up to the next LF. */
  skipping = false;
}

/** Zeek's SplitWords: the non-empty pieces between separators. */
export function splitWords(s: string, sep: string): string[] {
  return s.split(sep).filter((w) => w.length > 0);
}

function skipSpaces(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 0x20) i++;
  return i === 0 ? s : s.slice(i);
}

/** C's atoi, as far as a count goes: leading digits after optional blanks and '+' (else 0). */
function atoiCount(s: string): number {
  const m = /^[ \t]*\+?(\d{1,15})/.exec(s);
  return m ? Number(m[1]) : 0;
}

function text(s: string): string {
  return wireText(Buffer.from(s, 'latin1'));
}

const enum Cmd { Other, Privmsg, User, Join, Njoin, Nick }

/** Upper-cased ASCII byte. */
function up(c: number): number {
  return c >= 0x61 && c <= 0x7a ? c - 32 : c;
}

function isWord(buf: Buffer, i: number, end: number, w: string): boolean {
  if (end - i !== w.length) return false;
  for (let k = 0; k < w.length; k++) if (up(buf[i + k]) !== w.charCodeAt(k)) return false;
  return true;
}

/** The logged commands (case-insensitive, as IRC.cc upper-cases the command). */
function commandOf(buf: Buffer, i: number, end: number): Cmd {
  switch (end - i) {
    case 4: return isWord(buf, i, end, 'NICK') ? Cmd.Nick : isWord(buf, i, end, 'USER') ? Cmd.User : isWord(buf, i, end, 'JOIN') ? Cmd.Join : Cmd.Other;
    case 5: return isWord(buf, i, end, 'NJOIN') ? Cmd.Njoin : Cmd.Other;
    case 7: return isWord(buf, i, end, 'PRIVMSG') ? Cmd.Privmsg : Cmd.Other;
    default: return Cmd.Other;
  }
}

/** Cheap pre-check of PRIVMSG parameters: "target [:][\x01]DCC..." (the full check follows). */
function mayBeDcc(buf: Buffer, p: number, end: number): boolean {
  const sp = buf.indexOf(0x20, p);
  if (sp < 0 || sp >= end) return true; // let privmsg() report the format weird
  let m = sp + 1;
  while (m < end && buf[m] === 0x20) m++;
  if (m < end && buf[m] === 0x3a) m++;
  if (m < end && buf[m] === 0x01) m++;
  return end - m > 3 && buf[m] === 0x44 && buf[m + 1] === 0x43 && buf[m + 2] === 0x43;
}

interface Session {
  nick?: string;
  user?: string;
  command?: string;
  value?: string;
  addl?: string;
  dcc_file_name?: string;
  dcc_file_size?: number;
}

export class IrcAnalyzer implements StreamAnalyzer {
  private readonly orig = new Side();
  private readonly resp = new Side();
  private session: Session | undefined;
  private invalid = 0;
  private confirmed = false;
  private stopped = false;

  constructor(private readonly ctx: AnalyzerContext) {}

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const side = isOrig ? this.orig : this.resp;
    const end = off + len;
    let i = off;
    while (i < end && !this.stopped) {
      const nl = buf.indexOf(0x0a, i);
      if (nl < 0 || nl >= end) {
        if (!side.skipping) this.keep(side, buf, i, end);
        return;
      }
      if (side.skipping) {
        side.skipping = false;
      } else if (side.pending) {
        const whole = Buffer.concat([side.pending, buf.subarray(i, nl)]);
        side.pending = undefined;
        this.line(isOrig, whole, 0, whole.length);
      } else {
        this.line(isOrig, buf, i, nl);
      }
      i = nl + 1;
    }
  }

  private keep(side: Side, buf: Buffer, i: number, end: number): void {
    const have = side.pending ? side.pending.length : 0;
    if (have + end - i > LIMITS.ircMaxLineBytes) {
      this.ctx.weird('irc_line_size_exceeded');
      side.pending = undefined;
      side.skipping = true;
      return;
    }
    side.pending = side.pending ? Buffer.concat([side.pending, buf.subarray(i, end)]) : Buffer.from(buf.subarray(i, end));
  }

  gap(isOrig: boolean, _len: number): void {
    const side = isOrig ? this.orig : this.resp;
    side.pending = undefined;
    side.skipping = true; // resynchronise at the next line
  }

  eof(_isOrig: boolean): void {}

  done(): void {}

  /** One line buf[off, end) without its LF. Read as bytes; only the commands that are logged
   *  are turned into strings. */
  private line(isOrig: boolean, buf: Buffer, off: number, end: number): void {
    if (end > off && buf[end - 1] === 0x0d) end--;
    if (end - off > MAX_IRC_LINE) {
      this.ctx.weird('irc_line_size_exceeded');
      return;
    }
    let i = off;
    while (i < end && buf[i] === 0x20) i++;
    if (end - i < 3) {
      this.ctx.weird('irc_line_too_short');
      return;
    }
    if (buf[i] === 0x3a) {
      // ":prefix " (the prefix itself is not logged)
      const sp = buf.indexOf(0x20, i);
      if (sp < 0 || sp >= end) {
        this.ctx.weird('irc_invalid_line');
        return;
      }
      i = sp + 1;
      while (i < end && buf[i] === 0x20) i++;
    }
    if (isOrig && !this.confirmed) {
      this.confirmed = true;
      this.ctx.confirm();
    }
    if (end - i < 3) {
      this.ctx.weird('irc_invalid_line');
      this.ctx.violation('line too short');
      return;
    }
    const c0 = buf[i];
    if (c0 >= 0x30 && c0 <= 0x39) {
      const c1 = buf[i + 1], c2 = buf[i + 2];
      if (!(c1 >= 0x30 && c1 <= 0x39 && c2 >= 0x30 && c2 <= 0x39 && i + 3 < end && buf[i + 3] === 0x20)) {
        this.ctx.weird('irc_invalid_reply_number');
        this.ctx.violation('invalid reply number');
        return;
      }
      // RPL_STARTTLS (670): the rest of the connection is TLS.
      if (c0 === 0x36 && c1 === 0x37 && c2 === 0x30 && this.ctx.upgrade('ssl')) this.stopped = true;
      return;
    }
    let ce = i;
    while (ce < end && buf[ce] !== 0x20) ce++;
    if (ce - i > 20) {
      this.ctx.weird('irc_invalid_command');
      if (++this.invalid > MAX_INVALID) {
        this.ctx.weird('irc_too_many_invalid');
        this.ctx.violation('too many long lines');
      }
      return;
    }
    const which = commandOf(buf, i, ce);
    if (which === Cmd.Other) return;
    let p = ce + 1;
    while (p < end && buf[p] === 0x20) p++;
    if (which === Cmd.Privmsg && !mayBeDcc(buf, p, end)) return;
    const params = p < end ? latin1Text(buf, p, end) : '';
    switch (which) {
      case Cmd.Privmsg: this.privmsg(isOrig, params); break;
      case Cmd.User: this.user(isOrig, params); break;
      case Cmd.Join: this.join(isOrig, params); break;
      case Cmd.Njoin: this.njoin(isOrig, params); break;
      case Cmd.Nick: this.nick(isOrig, params); break;
    }
  }

  /** main.zeek's set_session: the record exists from the first handled message on. */
  private setSession(): Session {
    if (!this.session) this.session = {};
    return this.session;
  }

  private write(s: Session): void {
    const rec: LogRecord = { ts: this.ctx.now(), ...this.ctx.connFields() };
    if (s.nick !== undefined) rec.nick = text(s.nick);
    if (s.user !== undefined) rec.user = text(s.user);
    if (s.command !== undefined) rec.command = s.command;
    if (s.value !== undefined) rec.value = text(s.value);
    if (s.addl !== undefined) rec.addl = text(s.addl);
    if (s.dcc_file_name !== undefined) rec.dcc_file_name = text(s.dcc_file_name);
    if (s.dcc_file_size !== undefined) rec.dcc_file_size = s.dcc_file_size;
    this.ctx.log(IRC_LOG, rec);
  }

  private nick(isOrig: boolean, params: string): void {
    const nick = params[0] === ':' ? params.slice(1) : params;
    const s = this.setSession();
    if (!isOrig) return;
    s.command = 'NICK';
    s.value = nick;
    this.write(s);
    s.nick = nick;
  }

  private user(isOrig: boolean, params: string): void {
    const parts = splitWords(params, ' ');
    // IRC.cc joins the real name's words this way (a space only after the second and later
    // words): "USER u h s :Real Name" gives "RealName ", "A B C" gives "AB C ". Kept as Zeek logs it.
    let realname = '';
    for (let i = 3; i < parts.length; i++) {
      realname += parts[i];
      if (i > 3) realname += ' ';
    }
    if (realname[0] === ':') realname = realname.slice(1);
    const s = this.setSession();
    if (!isOrig) return;
    const user = parts[0] ?? '';
    s.command = 'USER';
    s.value = user;
    s.addl = `${parts[1] ?? ''} ${parts[2] ?? ''} ${realname}`;
    this.write(s);
    s.user = user;
  }

  private joinList(isOrig: boolean, channels: string[], passwords: string[]): void {
    const s = this.setSession();
    if (!isOrig) return;
    s.command = 'JOIN';
    for (let i = 0; i < channels.length; i++) {
      const pw = passwords[i] ?? '';
      s.value = channels[i];
      s.addl = pw !== '' ? ` with channel key: '${pw}'` : '';
      this.write(s);
    }
  }

  private join(isOrig: boolean, params: string): void {
    if (params[0] === ':') params = params.slice(1);
    const parts = splitWords(params, ' ');
    if (parts.length < 1) {
      this.ctx.weird('irc_invalid_join_line');
      return;
    }
    // Zeek passes a set of join records: the same channel and key twice is one entry.
    const channels = splitWords(parts[0], ',');
    const passwords = parts.length > 1 ? splitWords(parts[1], ',') : [];
    const seen = new Set<string>();
    const ch: string[] = [], pw: string[] = [];
    for (let i = 0; i < channels.length; i++) {
      const key = channels[i] + '\0' + (passwords[i] ?? '');
      if (seen.has(key)) continue;
      seen.add(key);
      ch.push(channels[i]);
      pw.push(passwords[i] ?? '');
    }
    this.joinList(isOrig, ch, pw);
  }

  private njoin(isOrig: boolean, params: string): void {
    const parts = splitWords(params, ' ');
    if (parts.length !== 2) {
      this.ctx.weird('irc_invalid_njoin_line');
      return;
    }
    const users = splitWords(parts[1][0] === ':' ? parts[1].slice(1) : parts[1], ',');
    // One join record per user, all for the same channel; as a set they differ only in the
    // nick, which irc.log does not show.
    this.joinList(isOrig, users.map(() => parts[0]), []);
  }

  private privmsg(_isOrig: boolean, params: string): void {
    const pos = params.indexOf(' ');
    if (pos < 0) {
      this.ctx.weird('irc_invalid_privmsg_message_format');
      return;
    }
    let message = skipSpaces(params.slice(pos + 1));
    if (message[0] === ':') message = message.slice(1);
    if (message[0] === '\x01') message = message.slice(1);
    if (!(message.length > 3 && message.startsWith('DCC'))) return;
    if (message[message.length - 1] === '\x01') message = message.slice(0, -1);
    const parts = splitWords(message, ' ');
    if ((parts.length < 5 || parts.length > 6) && !(parts.length === 7 && parts[6] === 'T')) {
      this.ctx.weird('irc_invalid_dcc_message_format');
      return;
    }
    const s = this.setSession();
    if (parts[1] !== 'SEND') return;
    s.dcc_file_name = parts[2];
    s.dcc_file_size = parts.length >= 6 ? atoiCount(parts[5]) : 0;
    // dcc-send.zeek's log_dcc, written at the offer (see the file comment).
    const saved = s.command;
    s.command = 'DCC';
    this.write(s);
    if (saved !== undefined) s.command = saved;
    s.dcc_file_name = undefined;
    s.dcc_file_size = undefined;
  }
}
