/**
 * MySQL (mysql.log), following Zeek's MySQL analyzer (src/analyzer/protocol/mysql/*.pac) and
 * scripts/base/protocols/mysql/main.zeek:
 * - the server greeting (protocol 10 or 9; its version string is kept), the client's login
 *   (user name: a "login" record), the server's OK/ERR for it;
 * - each command (sequence id 0 from the client) opens a record, written when the server
 *   answers with OK (success, affected rows), ERR (failure, message) or the EOF that ends a
 *   result set (success, rows 0), when the next command comes, or at the end; quit at once;
 * - a client SSL request hands the stream to the TLS analyzer (Zeek's StartTLS).
 * Result sets are followed packet by packet (column count, definitions, EOF, rows, EOF or the
 * OK of CLIENT_DEPRECATE_EOF) to find their end. After a gap a side is no longer parsed.
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';
import { Framer } from './framing.js';
import { MYSQL_LOG } from './mysql-log.js';

/** Zeek's MySQL::commands. */
const COMMANDS = ['sleep', 'quit', 'init_db', 'query', 'field_list', 'create_db', 'drop_db', 'refresh', 'shutdown',
  'statistics', 'process_info', 'connect', 'process_kill', 'debug', 'ping', 'time', 'delayed_insert', 'change_user',
  'binlog_dump', 'table_dump', 'connect_out', 'register_slave', 'stmt_prepare', 'stmt_execute', 'stmt_send_long_data',
  'stmt_close', 'stmt_reset', 'set_option', 'stmt_fetch', 'daemon', 'binlog_dump_gtid', 'reset_connection'];

export function commandName(n: number): string {
  return COMMANDS[n] ?? `unknown-${n}`;
}

const COM_QUIT = 0x01;
const COM_FIELD_LIST = 0x04;
const COM_CHANGE_USER = 0x11;
const CLIENT_SSL = 0x0800;
const CLIENT_DEPRECATE_EOF = 0x01000000;
const SERVER_MORE_RESULTS_EXISTS = 0x0008;

const enum Phase { Greeting, Login, Auth, Command, Dead }
/** What the next server packet of a command response is. */
const enum Expect { None, Status, ColumnDefs, Eof1, Rows, FieldList }

/** A length-encoded integer at p[i] (undefined if it does not fit or is 0xfb/0xff). */
export function lenenc(p: Buffer, i: number, end: number): number | undefined {
  if (i >= end) return undefined;
  const b = p[i];
  if (b < 0xfb) return b;
  if (b === 0xfc) return i + 3 <= end ? p.readUInt16LE(i + 1) : undefined;
  if (b === 0xfd) return i + 4 <= end ? p[i + 1] | (p[i + 2] << 8) | (p[i + 3] << 16) : undefined;
  if (b === 0xfe) return i + 9 <= end ? Number(p.readBigUInt64LE(i + 1)) : undefined;
  return undefined;
}

export class MysqlAnalyzer implements StreamAnalyzer {
  private readonly origFramer = new Framer(LIMITS.mysqlMaxPacketBytes);
  private readonly respFramer = new Framer(LIMITS.mysqlMaxPacketBytes);
  private phase = Phase.Greeting;
  private origDead = false;
  private respDead = false;
  private protocol = 0;
  private serverCaps = 0;
  private clientCaps = 0;
  /** The server's version string from its greeting (not in mysql.log; kept for callers/tests). */
  serverVersion: string | undefined;
  private expect = Expect.None;
  private columns = 0;
  private rec: LogRecord | undefined;
  private confirmed = false;
  private upgraded = false;

  // Handlers made once (not per chunk).
  private readonly onClient = (seq: number, b: Buffer, s: number, e: number, full: number): void => this.client(seq, b, s, e, full);
  private readonly onServer = (seq: number, b: Buffer, s: number, e: number): void => this.server(seq, b, s, e);
  private readonly origStop = (): boolean => this.upgraded || this.origDead;
  private readonly respStop = (): boolean => this.upgraded || this.respDead;

  constructor(private readonly ctx: AnalyzerContext) {}

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.upgraded || (isOrig ? this.origDead : this.respDead)) return;
    if (isOrig) this.origFramer.feed(buf, off, off + len, this.onClient, this.origStop);
    else this.respFramer.feed(buf, off, off + len, this.onServer, this.respStop);
  }

  gap(isOrig: boolean, _len: number): void {
    // Packet boundaries are lost: this side is not parsed any more.
    if (isOrig) { this.origDead = true; this.origFramer.reset(); } else { this.respDead = true; this.respFramer.reset(); }
  }

  eof(_isOrig: boolean): void {}

  done(): void {
    this.flush();
  }

  private flush(): void {
    if (this.rec) {
      this.ctx.log(MYSQL_LOG, this.rec);
      this.rec = undefined;
    }
  }

  private confirm(): void {
    if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
  }

  // ---- client ----

  private client(seq: number, p: Buffer, i: number, end: number, fullLen: number): void {
    if (this.phase === Phase.Greeting) {
      // The client speaks after the greeting; without one the framing cannot be trusted.
      this.ctx.violation('MySQL client data before the server greeting');
      this.origDead = true;
      return;
    }
    if (this.phase === Phase.Login) {
      this.login(p, i, end);
      return;
    }
    if (this.phase !== Phase.Command || seq !== 0) return; // auth exchange; LOAD DATA content
    if (end - i < 1) {
      this.ctx.weird('mysql_empty_command');
      return;
    }
    if (fullLen > end - i) this.ctx.weird('mysql_packet_too_large', `${fullLen}`);
    const cmd = p[i];
    // mysql_command_request: the pending record is written first.
    this.flush();
    let argEnd = end;
    if (argEnd > i + 1 && p[argEnd - 1] === 0) argEnd--;
    let arg = wireText(p, i + 1, argEnd);
    if (cmd === COM_CHANGE_USER) {
      // mysql_change_user replaces the argument with the user name.
      let z = i + 1;
      while (z < end && p[z] !== 0) z++;
      arg = wireText(p, i + 1, z);
    }
    this.rec = { ts: this.ctx.now(), ...this.ctx.connFields(), cmd: commandName(cmd), arg };
    this.expect = cmd === COM_FIELD_LIST ? Expect.FieldList : Expect.Status;
    if (cmd === COM_QUIT) this.flush(); // no answer comes
  }

  private login(p: Buffer, i: number, end: number): void {
    let userStart: number;
    if (this.protocol === 10) {
      if (end - i < 4) {
        this.malformedLogin();
        return;
      }
      this.clientCaps = p.readUInt32LE(i);
      if (this.clientCaps & CLIENT_SSL) {
        // SSL request: the rest is TLS (Zeek's StartTLS).
        this.confirm();
        this.phase = Phase.Dead;
        if (this.ctx.upgrade('ssl')) this.upgraded = true;
        else this.origDead = this.respDead = true;
        return;
      }
      if (end - i < 32) {
        this.malformedLogin();
        return;
      }
      userStart = i + 32;
    } else {
      if (end - i < 5) {
        this.malformedLogin();
        return;
      }
      this.clientCaps = p.readUInt16LE(i);
      userStart = i + 5;
    }
    let z = userStart;
    while (z < end && p[z] !== 0) z++;
    this.confirm();
    this.phase = Phase.Auth;
    // mysql_handshake: a login record unless one is pending.
    if (!this.rec) this.rec = { ts: this.ctx.now(), ...this.ctx.connFields(), cmd: 'login', arg: wireText(p, userStart, z) };
  }

  private malformedLogin(): void {
    this.ctx.weird('mysql_malformed_handshake_response');
    this.ctx.violation('malformed MySQL handshake response');
    this.origDead = true;
  }

  // ---- server ----

  private server(seq: number, p: Buffer, i: number, end: number): void {
    const len = end - i;
    if (this.phase === Phase.Greeting) {
      this.greeting(seq, p, i, end);
      return;
    }
    if (len < 1) return;
    const t = p[i];
    if (this.phase === Phase.Login || this.phase === Phase.Auth) {
      // OK ends the login; ERR fails it; 0xfe (auth switch) and 0x01 (more data) continue it.
      if (t === 0x00) {
        this.ok(p, i, end);
        this.phase = Phase.Command;
      } else if (t === 0xff) {
        this.err(p, i, end);
      }
      return;
    }
    if (this.phase !== Phase.Command) return;
    switch (this.expect) {
      case Expect.Status:
        if (t === 0x00) { this.ok(p, i, end); this.expect = Expect.None; }
        else if (t === 0xff) { this.err(p, i, end); this.expect = Expect.None; }
        else if (t === 0xfe && len < 9) this.eofPacket(p, i, end);
        else if (t === 0xfb) { /* LOCAL INFILE request: the OK comes after the file */ }
        else {
          const n = lenenc(p, i, end);
          if (n === undefined || n === 0) {
            this.ctx.weird('mysql_unexpected_response');
            this.expect = Expect.None;
            return;
          }
          this.columns = n;
          this.expect = Expect.ColumnDefs;
        }
        return;
      case Expect.ColumnDefs:
        if (t === 0xff) { this.err(p, i, end); this.expect = Expect.None; return; }
        if (--this.columns <= 0) this.expect = this.deprecateEof() ? Expect.Rows : Expect.Eof1;
        return;
      case Expect.Eof1:
        // The intermediate EOF after the column definitions (mysql_eof is_intermediate).
        this.expect = Expect.Rows;
        if (t === 0xfe && len < 9) return;
        this.row(p, i, end);
        return;
      case Expect.Rows:
      case Expect.FieldList:
        this.row(p, i, end);
        return;
      default:
        return;
    }
  }

  private deprecateEof(): boolean {
    return (this.clientCaps & this.serverCaps & CLIENT_DEPRECATE_EOF) !== 0;
  }

  private row(p: Buffer, i: number, end: number): void {
    const t = p[i], len = end - i;
    if (t === 0xff) {
      this.err(p, i, end);
      this.expect = Expect.None;
    } else if (t === 0xfe && len < 9) {
      this.eofPacket(p, i, end);
    } else if (t === 0xfe && this.deprecateEof() && len < 0xffffff) {
      // The OK packet (0xfe header) that ends a result set under CLIENT_DEPRECATE_EOF.
      this.ok(p, i, end);
      this.expect = this.moreResults(p, i, end, true) ? Expect.Status : Expect.None;
    }
    // else: a row (or a column definition of COM_FIELD_LIST)
  }

  /** SERVER_MORE_RESULTS_EXISTS in an EOF's or OK's status flags. */
  private moreResults(p: Buffer, i: number, end: number, isOk: boolean): boolean {
    let k = i + 1;
    if (isOk) {
      for (let n = 0; n < 2; n++) {
        const b = p[k];
        k += b === undefined ? 1 : b < 0xfb ? 1 : b === 0xfc ? 3 : b === 0xfd ? 4 : 9;
      }
    } else k += 2; // warnings
    return k + 2 <= end && (p.readUInt16LE(k) & SERVER_MORE_RESULTS_EXISTS) !== 0;
  }

  private greeting(seq: number, p: Buffer, i: number, end: number): void {
    if (seq !== 0 || end - i < 1) {
      this.ctx.violation('MySQL greeting with a non-zero sequence id');
      this.respDead = true;
      return;
    }
    const proto = p[i];
    if (proto === 0xff) {
      // The server refuses the client at once (mysql_error without a record).
      this.phase = Phase.Dead;
      return;
    }
    if (proto !== 10 && proto !== 9) {
      this.ctx.violation(`MySQL protocol version ${proto}`);
      this.respDead = true;
      return;
    }
    let z = i + 1;
    while (z < end && p[z] !== 0) z++;
    this.serverVersion = wireText(p, i + 1, z);
    this.protocol = proto;
    if (proto === 10) {
      // version NUL, connection id (4), auth data (8), filler (1), capabilities low (2),
      // charset (1), status (2), capabilities high (2)
      const c = z + 1 + 4 + 8 + 1;
      if (c + 2 <= end) this.serverCaps = p.readUInt16LE(c);
      if (c + 7 <= end) this.serverCaps |= p.readUInt16LE(c + 5) << 16;
    }
    this.phase = Phase.Login;
  }

  private ok(p: Buffer, i: number, end: number): void {
    if (!this.rec) return;
    this.rec.success = true;
    this.rec.rows = lenenc(p, i + 1, end) ?? 0;
    this.flush();
  }

  private err(p: Buffer, i: number, end: number): void {
    if (!this.rec) return;
    // code (2), then "#" and a 5-character SQL state (protocol 4.1), then the message
    let m = i + 3;
    if (m < end && p[m] === 0x23) m += 6;
    this.rec.success = false;
    this.rec.response = wireText(p, Math.min(m, end), end);
    this.flush();
  }

  private eofPacket(p: Buffer, i: number, end: number): void {
    this.expect = this.moreResults(p, i, end, false) ? Expect.Status : Expect.None;
    if (!this.rec) return;
    if (this.rec.success === undefined) this.rec.success = true;
    if (this.rec.rows === undefined) this.rec.rows = 0;
    this.flush();
  }
}
