/**
 * What ssl.log and x509.log say about one connection, built the way Zeek's base scripts build
 * SSL::Info from the analyzer's events (scripts/base/protocols/ssl/main.zeek, files.zeek, and
 * base/files/x509/main.zeek): version, cipher, curve, SNI, resumption, alerts, ALPN, history,
 * certificate chains and the fingerprints.
 */
import type { AnalyzerContext } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { parseCertificate, certMatchesHost, type X509Info } from '../x509/x509.js';
import { X509_LOG, x509Record } from '../x509/x509-log.js';
import { cipherName } from './cipher-names.js';
import { HRR_RANDOM, SSLv2, TLSv12, TLSv13, alertName, curveName, versionName } from './consts.js';
import { ja3, ja3s, ja4 } from './fingerprints.js';
import type { ClientHello, ServerHello } from './hello.js';
import { SSL_LOG } from './ssl-log.js';
import { certificateUnit } from './inspection.js';

export class SslSession {
  /** Set at the first event (Zeek's set_session); nothing is logged without it. */
  ts: number | undefined;
  versionNum: number | undefined;
  version: string | undefined;
  cipher: string | undefined;
  curve: string | undefined;
  established = false;
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
  /** Fingerprints of the last hellos (ssl.log; the detection units reuse them). */
  ja3: string | undefined;
  private ja3s: string | undefined;
  ja4: string | undefined;
  private ech: boolean | undefined;
  private logged = false;
  private rolesFlipped = false;
  /** The detection engine wants TLS units. */
  readonly inspecting: boolean;

  constructor(private readonly ctx: AnalyzerContext) {
    this.inspecting = ctx.inspecting('tls');
  }

  start(): void {
    if (this.ts === undefined) this.ts = this.ctx.now();
  }

  /** Zeek's determine_state: application data starts encryption once TLS 1.3 (or anything not
   *  known to be older) was negotiated. */
  tls13Like(): boolean {
    const v = this.versionNum;
    return v === undefined || !(v === SSLv2 || (v >= 0x0300 && v <= TLSv12));
  }

  addHistory(isClient: boolean, letter: string): void {
    if (this.history.length >= LIMITS.sslMaxHistory) return;
    this.history += isClient ? letter.toUpperCase() : letter;
    if (this.history.length === LIMITS.sslMaxHistory) this.ctx.weird('SSL_max_ssl_history_length_reached');
  }

  /** The ClientHello came from the responder (ssl_connection_flipped). */
  flipped(): void {
    this.rolesFlipped = true;
    this.history += '^';
  }

  changeCipherSpec(isClient: boolean): void {
    this.addHistory(isClient, 'i');
    if (isClient && this.ticketEmptySession && !this.clientKeyExchangeSeen) this.resumed = true;
  }

  alert(isClient: boolean, desc: number): void {
    this.addHistory(isClient, 'l');
    this.lastAlert = alertName(desc);
  }

  clientKeyExchange(): void {
    this.clientKeyExchangeSeen = true;
  }

  /** The history letter of a ServerHello: 'j' when it was a HelloRetryRequest. */
  serverHelloLetter(): string {
    if (!this.hrrSeen) return 's';
    this.hrrSeen = false;
    return 'j';
  }

  clientHello(h: ClientHello): void {
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
  }

  serverHello(h: ServerHello): void {
    // Extension events come first in Zeek: supported_versions overrides the hello version.
    if (h.selectedVersion !== undefined) this.setVersion(h.selectedVersion);
    if (h.keyShareGroup !== undefined) this.curve = curveName(h.keyShareGroup);
    if (h.alpn.length > 0) this.nextProtocol = h.alpn[0];
    if (h.psk && this.clientPskSeen) this.resumed = true;
    if (this.versionNum === undefined) this.setVersion(h.version);
    this.cipher = cipherName(h.cipher);
    if (h.random.equals(HRR_RANDOM)) this.hrrSeen = true;
    const v = this.versionNum!;
    if (this.sessionId !== undefined && this.sessionId !== '' && this.sessionId === h.sessionId && Math.floor(v / 0xff) !== 0x7f && v !== TLSv13) this.resumed = true;
    this.ja3s = ja3s(h);
  }

  /** SSLv2 SERVER-HELLO: version and the first cipher kind the server lists. */
  v2ServerHello(version: number, cipher: number | undefined): void {
    this.addHistory(false, 's');
    if (this.versionNum === undefined) this.setVersion(version);
    if (cipher !== undefined) this.cipher = cipherName(cipher);
  }

  private setVersion(v: number): void {
    this.versionNum = v;
    this.version = versionName(v);
  }

  /** ServerKeyExchange of an ECDHE suite: ServerECDHParams curve_type named_curve(3), NamedCurve (RFC 8422 §5.4). */
  serverKeyExchange(b: Buffer, s: number, e: number): void {
    if (this.cipher !== undefined && /_ECDHE_|_ECDH_ANON_/.test(this.cipher) && e - s >= 3 && b[s] === 3) this.curve = curveName(b.readUInt16BE(s + 1));
  }

  /** Certificate message, TLS <= 1.2 form: a 24-bit list length, then 24-bit length + DER each. */
  certificateMessage(isClient: boolean, b: Buffer, s: number, e: number): void {
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
    this.certificates(isClient, ders);
  }

  certificates(isClient: boolean, ders: Buffer[]): void {
    const now = this.ctx.now();
    const chain = isClient ? this.clientChain : this.serverChain;
    let leaf: X509Info | undefined;
    for (let i = 0; i < ders.length; i++) {
      const der = ders[i];
      this.certSeen = true;
      if (chain.length >= LIMITS.sslMaxCertificates) {
        // Repeated Certificate messages (renegotiation, or a flood) must not grow state forever.
        this.ctx.weird('SSL_too_many_certificates');
        break;
      }
      // Zeek hands each certificate to the files framework: the first of a chain as the host's
      // certificate, the others as CA certificates.
      const f = this.ctx.files.begin({ source: 'SSL', isOrig: isClient, mimeType: i === 0 ? 'application/x-x509-user-cert' : 'application/x-x509-ca-cert', totalBytes: der.length, depth: i, logged: false });
      f.data(der, 0, der.length);
      f.end();
      const info = parseCertificate(der);
      if (!info) { this.ctx.weird('x509_certificate_parsing_failed'); continue; }
      if (i === 0) leaf = info;
      chain.push(info);
      // x509.log deduplicates by (fingerprint, host_cert, client_cert) (X509::known_log_certs);
      // we do it per connection (see the report: no engine-wide analyzer state yet).
      const key = `${info.fingerprint}:${i === 0}:${isClient}`;
      if (!this.loggedCerts.has(key)) {
        this.loggedCerts.add(key);
        this.ctx.log(X509_LOG, x509Record(now, info, i === 0, isClient));
      }
    }
    if (this.inspecting && ders.length > 0) this.ctx.inspect(certificateUnit(ders, leaf, isClient !== this.rolesFlipped));
  }

  /** Writes ssl.log once (at establishment, or when the connection ends). */
  write(): void {
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
