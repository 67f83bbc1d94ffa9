/**
 * The RDP analyzer (TCP 3389, Zeek's RDP port, and by probe a TPKT-framed X.224 connection
 * request on any port), producing rdp.log as base/protocols/rdp/main.zeek does. When the server
 * selects TLS or CredSSP (SSL, HYBRID, HYBRID_EX) the connection is handed to the ssl analyzer
 * (ctx.upgrade), so ssl.log and x509.log follow, as Zeek's RDP analyzer passes it to its SSL
 * child. With native RDP security the MCS/GCC connect exchange is read (client machine, channels,
 * server encryption and certificate) and the encrypted rest is left alone.
 *
 * Deliberate differences from Zeek:
 * - The record is written when the connection ends or is handed to TLS (Zeek: after
 *   rdp_check_interval, 10 s, or at the end): the fields are the same, as nothing later changes them.
 * - cert_count counts the certificates of native RDP security only; with TLS they are in x509.log
 *   (Zeek counts the TLS certificates it sees as files of its RDP connection too).
 * - The GCC result is the byte after the conference create response's tag, read directly.
 */
import type { AnalyzerContext, AnalyzerDescriptor, ProbeResult, StreamAnalyzer } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { GrowingBuffer } from '../../support/growing-buffer.js';
import { RDP_LOG } from './rdp-log.js';
import {
  clientBuild, encryptionLevel, encryptionMethod, failureCode, gccResult, highColorDepth, keyboardLayout, securityProtocol, certType,
} from './consts.js';
import {
  clientChannels, clientCore, connectConfirm, connectRequest, dataBlocks, gccBlocks, mcsUserData, serverSecurity, x224, X224_CC, X224_CR, X224_DT,
} from './parser.js';

export { RDPEUDP_ANALYZER } from './rdpeudp.js';

const CS_CORE = 0xc001, CS_NET = 0xc003, SC_SECURITY = 0x0c02;
/** earlyCapabilityFlags RNS_UD_CS_WANT_32BPP_SESSION. */
const WANT_32BPP = 0x0002;
const PROTOCOL_RDP = 0;

/** One side's TPKTs: 4-byte header (version 3, reserved, 16-bit length), payload bounded by the length. */
class TpktReader {
  private readonly hdr = Buffer.alloc(4);
  private hdrHave = 0;
  private readonly body = new GrowingBuffer();
  lost = false;
  constructor(private readonly onPdu: (buf: Buffer, off: number, end: number) => void, private readonly onBad: () => void) {}

  push(buf: Buffer, off: number, len: number, stopped: () => boolean): void {
    const end = off + len;
    let p = off;
    while (p < end && !this.lost && !stopped()) {
      if (this.hdrHave < 4) {
        const take = Math.min(4 - this.hdrHave, end - p);
        buf.copy(this.hdr, this.hdrHave, p, p + take);
        this.hdrHave += take;
        p += take;
        if (this.hdrHave < 4) return;
        const n = this.hdr.readUInt16BE(2);
        // The 16-bit length caps a TPKT at LIMITS.rdpMaxPduBytes; 7 is the smallest X.224 TPDU.
        if (this.hdr[0] !== 3 || n < 7 || n > LIMITS.rdpMaxPduBytes) {
          this.lost = true;
          this.onBad();
          return;
        }
        this.body.start(n - 4);
      }
      p += this.body.append(buf, p, end - p);
      if (this.body.complete) {
        this.hdrHave = 0;
        this.onPdu(this.body.bytes, 0, this.body.need);
        this.body.release();
      }
    }
  }
}

class RdpStream implements StreamAnalyzer {
  private rec: LogRecord | undefined;
  private readonly sides: [TpktReader, TpktReader];
  private confirmed = false;
  /** Nothing more to read: encrypted, handed to TLS, or not RDP. */
  private stopped = false;
  private readonly isStopped = (): boolean => this.stopped;

  constructor(private readonly ctx: AnalyzerContext) {
    const side = (isOrig: boolean) => new TpktReader((b, o, e) => this.pdu(isOrig, b, o, e), () => this.bad());
    this.sides = [side(true), side(false)];
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.stopped) return;
    this.sides[isOrig ? 0 : 1].push(buf, off, len, this.isStopped);
  }

  gap(isOrig: boolean, _len: number): void {
    this.sides[isOrig ? 0 : 1].lost = true;
  }

  eof(_isOrig: boolean): void {}

  done(): void {
    const r = this.rec;
    this.rec = undefined;
    // Zeek writes only records that hold RDP data (main.zeek write_log).
    if (r && (r.cookie !== undefined || r.keyboard_layout !== undefined || r.result !== undefined)) this.ctx.log(RDP_LOG, r);
  }

  private session(): LogRecord {
    return (this.rec ??= { ts: this.ctx.now(), ...this.ctx.connFields(), cert_count: 0 });
  }

  private bad(): void {
    if (this.confirmed) {
      this.ctx.weird('RDP_bad_TPKT');
      return;
    }
    this.stopped = true;
    this.ctx.violation('not TPKT framing');
  }

  private pdu(isOrig: boolean, buf: Buffer, off: number, end: number): void {
    try {
      this.parse(isOrig, buf, off, end);
    } catch {
      this.ctx.weird('RDP_malformed_PDU'); // a bounds check missed: never take the connection down
    }
  }

  private parse(isOrig: boolean, buf: Buffer, off: number, end: number): void {
    const t = x224(buf, off, end);
    if (!t) {
      this.ctx.weird('RDP_bad_X224');
      return;
    }
    if (isOrig && t.code === X224_CR) {
      const cr = connectRequest(buf, off + 7, end);
      const r = this.session();
      if (cr.cookie !== undefined) r.cookie = cr.cookie;
      if (!this.confirmed) {
        this.confirmed = true;
        this.ctx.confirm();
      }
      return;
    }
    if (!this.confirmed) {
      this.stopped = true;
      this.ctx.violation('RDP without a connection request');
      return;
    }
    if (!isOrig && t.code === X224_CC) {
      const cc = connectConfirm(buf, off + 7, end);
      const r = this.session();
      if (cc.failure !== undefined) r.result = failureCode(cc.failure);
      if (cc.selected !== undefined) {
        r.security_protocol = securityProtocol(cc.selected);
        if (cc.selected !== PROTOCOL_RDP) {
          // rdp_begin_encryption: TLS (and CredSSP inside it) from the next byte on.
          r.result ??= 'encrypted';
          this.stopped = true;
          if (!this.ctx.upgrade('ssl')) this.done();
        }
      }
      return;
    }
    if (t.code !== X224_DT) return;
    const ud = mcsUserData(buf, t.data, end, !isOrig);
    if (!ud) return;
    const gcc = gccBlocks(buf, ud[0], ud[1], !isOrig);
    if (!gcc) return;
    const r = this.session();
    if (isOrig) {
      for (const b of dataBlocks(buf, gcc.blocks[0], gcc.blocks[1])) {
        if (b.type === CS_CORE) {
          const c = clientCore(buf, b.off, b.end);
          if (!c) continue;
          r.keyboard_layout = keyboardLayout(c.keyboardLayout);
          r.client_build = clientBuild(c.clientBuild);
          r.client_name = c.clientName;
          if (c.digProductId !== undefined) r.client_dig_product_id = c.digProductId;
          r.desktop_width = c.desktopWidth;
          r.desktop_height = c.desktopHeight;
          if (c.earlyCapabilityFlags !== undefined && (c.earlyCapabilityFlags & WANT_32BPP)) r.requested_color_depth = '32bit';
          else if (c.highColorDepth !== undefined) r.requested_color_depth = highColorDepth(c.highColorDepth);
        } else if (b.type === CS_NET) {
          const ch = clientChannels(buf, b.off, b.end);
          r.client_channels = ch.names;
          if (ch.count > LIMITS.rdpMaxChannels) this.ctx.weird('RDP_channels_requested_exceeds_max', String(ch.count));
        }
      }
      return;
    }
    if (gcc.result !== undefined) r.result = gccResult(gcc.result);
    for (const b of dataBlocks(buf, gcc.blocks[0], gcc.blocks[1])) {
      if (b.type !== SC_SECURITY) continue;
      const s = serverSecurity(buf, b.off, b.end);
      if (!s) continue;
      r.encryption_method = encryptionMethod(s.encryptionMethod);
      r.encryption_level = encryptionLevel(s.encryptionLevel);
      if (s.certType !== undefined) {
        r.cert_type = certType(s.certType);
        r.cert_permanent = s.certPermanent;
        r.cert_count = s.certCount ?? 0;
      }
    }
    // What follows (security exchange, licensing, fast-path input) is encrypted or uninteresting.
    this.stopped = true;
  }
}

/**
 * A TPKT holding an X.224 connection request from the client that is RDP's: a "Cookie:" (user
 * name or routing token) or an RDP_NEG_REQ in its variable part, as Zeek's DPD signature asks.
 * Other ISO-on-TCP protocols (S7comm on 102) send connection requests too, with TSAP parameters.
 */
function probe(isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult {
  if (transport !== 'tcp' || !isOrig) return 'no';
  if (len < 1) return 'more';
  if (buf[off] !== 3) return 'no';
  if (len < 7) return 'more';
  const tpktLen = buf.readUInt16BE(off + 2);
  // LI covers the rest of the TPKT; CR code; destination reference 0.
  if (buf[off + 1] !== 0 || tpktLen < 11 || buf[off + 4] !== tpktLen - 5 || (buf[off + 5] & 0xf0) !== X224_CR || buf[off + 6] !== 0) return 'no';
  if (len < tpktLen) return tpktLen <= 1024 ? 'more' : 'no';
  const v = off + 11, end = off + tpktLen;
  const cookie = end - v >= 7 && buf.toString('latin1', v, v + 7) === 'Cookie:';
  const negReq = end - v >= 8 && buf[end - 8] === 1 && buf.readUInt16LE(end - 6) === 8;
  return cookie || negReq ? 'yes' : 'no';
}

export const RDP_ANALYZER: AnalyzerDescriptor = {
  name: 'rdp',
  tcpPorts: [3389],
  probe,
  probeAnyPort: true,
  createStream: (ctx) => new RdpStream(ctx),
};
