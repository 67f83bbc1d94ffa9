/**
 * The SSL/TLS stream analyzer, following Zeek's binpac SSL analyzer and base scripts:
 * - record layer (RFC 8446 §5.1, RFC 5246 §6.2) parsed incrementally per side; a record split
 *   across segments waits in a buffer bounded by the 16-bit record length;
 * - handshake messages reassembled across records (several per record, or one over several),
 *   each bounded by LIMITS.sslMaxHandshakeMessage;
 * - SSLv2 records (2-byte header) for the old CLIENT-HELLO and SSLv2 servers;
 * - Zeek's encryption tracking: a side is encrypted after its ChangeCipherSpec, or, once a TLS
 *   1.3-like version was negotiated, at its first application_data record; the first ciphertext
 *   record seen while both sides are encrypted establishes the session, which logs ssl.log and
 *   stops analysis (Zeek's SSL::disable_analyzer_after_detection).
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { SSLv2, historyLetter, isHelloVersion, isRecordVersion } from './consts.js';
import { type ClientHello, parseClientHello, parseServerHello, parseV2ClientHello } from './hello.js';
import { SslSession } from './ssl-session.js';
import { clientHelloUnit, serverHelloUnit } from './inspection.js';

const CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23, CT_HEARTBEAT = 24;
const HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11, HS_SERVER_KEY_EXCHANGE = 12, HS_CLIENT_KEY_EXCHANGE = 16;
const UNKNOWN = -1;

export class SslAnalyzer implements StreamAnalyzer {
  /** Unparsed tail of each side's stream (an incomplete record): [orig, resp]. */
  private pending: (Buffer | undefined)[] = [undefined, undefined];
  /** Incomplete handshake message of each side. */
  private hsPending: (Buffer | undefined)[] = [undefined, undefined];
  /** Bytes of an oversized handshake message still to skip, per side. */
  private hsSkip = [0, 0];
  /** Body bytes of a ciphertext record still to pass over unbuffered, per side. */
  private recSkip = [0, 0];
  private encrypted = [false, false];
  private sideDead = [false, false];
  private recordLayer = UNKNOWN;
  private stopped = false;
  private confirmed = false;
  /** The ClientHello came from the responder: roles are swapped (Zeek's ssl_connection_flipped). */
  private flipped = false;
  private helloSeen = false;

  /** ssl.log / x509.log state. */
  private readonly s: SslSession;

  constructor(private readonly ctx: AnalyzerContext) {
    this.s = new SslSession(ctx);
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const side = isOrig ? 0 : 1;
    if (this.stopped || this.sideDead[side] || len <= 0) return;
    let b = buf;
    let p = off;
    let end = off + len;
    if (this.recSkip[side] > 0) {
      const n = Math.min(this.recSkip[side], len);
      this.recSkip[side] -= n;
      p += n;
      if (p >= end) return;
    }
    const prev = this.pending[side];
    if (prev) {
      b = Buffer.concat([prev, buf.subarray(off, end)]);
      p = 0;
      end = b.length;
      this.pending[side] = undefined;
    }
    while (p < end && !this.stopped) {
      const avail = end - p;
      if (avail < 5) break;
      const h0 = b[p];
      let total: number;
      if (h0 & 0x80 && (this.recordLayer === UNKNOWN || this.recordLayer === SSLv2)) {
        total = (((h0 & 0x7f) << 8) | b[p + 1]) + 2;
        if (total < 5) { this.fail('SSLv2 record too short'); return; }
        if (avail < total) break;
        this.v2Record(isOrig, b, p, p + total);
      } else {
        const version = b.readUInt16BE(p + 1);
        if (!isRecordVersion(version)) {
          this.fail(`Invalid version in TLS connection. Version: ${version}`);
          return;
        }
        if (this.recordLayer === UNKNOWN) {
          if (h0 < 20 || h0 > 30) { this.fail(`Invalid type in TLS connection. Version: ${version}, Type: ${h0}`); return; }
          this.recordLayer = version;
        }
        total = b.readUInt16BE(p + 3) + 5;
        if (this.isCiphertext(side, h0)) {
          // Encrypted bodies are never looked at: pass over them without buffering.
          this.tlsRecord(isOrig, h0, b, p + 5, p + 5);
          if (avail < total) { this.recSkip[side] = total - avail; p = end; break; }
        } else {
          if (avail < total) break;
          this.tlsRecord(isOrig, h0, b, p + 5, p + total);
        }
      }
      p += total; // total >= 5: the loop always advances
    }
    if (!this.stopped && p < end) this.pending[side] = Buffer.from(b.subarray(p, end));
  }

  gap(isOrig: boolean, len: number): void {
    const side = isOrig ? 0 : 1;
    // A hole inside an encrypted record we were passing over anyway costs nothing.
    if (this.recSkip[side] >= len && !this.pending[side]) {
      this.recSkip[side] -= len;
      return;
    }
    // Otherwise record boundaries are lost; Zeek's binpac flow gives up on the side as well.
    this.sideDead[side] = true;
    this.pending[side] = undefined;
    this.recSkip[side] = 0;
    this.hsPending[side] = undefined;
  }

  eof(_isOrig: boolean): void {}

  done(): void {
    this.stopped = true;
    this.s.write();
  }

  // ---- record layer ----

  private fail(reason: string): void {
    this.stopped = true;
    this.pending = [undefined, undefined];
    this.ctx.violation(reason);
  }

  private isCiphertext(side: number, type: number): boolean {
    return this.encrypted[side] || (type === CT_APPDATA && this.s.tls13Like());
  }

  private tlsRecord(isOrig: boolean, type: number, b: Buffer, s: number, e: number): void {
    const side = isOrig ? 0 : 1;
    if (this.isCiphertext(side, type)) {
      this.encrypted[side] = true;
      this.ciphertext();
      return;
    }
    this.s.start();
    const isClient = isOrig !== this.flipped;
    switch (type) {
      case CT_CCS:
        this.s.changeCipherSpec(isClient);
        this.encrypted[side] = true;
        return;
      case CT_ALERT:
        for (let q = s; q + 2 <= e; q += 2) this.s.alert(isClient, b[q + 1]);
        return;
      case CT_HANDSHAKE:
        this.handshakeBytes(isOrig, b, s, e);
        return;
      case CT_APPDATA:
        if (this.s.version !== undefined && !this.s.established) this.ctx.weird('ssl_early_application_data');
        return;
      case CT_HEARTBEAT:
        this.s.addHistory(isClient, 'b');
        return;
      default:
        this.fail(`unknown SSL record type (${type}) from ${isOrig ? 'originator' : 'responder'}`);
    }
  }

  private ciphertext(): void {
    if (this.encrypted[0] && this.encrypted[1] && !this.s.established) {
      this.s.established = true;
      this.s.start();
      this.s.write();
      this.stopped = true; // SSL::disable_analyzer_after_detection
      this.pending = [undefined, undefined];
      this.hsPending = [undefined, undefined];
    }
  }

  /** SSLv2 record b[p, end): 2-byte header, message type at p+2 (SSLv2 §1.2, §2.5-2.6). */
  private v2Record(isOrig: boolean, b: Buffer, p: number, end: number): void {
    const side = isOrig ? 0 : 1;
    if (this.encrypted[side]) { this.ciphertext(); return; }
    const msg = b[p + 2];
    if (this.recordLayer === UNKNOWN) {
      if (msg === 1 && isOrig) {
        const v = b.readUInt16BE(p + 3);
        if (!(v === SSLv2 || isRecordVersion(v))) { this.fail(`Invalid version in SSL client hello. Version: ${v}`); return; }
      } else if (msg === 4 && !isOrig && b[p + 4] < 2) {
        this.recordLayer = SSLv2;
      } else {
        this.fail(`Invalid headers in SSL connection. Head1: ${b[p + 1]}, head2: ${msg}, head3: ${b[p + 3]}`);
        return;
      }
    }
    this.s.start();
    switch (msg) {
      case 1: {
        const h = parseV2ClientHello(b, p + 3, end);
        if (!h) { this.ctx.weird('SSL_malformed_client_hello'); return; }
        this.s.addHistory(true, 'c');
        this.clientHello(h);
        if (this.s.inspecting) this.ctx.inspect(clientHelloUnit(h, isOrig));
        return;
      }
      case 4: { // SERVER-HELLO: session-id-hit, cert type, version, lengths
        if (end - p < 13) { this.ctx.weird('SSL_malformed_server_hello'); return; }
        const version = b.readUInt16BE(p + 5);
        const certLen = b.readUInt16BE(p + 7);
        const ciphLen = b.readUInt16BE(p + 9);
        const q = p + 13;
        if (version !== SSLv2 || q + certLen + ciphLen > end) { this.fail(`Invalid version in SSL server hello. Version: ${version}`); return; }
        const c = q + certLen;
        this.s.v2ServerHello(version, ciphLen >= 3 ? (b[c] << 16) | (b[c + 1] << 8) | b[c + 2] : undefined);
        this.confirm();
        if (certLen > 0) this.s.certificates(false, [b.subarray(q, q + certLen)]);
        return;
      }
      case 2: // CLIENT-MASTER-KEY: both sides encrypt from here on
        this.encrypted[0] = this.encrypted[1] = true;
        this.s.established = true;
        this.s.write();
        this.stopped = true;
        return;
      case 0:
        return; // ERROR
      default:
        this.fail(`unknown SSL record type (${300 + msg}) from ${isOrig ? 'originator' : 'responder'}`);
    }
  }

  // ---- handshake layer ----

  private handshakeBytes(isOrig: boolean, buf: Buffer, s: number, e: number): void {
    const side = isOrig ? 0 : 1;
    if (this.hsSkip[side] > 0) {
      const n = Math.min(this.hsSkip[side], e - s);
      this.hsSkip[side] -= n;
      s += n;
      if (s >= e) return;
    }
    let b = buf;
    const prev = this.hsPending[side];
    if (prev) {
      b = Buffer.concat([prev, buf.subarray(s, e)]);
      s = 0;
      e = b.length;
      this.hsPending[side] = undefined;
    }
    while (e - s >= 4 && !this.stopped) {
      const type = b[s];
      const len = (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3];
      if (len > LIMITS.sslMaxHandshakeMessage) {
        this.ctx.weird('SSL_handshake_message_too_large', `type ${type}, ${len} bytes`);
        const have = e - s - 4;
        if (have >= len) { s += 4 + len; continue; }
        this.hsSkip[side] = len - have;
        return;
      }
      if (e - s - 4 < len) break;
      this.message(isOrig, type, b, s + 4, s + 4 + len);
      s += 4 + len;
    }
    if (!this.stopped && e > s) this.hsPending[side] = Buffer.from(b.subarray(s, e));
  }

  private message(isOrig: boolean, type: number, b: Buffer, s: number, e: number): void {
    if (type === HS_CLIENT_HELLO && !this.helloSeen && !isOrig) {
      this.flipped = true;
      this.s.flipped();
    }
    if (type === HS_CLIENT_HELLO || type === HS_SERVER_HELLO) this.helloSeen = true;
    const isClient = isOrig !== this.flipped;
    switch (type) {
      case HS_CLIENT_HELLO: {
        const h = parseClientHello(b, s, e);
        if (!h) { this.ctx.weird('SSL_malformed_client_hello'); break; }
        if (!isHelloVersion(h.version)) { this.fail(`unsupported client SSL version 0x${h.version.toString(16).padStart(4, '0')}`); return; }
        this.clientHello(h);
        if (this.s.inspecting) this.ctx.inspect(clientHelloUnit(h, isOrig, this.s));
        break;
      }
      case HS_SERVER_HELLO: {
        const h = parseServerHello(b, s, e);
        if (!h) { this.ctx.weird('SSL_malformed_server_hello'); break; }
        if (!isHelloVersion(h.version)) { this.fail(`unsupported server SSL version 0x${h.version.toString(16).padStart(4, '0')}`); return; }
        this.s.serverHello(h);
        this.confirm();
        if (this.s.inspecting) this.ctx.inspect(serverHelloUnit(h, this.s.versionNum!, isOrig));
        break;
      }
      case HS_CERTIFICATE:
        if (!this.s.tls13Like()) this.s.certificateMessage(isClient, b, s, e);
        break;
      case HS_SERVER_KEY_EXCHANGE:
        this.s.serverKeyExchange(b, s, e);
        break;
      case HS_CLIENT_KEY_EXCHANGE:
        if (isClient) this.s.clientKeyExchange();
        break;
    }
    this.s.addHistory(isClient, type === HS_SERVER_HELLO ? this.s.serverHelloLetter() : historyLetter(type));
  }

  private clientHello(h: ClientHello): void {
    this.s.clientHello(h);
    this.confirm();
  }

  private confirm(): void {
    if (this.confirmed) return;
    this.confirmed = true;
    this.ctx.confirm();
  }
}
