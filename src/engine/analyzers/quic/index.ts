/**
 * The QUIC analyzer (UDP 443, Zeek's quic_ports 443/853/784 are the ports; plus a strict probe on
 * any port): quic.log as base/protocols/quic/main.zeek writes it, one record per handshake
 * (a Retry, a CONNECTION_CLOSE in an Initial, or an unknown version closes a record early).
 * The client's Initial packets are opened with the keys everyone can derive (RFC 9001 §5.2,
 * RFC 9369 §3.3.1), their CRYPTO frames reassembled into the ClientHello, which the ssl
 * analyzer's parser reads (SNI, ALPN, and our own field ja4, QUIC variant). The server's Initial
 * is opened the same way for its ServerHello (history 's').
 *
 * Deliberate differences from Zeek (Spicy QUIC analyzer):
 * - A long-header packet whose Length runs past the captured bytes (snaplen) still counts in
 *   history and fills the connection IDs (weird QUIC_truncated_packet); Zeek's parser fails on it.
 * - Version 0xff00001f is "draft-31" (Zeek's table says "draft-30" twice).
 * - Initial packets of drafts 22-28 and mvfst versions are counted but not opened (other salts).
 * - A server that greases the QUIC bit (RFC 9287: fixed bit 0, even on its Initial) is seen
 *   as Zeek sees it: discarded packets (history 'x'), no server_scid, no 's'.
 * - A frame not allowed in Initial packets ends that packet's frames (weird
 *   QUIC_unhandled_frame_type); Zeek's parser throws there.
 */
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer, ProbeResult } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';
import { parseClientHello, parseServerHello, type ClientHello } from '../ssl/hello.js';
import { type InitialKeys, QUIC_V1, QUIC_V2, initialKeys, isDecryptableVersion, openInitial } from './initial-crypto.js';
import { LongType, parseInitialFrames, parseLongHeader } from './packet.js';
import { CryptoStream } from './crypto-stream.js';
import { ja4 } from '../ssl/fingerprints.js';
import { QUIC_LOG } from './quic-log.js';

/** Zeek's QUIC::version_strings, and the versions its parser handles. */
export function versionString(v: number): string {
  if (v === QUIC_V1) return '1';
  if (v === QUIC_V2) return 'quicv2';
  if (v >= 0xff000016 && v <= 0xff000022) return `draft-${v - 0xff000000}`;
  if (v === 0xfaceb001 || v === 0xfaceb002 || v === 0xfaceb00e || (v >= 0xfaceb011 && v <= 0xfaceb013)) return `mvfst (${v.toString(16)})`;
  return `unknown-${v.toString(16)}`;
}

function knownVersion(v: number): boolean {
  return !versionString(v).startsWith('unknown-');
}

/** Zeek's QUIC::max_discarded_packet_events. */
const MAX_DISCARDED_EVENTS = 100;

interface Session {
  ts: number;
  version: string;
  clientInitialDcid?: string;
  clientScid?: string;
  serverScid?: string;
  serverName?: string;
  clientProtocol?: string;
  ja4?: string;
  history: string;
}

const LETTER: Record<LongType, string> = { [LongType.Initial]: 'I', [LongType.ZeroRtt]: 'Z', [LongType.Handshake]: 'H', [LongType.Retry]: 'R' };

class QuicDatagram implements DatagramAnalyzer {
  private rec: Session | undefined;
  private confirmed = false;
  private stopped = false;
  /** The client's first Destination Connection ID: keys both sides' Initial protection. */
  private initialDcid: Buffer | undefined;
  private keys: [InitialKeys | undefined, InitialKeys | undefined] = [undefined, undefined];
  private keysVersion = 0;
  private crypto: [CryptoStream, CryptoStream] = [new CryptoStream(), new CryptoStream()];
  private totalDecrypted = 0;
  private totalDiscarded = 0;
  private shortTotal = [0, 0];
  private shortNext = [1, 1];

  constructor(private readonly ctx: AnalyzerContext) {}

  packet(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.stopped) return;
    const end = off + len;
    // A datagram holds one or more packets (RFC 9000 §12.2); each pass consumes one or stops.
    for (let p = off; p < end; ) {
      const b0 = buf[p];
      if ((b0 & 0x40) === 0) { // fixed bit clear: not a QUIC v1/v2 packet (§17.2), discarded
        this.totalDiscarded++;
        if (this.totalDecrypted > 0 && this.totalDiscarded <= MAX_DISCARDED_EVENTS && this.rec) this.history(isOrig, 'X');
        return;
      }
      if ((b0 & 0x80) === 0) { this.shortPacket(isOrig); return; }
      if (end - p < 5) { this.ctx.weird('QUIC_truncated_header'); return; }
      const version = buf.readUInt32BE(p + 1);
      const known = knownVersion(version);
      const h = parseLongHeader(buf, p, end, known);
      if (!h) {
        this.ctx.weird('QUIC_truncated_header');
        if (!this.confirmed) this.stop('malformed QUIC long header');
        return;
      }
      if (!known) {
        this.session(isOrig, version, h.dcid, h.scid);
        this.history(isOrig, 'U');
        this.flush();
        this.stop(`unhandled QUIC version 0x${version.toString(16)}`);
        return;
      }
      if (h.type === LongType.Retry) {
        if (!this.rec) this.session(isOrig, version, h.dcid, h.scid);
        this.history(isOrig, 'R');
        this.flush();
        // The client's next Initial carries the DCID the keys derive from (RFC 9001 §5.2).
        this.initialDcid = undefined;
        this.keys = [undefined, undefined];
        this.crypto = [new CryptoStream(), new CryptoStream()];
        return;
      }
      this.session(isOrig, version, h.dcid, h.scid);
      this.history(isOrig, LETTER[h.type]);
      if (h.truncated) { this.ctx.weird('QUIC_truncated_packet'); return; }
      if (h.type === LongType.Initial) this.initial(isOrig, version, buf, p, h.pnOff, h.end, h.dcid);
      if (this.stopped) return;
      p = h.end;
    }
  }

  private initial(isOrig: boolean, version: number, buf: Buffer, start: number, pnOff: number, end: number, dcid: Buffer): void {
    const side = isOrig ? 0 : 1;
    const stream = this.crypto[side];
    if (stream.finished || !isDecryptableVersion(version)) return;
    if (isOrig && !this.initialDcid) this.initialDcid = Buffer.from(dcid);
    if (!this.initialDcid) return; // server Initial before any client Initial: no keys
    if (this.keysVersion !== version) { this.keys = [undefined, undefined]; this.keysVersion = version; }
    const keys = (this.keys[side] ??= initialKeys(version, this.initialDcid, isOrig));
    const plain = openInitial(keys, buf, start, pnOff, end);
    if (!plain) {
      this.ctx.weird('QUIC_decryption_failed');
      if (!this.confirmed) this.stop('QUIC Initial packet does not decrypt');
      return;
    }
    this.totalDecrypted++;
    if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
    const frames = parseInitialFrames(plain);
    for (const c of frames.crypto) {
      const r = stream.add(c.offset, c.data);
      if (r === 'too_large') this.ctx.weird('QUIC_hello_too_large');
      else if (r === 'complete') this.hello(isOrig, stream);
    }
    if (frames.bad) this.ctx.weird('QUIC_unhandled_frame_type');
    if (frames.connectionClose && this.rec) {
      this.history(isOrig, 'C');
      this.flush();
    }
  }

  private hello(isOrig: boolean, stream: CryptoStream): void {
    const m = stream.message();
    stream.release();
    if (!m) return;
    if (isOrig && m.type === 1) {
      const h = parseClientHello(m.buf, 4, m.end);
      if (!h) { this.ctx.weird('QUIC_bad_client_hello'); return; }
      this.clientHello(h);
    } else if (!isOrig && m.type === 2) {
      if (!parseServerHello(m.buf, 4, m.end)) { this.ctx.weird('QUIC_bad_server_hello'); return; }
      if (this.rec) this.history(false, 's');
    } else this.ctx.weird('QUIC_unexpected_handshake_message', String(m.type));
  }

  private clientHello(h: ClientHello): void {
    const rec = this.rec;
    if (!rec) return;
    if (h.serverNames.length > 0) rec.serverName = h.serverNames[0];
    if (h.alpn.length > 0) {
      const first = Buffer.from(h.alpn[0], 'latin1'); // the parser keeps ALPN raw for JA4
      rec.clientProtocol = wireText(first, 0, first.length);
      if (h.alpn.length > 1) this.ctx.weird('QUIC_many_protocols', h.alpn.join(','));
    }
    rec.ja4 = ja4(h, 'q');
    this.history(true, 'S');
  }

  /** Zeek's short_packet_threshold_crossed: a letter at the 1st, 2nd, 4th, 8th... packet. */
  private shortPacket(isOrig: boolean): void {
    const i = isOrig ? 0 : 1;
    if (++this.shortTotal[i] !== this.shortNext[i]) return;
    this.shortNext[i] *= 2;
    if (!this.rec) this.ctx.weird('QUIC_spurious_short_packet_threshold_crossed', String(this.shortTotal[i]));
    else this.history(isOrig, 'O');
  }

  private session(isOrig: boolean, version: number, dcid: Buffer, scid: Buffer): void {
    const rec = (this.rec ??= { ts: this.ctx.now(), version: versionString(version), history: '' });
    if (isOrig && dcid.length > 0 && rec.clientInitialDcid === undefined) rec.clientInitialDcid = dcid.toString('hex');
    if (isOrig) rec.clientScid = scid.toString('hex');
    else rec.serverScid = scid.toString('hex');
  }

  private history(isOrig: boolean, letter: string): void {
    const rec = this.rec;
    if (!rec || rec.history.length >= LIMITS.quicMaxHistory) return;
    rec.history += isOrig ? letter.toUpperCase() : letter.toLowerCase();
    if (rec.history.length === LIMITS.quicMaxHistory) this.ctx.weird('QUIC_max_history_length_reached');
  }

  /** Writes the pending record and starts afresh (Zeek: log_record + delete c$quic). */
  private flush(): void {
    const r = this.rec;
    if (!r) return;
    this.rec = undefined;
    const ctx = this.ctx;
    ctx.log(QUIC_LOG, {
      ts: r.ts, ...ctx.connFields(), version: r.version, client_initial_dcid: r.clientInitialDcid,
      client_scid: r.clientScid, server_scid: r.serverScid, server_name: r.serverName,
      client_protocol: r.clientProtocol, history: r.history, ja4: r.ja4,
    });
  }

  private stop(reason: string): void {
    if (this.confirmed) return;
    this.stopped = true;
    this.flush(); // Zeek logs what the headers gave when the connection is removed
    this.ctx.violation(reason);
  }

  done(): void {
    this.flush();
  }
}

/** Versions the probe accepts: v1, v2 and drafts 29-32 (the ones whose Initials we can open). */
export function probeQuic(buf: Buffer, off: number, len: number): ProbeResult {
  if (len < 7 || (buf[off] & 0xc0) !== 0xc0) return 'no';
  const v = buf.readUInt32BE(off + 1);
  if (!isDecryptableVersion(v)) return 'no';
  const h = parseLongHeader(buf, off, off + len, true);
  return h && h.type !== LongType.Retry ? 'yes' : 'no';
}

export const QUIC_ANALYZER: AnalyzerDescriptor = {
  name: 'quic',
  udpPorts: [443, 853, 784],
  probe: (_isOrig, buf, off, len, transport) => (transport === 'udp' ? probeQuic(buf, off, len) : 'no'),
  createDatagram: (ctx) => new QuicDatagram(ctx),
};
