/**
 * SSH (ssh.log), following Zeek's SSH analyzer (src/analyzer/protocol/ssh/*.pac, SSH.cc) and
 * scripts/base/protocols/ssh/main.zeek:
 * - identification lines of both sides (a server's lines before its "SSH-" line are skipped);
 * - SSH2 cleartext binary packets up to NEWKEYS: each side's first KEXINIT (negotiated
 *   algorithms, HASSH/HASSHServer), the key exchange reply's host key (MD5 fingerprint);
 * - after NEWKEYS, the sizes of the server's encrypted TCP deliveries feed Zeek's
 *   authentication heuristic (auth_success, auth_attempts).
 * SSH1: the server's public key message gives the host key. After a content gap nothing more is
 * parsed on either side (Zeek's had_gap).
 */
import { createHash } from 'node:crypto';
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';
import { SSH_LOG } from './ssh-log.js';
import { bannerUnit, hasshUnit } from './inspection.js';

const MSG_KEXINIT = 20;
const MSG_NEWKEYS = 21;

/** Zeek's binpac version constants. */
const enum V { UNK = 0, SSH1 = 1, SSH2 = 2, SSH199 = 3 }

/** Key exchange states (the message numbers 30..49 depend on the negotiated method). */
const enum Kex { Init, Dh, DhGex, Ecc, Gss, Rsa, Unknown }

const enum Phase { Banner, Packets, Encrypted, Dead }

/** Zeek's compression_algorithms: with these the size heuristic cannot judge authentication. */
const COMPRESSION = new Set(['zlib', 'zlib@openssh.com']);

export interface Capabilities {
  kex: string[];
  hostKey: string[];
  encC2S: string[];
  encS2C: string[];
  macC2S: string[];
  macS2C: string[];
  cmpC2S: string[];
  cmpS2C: string[];
  /** Raw lists for HASSH, as on the wire (text-escaped). */
  raw: string[];
}

class Side {
  phase = Phase.Banner;
  /** Bytes of an incomplete line or packet carried to the next chunk. */
  pending: Buffer | undefined;
  preBannerLines = 0;
}

/** Zeek's find_alg: the first client algorithm the server also supports. */
export function findAlg(client: readonly string[], server: readonly string[]): string {
  for (const c of client) if (server.includes(c)) return c;
  return 'Algorithm negotiation failed';
}

function findBidirectional(cC2S: string[], cS2C: string[], sC2S: string[], sS2C: string[]): string {
  const a = findAlg(cC2S, sC2S);
  const b = findAlg(cS2C, sS2C);
  return a === b ? a : `To server: ${a}, to client: ${b}`;
}

/** The connection's major version per main.zeek's set_version (undefined: not decided). */
export function scriptVersion(client: string, server: string): number | undefined {
  if (client.length <= 4 || server.length <= 4) return undefined;
  const c4 = client[4], s4 = server[4];
  const c99 = client.length > 7 && client[6] === '9' && client[7] === '9';
  const s99 = server.length > 7 && server[6] === '9' && server[7] === '9';
  if (c4 === '1' && s4 === '2') return c99 ? 2 : 0;
  if (c4 === '2' && s4 === '1') return s99 ? 2 : 0;
  if (c4 === '1' && s4 === '1') return s99 ? (c99 ? 2 : 1) : 1;
  if (c4 === '2' && s4 === '2') return 2;
  return undefined;
}

function bannerVersion(line: Buffer): V {
  if (line.length < 5) return V.UNK;
  if (line[4] === 0x32) return V.SSH2;
  if (line[4] === 0x31) return line.length >= 8 && line[6] === 0x39 && line[7] === 0x39 ? V.SSH199 : V.SSH1;
  return V.UNK;
}

function md5Fingerprint(buf: Buffer, off: number, end: number): string {
  const hex = createHash('md5').update(buf.subarray(off, end)).digest('hex');
  let out = hex.slice(0, 2);
  for (let i = 2; i < 32; i += 2) out += ':' + hex.slice(i, i + 2);
  return out;
}

/** An SSH string (uint32 length + bytes) at p[off]; -1 if it does not fit before end. */
function stringEnd(p: Buffer, off: number, end: number): number {
  if (off + 4 > end) return -1;
  const n = p.readUInt32BE(off);
  return n > end - off - 4 ? -1 : off + 4 + n;
}

/** Parses a KEXINIT payload (after the message type); undefined if malformed. */
export function parseKexinit(p: Buffer, off: number, end: number, weird?: (n: string) => void): Capabilities | undefined {
  let i = off + 16; // cookie
  if (i > end) return undefined;
  const lists: string[][] = [];
  const raw: string[] = [];
  for (let k = 0; k < 10; k++) {
    const e = stringEnd(p, i, end);
    if (e < 0) return undefined;
    const text = wireText(p, i + 4, e);
    raw.push(text);
    if (k < 8) {
      let names = text.split(',');
      if (names.length > LIMITS.sshMaxAlgorithms) {
        names = names.slice(0, LIMITS.sshMaxAlgorithms);
        weird?.('SSH_max_kexinit_algorithms_exceeded');
      }
      lists.push(names);
    }
    i = e;
  }
  if (i + 5 > end) return undefined; // first_kex_packet_follows, reserved
  return {
    kex: lists[0], hostKey: lists[1], encC2S: lists[2], encS2C: lists[3], macC2S: lists[4], macS2C: lists[5],
    cmpC2S: lists[6], cmpS2C: lists[7], raw,
  };
}

function kexState(alg: string): Kex {
  if (alg === 'rsa1024-sha1' || alg === 'rsa2048-sha256') return Kex.Rsa;
  if (alg === 'diffie-hellman-group1-sha1' || alg === 'diffie-hellman-group14-sha1') return Kex.Dh;
  if (alg === 'diffie-hellman-group-exchange-sha1' || alg === 'diffie-hellman-group-exchange-sha256') return Kex.DhGex;
  if (alg.startsWith('gss-')) return Kex.Gss;
  if (alg.startsWith('ecdh-sha2-') || alg === 'ecmqv-sha2' || alg.startsWith('curve25519-sha256')) return Kex.Ecc;
  return Kex.Unknown;
}

export class SshAnalyzer implements StreamAnalyzer {
  private readonly orig = new Side();
  private readonly resp = new Side();
  private rec: LogRecord | undefined;
  private logged = false;
  private clientV = V.UNK;
  private serverV = V.UNK;
  /** Zeek's binpac version_ (decides how packets are framed and whether the heuristic runs). */
  private version = V.UNK;
  private kex = Kex.Init;
  private clientCaps: Capabilities | undefined;
  private serverCaps: Capabilities | undefined;
  private hadGap = false;
  private confirmed = false;
  // Zeek's authentication heuristic state (SSH.cc)
  private authDecisionMade = false;
  private skippedBanner = false;
  private sawEncryptedClientData = false;
  private serviceAcceptSize = 0;
  private userauthFailureSize = 0;

  /** The detection engine wants SSH units. */
  private readonly inspecting: boolean;

  constructor(private readonly ctx: AnalyzerContext) {
    this.inspecting = ctx.inspecting('ssh');
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.hadGap || len <= 0) return;
    const side = isOrig ? this.orig : this.resp;
    if (side.phase === Phase.Dead) return;
    if (side.phase === Phase.Encrypted) {
      this.encryptedSegment(len, isOrig);
      return;
    }
    this.feed(isOrig, side, buf, off, off + len);
  }

  private feed(isOrig: boolean, side: Side, buf: Buffer, off: number, end0: number): void {
    let b = buf, i = off, end = end0;
    if (side.pending) {
      b = Buffer.concat([side.pending, buf.subarray(off, end0)]);
      i = 0;
      end = b.length;
      side.pending = undefined;
    }
    while (i < end && side.phase !== Phase.Dead) {
      let next: number;
      if (side.phase === Phase.Banner) next = this.line(isOrig, side, b, i, end);
      else if (side.phase === Phase.Packets) next = this.packet(isOrig, side, b, i, end);
      else {
        // NEWKEYS ended this side's cleartext: the rest of the delivery is encrypted (Zeek
        // counts those bytes as one encrypted segment).
        this.encryptedSegment(end - i, isOrig);
        return;
      }
      if (next < 0) {
        if ((side.phase as Phase) !== Phase.Dead) side.pending = Buffer.from(b.subarray(i, end));
        return;
      }
      i = next;
    }
  }

  gap(_isOrig: boolean, _len: number): void {
    this.hadGap = true;
    this.orig.pending = this.resp.pending = undefined;
  }

  eof(_isOrig: boolean): void {}

  done(): void {
    if (this.rec && !this.logged) {
      this.logged = true;
      this.ctx.log(SSH_LOG, this.rec);
    }
  }

  private record(): LogRecord {
    if (!this.rec) {
      // Zeek's direction: relative to the local networks, when exactly one side is local.
      const { origLocal, respLocal } = this.ctx.conn;
      const direction = origLocal && respLocal === false ? 'OUTBOUND' : origLocal === false && respLocal ? 'INBOUND' : undefined;
      this.rec = { ts: this.ctx.now(), ...this.ctx.connFields(), direction, auth_attempts: 0 };
    }
    return this.rec;
  }

  /** One identification line at b[i..end): the index after it, or -1 for more bytes. */
  private line(isOrig: boolean, side: Side, b: Buffer, i: number, end: number): number {
    const limit = Math.min(end, i + LIMITS.sshMaxBannerBytes);
    let nl = b.indexOf(0x0a, i);
    if (nl < 0 || nl >= limit) {
      if (end - i < LIMITS.sshMaxBannerBytes) return -1;
      this.ctx.weird('ssh_banner_too_long');
      this.stop(side, 'SSH identification line too long');
      return -1;
    }
    let e = nl;
    if (e > i && b[e - 1] === 0x0d) e--;
    const isSsh = e - i >= 4 && b[i] === 0x53 && b[i + 1] === 0x53 && b[i + 2] === 0x48 && b[i + 3] === 0x2d;
    if (!isSsh) {
      // Servers may send other lines first (RFC 4253 §4.2); a client may not.
      if (isOrig || ++side.preBannerLines > LIMITS.sshMaxPreBannerLines) {
        this.ctx.weird('malformed_ssh_identification');
        this.stop(side, 'malformed ssh identification');
        return -1;
      }
      return nl + 1;
    }
    const text = wireText(b, i, e);
    const rec = this.record();
    const v = bannerVersion(b.subarray(i, e));
    if (isOrig) { rec.client = text; this.clientV = v; } else { rec.server = text; this.serverV = v; }
    if (this.inspecting) this.ctx.inspect(bannerUnit(b, i, e, isOrig));
    this.updateVersion();
    if (typeof rec.client === 'string' && typeof rec.server === 'string') {
      const sv = scriptVersion(rec.client, rec.server);
      if (sv !== undefined) rec.version = sv;
    }
    side.phase = Phase.Packets;
    // Packets of the other side that waited for the version can be read now.
    const other = isOrig ? this.resp : this.orig;
    if (this.version === V.SSH2 && other.phase === Phase.Packets && other.pending) {
      const p = other.pending;
      other.pending = undefined;
      this.feed(!isOrig, other, p, 0, p.length);
    }
    return nl + 1;
  }

  /** binpac's update_version. */
  private updateVersion(): void {
    const c = this.clientV, s = this.serverV;
    if (s === c) this.version = s === V.SSH199 ? V.SSH2 : s;
    else if ((c === V.SSH1 && s === V.SSH2) || (c === V.SSH2 && s === V.SSH1)) this.version = V.UNK;
    else if (c === V.SSH199 && s === V.SSH2) this.version = V.SSH2;
    else if (c === V.SSH2 && s === V.SSH199) this.version = V.SSH2;
    else if (c === V.SSH1 && s === V.SSH199) this.version = V.SSH1;
    else if (c === V.SSH199 && s === V.SSH1) this.version = V.SSH1;
  }

  /** One SSH2 binary packet at b[i..end): the index after it, or -1 for more bytes. */
  private packet(isOrig: boolean, side: Side, b: Buffer, i: number, end: number): number {
    if (this.version === V.SSH1) return this.packet1(isOrig, side, b, i, end);
    if (this.version !== V.SSH2) {
      // Before the other banner the framing is unknown (the bytes wait, bounded, for it); an
      // undecided version (1 against 2) cannot be framed at all.
      if ((this.clientV !== V.UNK && this.serverV !== V.UNK) || end - i > LIMITS.sshMaxPacketBytes) {
        side.phase = Phase.Dead;
        side.pending = undefined;
      }
      return -1;
    }
    if (end - i < 4) return -1;
    const plen = b.readUInt32BE(i);
    if (plen > LIMITS.sshMaxPacketBytes) {
      this.ctx.weird('SSH_max_packet_length_exceeded', `${plen} > ${LIMITS.sshMaxPacketBytes}`);
      this.stop(side);
      return -1;
    }
    if (end - i - 4 < plen) return -1;
    const pend = i + 4 + plen;
    if (plen < 2 || b[i + 4] > plen - 2) {
      this.ctx.weird('ssh_malformed_packet');
      this.stop(side);
      return -1;
    }
    const type = b[i + 5];
    const payEnd = pend - b[i + 4];
    this.message(isOrig, side, type, b, i + 6, payEnd);
    return pend;
  }

  /**
   * One SSH1 packet: length, 8 - length % 8 bytes of padding, type, data, CRC. As Zeek's grammar,
   * a side's first SSH1 message ends its cleartext; the server's SMSG_PUBLIC_KEY gives the host
   * key fingerprint (MD5 of modulus then exponent), the client's CMSG_SESSION_KEY confirms.
   */
  private packet1(isOrig: boolean, side: Side, b: Buffer, i: number, end: number): number {
    if (end - i < 4) return -1;
    const plen = b.readUInt32BE(i);
    if (plen > LIMITS.sshMaxPacketBytes) {
      this.ctx.weird('SSH_max_packet_length_exceeded', `${plen} > ${LIMITS.sshMaxPacketBytes}`);
      this.stop(side);
      return -1;
    }
    const pad = 8 - (plen % 8);
    if (end - i - 4 < pad + plen) return -1;
    if (plen < 5) {
      this.ctx.weird('ssh_malformed_packet');
      this.stop(side);
      return -1;
    }
    const t = i + 4 + pad;
    const type = b[t];
    const dataEnd = t + plen - 4; // before the CRC
    if (type === 2 && !isOrig) {
      // cookie, server key bits, server exponent and modulus, host key bits, host exponent, modulus
      let k = t + 1 + 8 + 4;
      const mp = (): [number, number] | undefined => {
        if (k + 2 > dataEnd) return undefined;
        const n = (b.readUInt16BE(k) + 7) >> 3;
        const start = k + 2;
        if (start + n > dataEnd) return undefined;
        k = start + n;
        return [start, k];
      };
      const ok = mp() && mp() && (k += 4) <= dataEnd;
      const e = ok ? mp() : undefined;
      const m = e ? mp() : undefined;
      if (e && m) {
        const digest = createHash('md5').update(b.subarray(m[0], m[1])).update(b.subarray(e[0], e[1])).digest('hex');
        this.record().host_key = digest.match(/../g)!.join(':');
      } else this.ctx.weird('ssh_malformed_public_key');
    }
    if (type === 3 && isOrig && !this.confirmed) {
      this.confirmed = true;
      this.ctx.confirm();
    }
    side.phase = Phase.Encrypted;
    return t + plen;
  }

  private message(isOrig: boolean, side: Side, type: number, b: Buffer, off: number, end: number): void {
    if (type === MSG_NEWKEYS) {
      side.phase = Phase.Encrypted;
      if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
      return;
    }
    if (this.kex === Kex.Init) {
      if (type === MSG_KEXINIT) this.kexinit(isOrig, b, off, end);
      return;
    }
    // The host key: KEXDH_REPLY (31) for DH, KEX_DH_GEX_REPLY (33), KEX_ECDH_REPLY (31),
    // KEXGSS_HOSTKEY (33), as Zeek's binpac grammar.
    let hostKey = false;
    if (this.kex === Kex.Dh || this.kex === Kex.Ecc) hostKey = type === 31;
    else if (this.kex === Kex.DhGex || this.kex === Kex.Gss) hostKey = type === 33;
    if (!hostKey) return;
    const e = stringEnd(b, off, end);
    if (e < 0) {
      this.ctx.weird('ssh_malformed_kex_reply');
      return;
    }
    this.record().host_key = md5Fingerprint(b, off + 4, e);
  }

  private kexinit(isOrig: boolean, b: Buffer, off: number, end: number): void {
    if (isOrig ? this.clientCaps : this.serverCaps) return;
    const caps = parseKexinit(b, off, end, (n) => this.ctx.weird(n));
    if (!caps) {
      // After valid banners this is still SSH: Zeek's record survives (no violation here).
      this.ctx.weird('ssh_malformed_kexinit');
      return;
    }
    const rec = this.record();
    const hasshText = isOrig
      ? `${caps.raw[0]};${caps.raw[2]};${caps.raw[4]};${caps.raw[6]}`
      : `${caps.raw[0]};${caps.raw[3]};${caps.raw[5]};${caps.raw[7]}`;
    const hash = createHash('md5').update(hasshText, 'utf8').digest('hex');
    if (isOrig) { this.clientCaps = caps; rec.hassh = hash; rec.hasshAlgorithms = hasshText; }
    else { this.serverCaps = caps; rec.hasshServer = hash; rec.hasshServerAlgorithms = hasshText; }
    if (this.inspecting) this.ctx.inspect(hasshUnit(hash, hasshText, isOrig));
    const c = this.clientCaps, s = this.serverCaps;
    if (!c || !s) return;
    rec.cipher_alg = findBidirectional(c.encC2S, c.encS2C, s.encC2S, s.encS2C);
    rec.mac_alg = findBidirectional(c.macC2S, c.macS2C, s.macC2S, s.macS2C);
    rec.compression_alg = findBidirectional(c.cmpC2S, c.cmpS2C, s.cmpC2S, s.cmpS2C);
    rec.kex_alg = findAlg(c.kex, s.kex);
    rec.host_key_alg = findAlg(c.hostKey, s.hostKey);
    // binpac's update_kex: the key exchange method decides how messages 30..49 are read.
    for (const alg of c.kex) {
      if (!s.kex.includes(alg)) continue;
      const k = kexState(alg);
      if (k === Kex.Unknown) this.ctx.weird('ssh_unknown_kex_algorithm', alg);
      else this.kex = k;
      break;
    }
  }

  /** This side is not parsed any more; a reason makes it a protocol violation (not SSH at all). */
  private stop(side: Side, reason?: string): void {
    side.phase = Phase.Dead;
    side.pending = undefined;
    if (reason) this.ctx.violation(reason);
  }

  /** SSH.cc ProcessEncryptedSegment / ProcessEncrypted: the size heuristic. */
  private encryptedSegment(len: number, isOrig: boolean): void {
    if (this.authDecisionMade || this.version !== V.SSH2) return;
    if (isOrig) {
      this.sawEncryptedClientData = true;
      return;
    }
    if (!this.sawEncryptedClientData) return;
    if (!this.serviceAcceptSize) {
      this.serviceAcceptSize = len;
      return;
    }
    if (!this.userauthFailureSize && len + 16 === this.serviceAcceptSize) {
      this.authDecisionMade = true;
      this.authAttempted(true);
      return;
    }
    if (!this.userauthFailureSize) {
      if (!this.skippedBanner && len - this.serviceAcceptSize > 256) {
        this.skippedBanner = true;
        return;
      }
      this.userauthFailureSize = len;
      return;
    }
    if (len === this.userauthFailureSize) {
      this.authAttempted(false);
      return;
    }
    if (len - this.serviceAcceptSize === -16) {
      this.authDecisionMade = true;
      this.authAttempted(true);
    }
  }

  /** main.zeek's ssh_auth_attempted handlers. */
  private authAttempted(authenticated: boolean): void {
    const rec = this.rec;
    if (!rec || rec.auth_success === true) return;
    if (typeof rec.compression_alg === 'string' && COMPRESSION.has(rec.compression_alg)) return;
    rec.auth_success = authenticated;
    rec.auth_attempts = (rec.auth_attempts as number) + 1;
    if (authenticated && !this.logged) {
      this.logged = true;
      this.ctx.log(SSH_LOG, rec);
      // Zeek detaches the analyzer after a success (disable_analyzer_after_detection).
      this.orig.phase = this.resp.phase = Phase.Dead;
    }
  }
}
