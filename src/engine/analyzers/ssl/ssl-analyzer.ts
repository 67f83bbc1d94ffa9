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
import { parseCertificate, certMatchesHost, type X509Info } from '../x509/x509.js';
import { X509_LOG, x509Record } from '../x509/x509-log.js';
import { cipherName } from './cipher-names.js';
import { HRR_RANDOM, SSLv2, TLSv12, TLSv13, alertName, curveName, historyLetter, isHelloVersion, isRecordVersion, versionName } from './consts.js';
import { ja3, ja3s, ja4 } from './fingerprints.js';
import { type ClientHello, parseClientHello, parseServerHello, parseV2ClientHello } from './hello.js';
import { SSL_LOG } from './ssl-log.js';

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
  private established = false;
  private logged = false;
  /** The ClientHello came from the responder: roles are swapped (Zeek's ssl_connection_flipped). */
  private flipped = false;
  private helloSeen = false;

  // ssl.log state (Zeek's SSL::Info)
  private ts: number | undefined;
  private versionNum: number | undefined;
  private version: string | undefined;
  private cipher: string | undefined;
  private curve: string | undefined;
  private serverName: string | undefined;
  private sessionId: string | undefined;
  private resumed = false;
  private ticketEmptySession = false;
  private clientKeyExchangeSeen = false;
  private clientPskSeen = false;
  private lastAlert: string | undefined;
  private nextProtocol: string | undefined;
  private history = '';
  private hrrSeen = false;
  private certSeen = false;
  private serverChain: X509Info[] = [];
  private clientChain: X509Info[] = [];
  private loggedCerts = new Set<string>();
  private ja3: string | undefined;
  private ja3s: string | undefined;
  private ja4: string | undefined;
  private ech: boolean | undefined;

  constructor(private readonly ctx: AnalyzerContext) {}

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
    this.writeLog();
  }

  // ---- record layer ----

  private fail(reason: string): void {
    this.stopped = true;
    this.pending = [undefined, undefined];
    this.ctx.violation(reason);
  }

  private session(): void {
    if (this.ts === undefined) this.ts = this.ctx.now();
  }

  private addHistory(isClient: boolean, letter: string): void {
    if (this.history.length >= LIMITS.sslMaxHistory) return;
    this.history += isClient ? letter.toUpperCase() : letter;
    if (this.history.length === LIMITS.sslMaxHistory) this.ctx.weird('SSL_max_ssl_history_length_reached');
  }

  /** Zeek's determine_state: application data starts encryption once TLS 1.3 (or anything not
   *  known to be older) was negotiated. */
  private tls13Like(): boolean {
    const v = this.versionNum;
    return v === undefined || !(v === SSLv2 || (v >= 0x0300 && v <= TLSv12));
  }

  private isCiphertext(side: number, type: number): boolean {
    return this.encrypted[side] || (type === CT_APPDATA && this.tls13Like());
  }

  private tlsRecord(isOrig: boolean, type: number, b: Buffer, s: number, e: number): void {
    const side = isOrig ? 0 : 1;
    if (this.isCiphertext(side, type)) {
      this.encrypted[side] = true;
      this.ciphertext();
      return;
    }
    this.session();
    const isClient = isOrig !== this.flipped;
    switch (type) {
      case CT_CCS:
        this.addHistory(isClient, 'i');
        if (isClient && this.ticketEmptySession && !this.clientKeyExchangeSeen) this.resumed = true;
        this.encrypted[side] = true;
        return;
      case CT_ALERT:
        for (let q = s; q + 2 <= e; q += 2) {
          this.addHistory(isClient, 'l');
          this.lastAlert = alertName(b[q + 1]);
        }
        return;
      case CT_HANDSHAKE:
        this.handshakeBytes(isOrig, b, s, e);
        return;
      case CT_APPDATA:
        if (this.version !== undefined && !this.established) this.ctx.weird('ssl_early_application_data');
        return;
      case CT_HEARTBEAT:
        this.addHistory(isClient, 'b');
        return;
      default:
        this.fail(`unknown SSL record type (${type}) from ${isOrig ? 'originator' : 'responder'}`);
    }
  }

  private ciphertext(): void {
    if (this.encrypted[0] && this.encrypted[1] && !this.established) {
      this.established = true;
      this.session();
      this.writeLog();
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
    this.session();
    switch (msg) {
      case 1: {
        const h = parseV2ClientHello(b, p + 3, end);
        if (!h) { this.ctx.weird('SSL_malformed_client_hello'); return; }
        this.addHistory(true, 'c');
        this.clientHello(h);
        return;
      }
      case 4: { // SERVER-HELLO: session-id-hit, cert type, version, lengths
        if (end - p < 11) { this.ctx.weird('SSL_malformed_server_hello'); return; }
        const version = b.readUInt16BE(p + 5);
        const certLen = b.readUInt16BE(p + 7);
        const ciphLen = b.readUInt16BE(p + 9);
        const q = p + 13;
        if (version !== SSLv2 || q + certLen + ciphLen > end) { this.fail(`Invalid version in SSL server hello. Version: ${version}`); return; }
        this.addHistory(false, 's');
        if (this.versionNum === undefined) { this.versionNum = version; this.version = versionName(version); }
        if (ciphLen >= 3) {
          const c = (b[q + certLen] << 16) | (b[q + certLen + 1] << 8) | b[q + certLen + 2];
          this.cipher = cipherName(c);
        }
        if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
        if (certLen > 0) this.certificates(false, [Buffer.from(b.subarray(q, q + certLen))]);
        return;
      }
      case 2: // CLIENT-MASTER-KEY: both sides encrypt from here on
        this.encrypted[0] = this.encrypted[1] = true;
        this.established = true;
        this.writeLog();
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
      this.history += '^';
    }
    if (type === HS_CLIENT_HELLO || type === HS_SERVER_HELLO) this.helloSeen = true;
    const isClient = isOrig !== this.flipped;
    switch (type) {
      case HS_CLIENT_HELLO: {
        const h = parseClientHello(b, s, e);
        if (!h) { this.ctx.weird('SSL_malformed_client_hello'); break; }
        if (!isHelloVersion(h.version)) { this.fail(`unsupported client SSL version 0x${h.version.toString(16).padStart(4, '0')}`); return; }
        this.clientHello(h);
        break;
      }
      case HS_SERVER_HELLO: {
        const h = parseServerHello(b, s, e);
        if (!h) { this.ctx.weird('SSL_malformed_server_hello'); break; }
        if (!isHelloVersion(h.version)) { this.fail(`unsupported server SSL version 0x${h.version.toString(16).padStart(4, '0')}`); return; }
        // Extension events come first in Zeek: supported_versions overrides the hello version.
        if (h.selectedVersion !== undefined) { this.versionNum = h.selectedVersion; this.version = versionName(h.selectedVersion); }
        if (h.keyShareGroup !== undefined) this.curve = curveName(h.keyShareGroup);
        if (h.alpn.length > 0) this.nextProtocol = h.alpn[0];
        if (h.psk && this.clientPskSeen) this.resumed = true;
        if (this.versionNum === undefined) { this.versionNum = h.version; this.version = versionName(h.version); }
        this.cipher = cipherName(h.cipher);
        if (h.random.equals(HRR_RANDOM)) this.hrrSeen = true;
        const v = this.versionNum;
        if (this.sessionId !== undefined && this.sessionId !== '' && this.sessionId === h.sessionId && Math.floor(v / 0xff) !== 0x7f && v !== TLSv13) this.resumed = true;
        this.ja3s = ja3s(h);
        if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
        break;
      }
      case HS_CERTIFICATE:
        if (!this.tls13Like()) this.certificateMessage(isClient, b, s, e);
        break;
      case HS_SERVER_KEY_EXCHANGE:
        // ECDHE ServerECDHParams: curve_type named_curve(3), NamedCurve (RFC 8422 §5.4).
        if (this.cipher !== undefined && /_ECDHE_|_ECDH_ANON_/.test(this.cipher) && e - s >= 3 && b[s] === 3) this.curve = curveName(b.readUInt16BE(s + 1));
        break;
      case HS_CLIENT_KEY_EXCHANGE:
        if (isClient) this.clientKeyExchangeSeen = true;
        break;
    }
    if (type === HS_SERVER_HELLO && this.hrrSeen) {
      this.addHistory(isClient, 'j');
      this.hrrSeen = false;
    } else this.addHistory(isClient, historyLetter(type));
  }

  private clientHello(h: ClientHello): void {
    if (h.sessionId !== '') {
      this.sessionId = h.sessionId;
      this.ticketEmptySession = false;
    } else if (h.ticket) this.ticketEmptySession = true;
    if (h.psk) this.clientPskSeen = true;
    if (h.serverNames.length > 0) {
      this.serverName = h.serverNames[0];
      if (h.serverNames.length > 1) this.ctx.weird('SSL_many_server_names', h.serverNames.join(','));
    }
    this.ech = h.ech;
    if (!h.v2) {
      this.ja3 = ja3(h);
      this.ja4 = ja4(h);
    }
    if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
  }

  /** Certificate message, TLS <= 1.2 form: a 24-bit list length, then 24-bit length + DER each. */
  private certificateMessage(isOrig: boolean, b: Buffer, s: number, e: number): void {
    if (e - s < 3) { this.ctx.weird('SSL_malformed_certificate'); return; }
    const listEnd = s + 3 + ((b[s] << 16) | (b[s + 1] << 8) | b[s + 2]);
    if (listEnd > e) { this.ctx.weird('SSL_malformed_certificate'); return; }
    const ders: Buffer[] = [];
    for (let q = s + 3; q + 3 <= listEnd; ) {
      const n = (b[q] << 16) | (b[q + 1] << 8) | b[q + 2];
      if (q + 3 + n > listEnd) { this.ctx.weird('SSL_malformed_certificate'); break; }
      if (ders.length >= LIMITS.sslMaxCertificates) { this.ctx.weird('SSL_too_many_certificates'); break; }
      ders.push(b.subarray(q + 3, q + 3 + n));
      q += 3 + n;
    }
    this.certificates(isOrig, ders);
  }

  private certificates(isOrig: boolean, ders: Buffer[]): void {
    const now = this.ctx.now();
    const chain = isOrig ? this.clientChain : this.serverChain;
    for (let i = 0; i < ders.length; i++) {
      const der = ders[i];
      this.certSeen = true;
      // Zeek hands each certificate to the files framework: the first of a chain as the host's
      // certificate, the others as CA certificates.
      const f = this.ctx.files.begin({ source: 'SSL', isOrig, mimeHint: i === 0 ? 'application/x-x509-user-cert' : 'application/x-x509-ca-cert', totalBytes: der.length, depth: i });
      f.data(der, 0, der.length);
      f.end();
      const info = parseCertificate(der);
      if (!info) { this.ctx.weird('x509_certificate_parsing_failed'); continue; }
      chain.push(info);
      // x509.log deduplicates by (fingerprint, host_cert, client_cert) (X509::known_log_certs).
      const key = `${info.fingerprint}:${i === 0}:${isOrig}`;
      if (!this.loggedCerts.has(key)) {
        this.loggedCerts.add(key);
        this.ctx.log(X509_LOG, x509Record(now, info, i === 0, isOrig));
      }
    }
  }

  // ---- ssl.log ----

  private writeLog(): void {
    if (this.logged || this.ts === undefined) return;
    this.logged = true;
    let sniMatches: boolean | undefined;
    if (this.serverName !== undefined && this.serverChain.length > 0) sniMatches = certMatchesHost(this.serverChain[0], this.serverName);
    this.ctx.log(SSL_LOG, {
      ts: this.ts,
      ...this.ctx.connFields(),
      version: this.version,
      cipher: this.cipher,
      curve: this.curve,
      server_name: this.serverName,
      resumed: this.resumed,
      last_alert: this.lastAlert,
      next_protocol: this.nextProtocol,
      established: this.established,
      ssl_history: this.history,
      cert_chain_fps: this.certSeen ? this.serverChain.map((c) => c.fingerprint) : undefined,
      client_cert_chain_fps: this.certSeen ? this.clientChain.map((c) => c.fingerprint) : undefined,
      sni_matches_cert: sniMatches,
      ja3: this.ja3,
      ja3s: this.ja3s,
      ja4: this.ja4,
      ech: this.ech,
    });
  }
}
