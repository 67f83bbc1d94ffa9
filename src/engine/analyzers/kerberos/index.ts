/**
 * The Kerberos analyzer (UDP and TCP 88, Zeek's KRB::udp_ports and tcp_ports; over TCP each
 * message behind a 4-byte big-endian length, RFC 4120 §7.2.2), producing kerberos.log as
 * base/protocols/krb/main.zeek does (state.ts).
 *
 * Deliberate differences from Zeek (KRB analyzer in binpac):
 * - A message whose ASN.1 is malformed anywhere (lengths past the parent, nesting deeper than
 *   LIMITS.krbMaxAsn1Depth, more than LIMITS.krbMaxAsn1Elements elements) is rejected whole:
 *   weird KRB_malformed_message, and before the first good message a violation.
 * - No PKINIT: client_cert_* and server_cert_* stay empty (Zeek fills them from the certificates
 *   in PA-PK-AS-REQ/REP through the files framework).
 * - TCP: a record longer than LIMITS.krbMaxMessageBytes, or a content gap, ends parsing of that
 *   side (there is no framing to resynchronise on).
 * - On other ports Kerberos is recognised by a strict probe (a whole AS/TGS request or reply or
 *   KRB-ERROR with pvno 5 and a msg-type matching its tag), where Zeek uses DPD signatures.
 * conn.log service is "krb" over UDP and "krb_tcp" over TCP, Zeek's analyzer names.
 */
import { LIMITS } from '../../support/limits.js';
import { LengthPrefixedFramer } from '../length-prefixed.js';
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer, ProbeResult, StreamAnalyzer } from '../analyzer.js';
import { ParsedDatagrams } from '../parsed-datagrams.js';
import { MSG, parseKrb, type KrbMessage } from './parser.js';
import { field, intValue, readTlv } from './asn1.js';
import { KrbState } from './state.js';
import { krbUnit } from './inspection.js';

class KrbSession {
  private readonly front: ParsedDatagrams<KrbMessage>;
  private readonly state: KrbState;
  /** The detection engine wants Kerberos units. */
  private readonly inspecting: boolean;

  constructor(private readonly ctx: AnalyzerContext) {
    this.front = new ParsedDatagrams(ctx, parseKrb);
    this.state = new KrbState(ctx);
    this.inspecting = ctx.inspecting('krb5');
  }

  get stopped(): boolean {
    return this.front.stopped;
  }

  message(buf: Buffer, off: number, len: number): void {
    const m = this.front.accept(buf, off, len);
    if (!m) return;
    this.front.confirm();
    if (this.inspecting) {
      const unit = krbUnit(m);
      if (unit) this.ctx.inspect(unit);
    }
    this.state.message(m);
  }

  /** The stream is not Kerberos framing (before confirmation: a violation). */
  reject(weird: string, reason: string): void {
    this.ctx.weird(weird);
    this.front.reject(reason);
  }

  done(): void {
    this.state.done();
  }
}

class KrbDatagram implements DatagramAnalyzer {
  private readonly s: KrbSession;
  constructor(ctx: AnalyzerContext) {
    this.s = new KrbSession(ctx);
  }
  packet(_isOrig: boolean, buf: Buffer, off: number, len: number): void {
    this.s.message(buf, off, len);
  }
  done(): void {
    this.s.done();
  }
}

/** One direction of a TCP stream: 4-byte length, then the message. */
class KrbStream implements StreamAnalyzer {
  private readonly s: KrbSession;
  private readonly sides: LengthPrefixedFramer[];

  constructor(ctx: AnalyzerContext) {
    const s = (this.s = new KrbSession(ctx));
    const side = () => new LengthPrefixedFramer(4, LIMITS.krbMaxMessageBytes, (b, o, l) => s.message(b, o, l),
      // Also covers the reserved high bit (RFC 4120 §7.2.2): no KDC sends such a record.
      () => s.reject('KRB_TCP_message_too_long', 'Kerberos TCP record length out of range'),
      () => s.stopped);
    this.sides = [side(), side()];
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    this.sides[isOrig ? 0 : 1].push(buf, off, len);
  }

  gap(isOrig: boolean, _len: number): void {
    this.sides[isOrig ? 0 : 1].gap();
  }

  eof(isOrig: boolean): void {
    // A record cut short by the end of the stream is not parsed: DER needs all of it.
    this.sides[isOrig ? 0 : 1].end();
  }

  done(): void {
    this.s.done();
  }
}

/**
 * Strong evidence of a Kerberos message in buf[off, off+len): a KDC request or reply or a
 * KRB-ERROR filling it exactly, pvno 5, msg-type equal to its application tag, clean parse.
 */
function looksLikeKrb(buf: Buffer, off: number, len: number): boolean {
  const end = off + len;
  const top = readTlv(buf, off, end);
  if (!top || top.end !== end) return false;
  const type = top.tag & 0x1f;
  if ((top.tag & 0xe0) !== 0x60) return false;
  const isReq = type === MSG.AS_REQ || type === MSG.TGS_REQ;
  if (!isReq && type !== MSG.AS_REP && type !== MSG.TGS_REP && type !== MSG.ERROR) return false;
  const seq = readTlv(buf, top.off, top.end);
  if (!seq || seq.tag !== 0x30) return false;
  const base = isReq ? 1 : 0; // KDC-REQ numbers its fields from [1]
  if (intValue(buf, field(buf, seq, base)) !== 5 || intValue(buf, field(buf, seq, base + 1)) !== type) return false;
  const r = parseKrb(buf, off, len);
  return 'msg' in r && !r.msg.weirds;
}

function probe(_isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult {
  if (len < 1) return 'more';
  if (transport === 'udp') return looksLikeKrb(buf, off, len) ? 'yes' : 'no';
  if (len < 4) return buf[off] === 0 ? 'more' : 'no';
  const n = buf.readUInt32BE(off);
  if (n < 2 || n + 4 > LIMITS.detectionBytes) return 'no';
  if (len - 4 < n) return (buf[off + 4] & 0xe0) === 0x60 ? 'more' : 'no';
  return looksLikeKrb(buf, off + 4, n) ? 'yes' : 'no';
}

/** Kerberos on its well-known ports (Zeek's KRB::udp_ports and tcp_ports), then by probe. */
export const KERBEROS_ANALYZERS: readonly AnalyzerDescriptor[] = [
  { name: 'krb', udpPorts: [88], createDatagram: (ctx) => new KrbDatagram(ctx) },
  { name: 'krb_tcp', tcpPorts: [88], createStream: (ctx) => new KrbStream(ctx) },
  { name: 'krb', probe, probeAnyPort: true, createDatagram: (ctx) => new KrbDatagram(ctx) },
  { name: 'krb_tcp', probe, probeAnyPort: true, createStream: (ctx) => new KrbStream(ctx) },
];
