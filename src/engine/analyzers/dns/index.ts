/**
 * The DNS analyzer: UDP (53, mDNS 5353, LLMNR 5355, NetBIOS-NS 137) and TCP (53; RFC 1035
 * §4.2.2: each message behind a 2-byte length), producing dns.log as Zeek does. Two descriptors
 * share the name "dns": one claims the well-known ports without asking (as Zeek does, so even
 * malformed messages there are reported), the other recognises DNS on any other port with a
 * strict probe.
 *
 * Deliberate differences from Zeek (base/protocols/dns/main.zeek and DNS.cc):
 * - A malformed name (forward or self pointer, label over 63 bytes, past the end) ends the
 *   message; Zeek keeps a partial name and reads on from misaligned bytes.
 * - Bad record data costs that record only: the next one is read at its rdlength boundary.
 * - Before the first clean message, one whose header or question does not parse is a
 *   violation and is not logged (Zeek confirms on less and logs what it half-parsed).
 * - CAA and SVCB/HTTPS answers get a text ("CAA 0 issue ca.example", "HTTPS 1 . alpn=h2");
 *   Zeek's base scripts log none. NAPTR is written as Zeek's newer scripts do.
 * - dns_unmatched_reply, dns_unmatched_msg and the *_quantity weirds come from Zeek 2.x.
 * - TCP: after a content gap that direction is not parsed any more (no framing to resync on).
 * - Bounded where Zeek is not: answers per message, answers held by unmatched replies.
 */
import { LIMITS } from '../../support/limits.js';
import { LengthPrefixedFramer } from '../length-prefixed.js';
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer, ProbeResult, StreamAnalyzer } from '../analyzer.js';
import { DNS_HEADER_LEN, parseDnsMessage } from './parser.js';
import { DnsState } from './state.js';
import { dnsUnit } from './inspection.js';

/** Feeds messages to the pairing state; shared by the UDP and TCP analyzers. */
class DnsSession {
  readonly state: DnsState;
  confirmed = false;
  /** A violation detached us: ignore whatever is still delivered. */
  stopped = false;
  private readonly netbios: boolean;
  /** The detection engine wants DNS units. */
  private readonly inspecting: boolean;

  constructor(private readonly ctx: AnalyzerContext) {
    this.state = new DnsState(ctx);
    this.netbios = ctx.conn.respP === 137;
    this.inspecting = ctx.inspecting('dns');
  }

  message(buf: Buffer, off: number, len: number): void {
    if (this.stopped) return;
    const ctx = this.ctx;
    const msg = parseDnsMessage(buf, off, len, { netbios: this.netbios });
    if (!msg) {
      ctx.weird('DNS_truncated_len_lt_hdr_len');
      if (!this.confirmed) this.violate('message shorter than a DNS header');
      return;
    }
    if (msg.weirds) for (const [name, addl] of msg.weirds) ctx.weird(name, addl);
    if (msg.qdcount > LIMITS.dnsMaxQueries) {
      // Zeek's guard against the non-DNS traffic found on port 53.
      ctx.weird('DNS_Conn_count_too_large');
      this.violate('DNS_Conn_count_too_large');
      return;
    }
    if (!msg.questionsOk) {
      // Before the first clean message, a header or question that does not parse means this is
      // not DNS. (A damaged answer section, e.g. cut by the snap length, is not such evidence:
      // the message is used for what it holds, as Zeek does.)
      if (!this.confirmed) {
        this.violate('malformed DNS message');
        return;
      }
    } else if (msg.ok && !this.confirmed) {
      this.confirmed = true;
      ctx.confirm();
    }
    if (this.inspecting && msg.questionsOk) {
      const unit = dnsUnit(buf, off, len, this.netbios, msg);
      if (unit) ctx.inspect(unit);
    }
    this.state.message(msg, ctx.now());
  }

  done(): void {
    this.state.flush();
  }

  private violate(reason: string): void {
    this.stopped = true;
    this.ctx.violation(reason);
  }
}

class DnsDatagram implements DatagramAnalyzer {
  private readonly s: DnsSession;
  constructor(ctx: AnalyzerContext) {
    this.s = new DnsSession(ctx);
  }
  packet(_isOrig: boolean, buf: Buffer, off: number, len: number): void {
    this.s.message(buf, off, len);
  }
  done(): void {
    this.s.done();
  }
}

class DnsStream implements StreamAnalyzer {
  private readonly s: DnsSession;
  private readonly sides: LengthPrefixedFramer[];

  constructor(ctx: AnalyzerContext) {
    const s = (this.s = new DnsSession(ctx));
    // A 2-byte prefix cannot exceed 65535, the DNS maximum: no length is too long.
    const side = () => new LengthPrefixedFramer(2, 0xffff, (b, o, l) => s.message(b, o, l), () => {}, () => s.stopped);
    this.sides = [side(), side()];
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    this.sides[isOrig ? 0 : 1].push(buf, off, len);
  }

  gap(isOrig: boolean, _len: number): void {
    // Message boundaries are only known from the prefixes: after a hole there is no telling
    // where the next message starts.
    this.sides[isOrig ? 0 : 1].gap();
  }

  eof(isOrig: boolean): void {
    // Like Zeek, a message cut short by the end of the stream is parsed for what it holds.
    const partial = this.sides[isOrig ? 0 : 1].end();
    if (partial) this.s.message(partial, 0, partial.length);
  }

  done(): void {
    this.s.done();
  }
}

/** Strong evidence of a DNS message in buf[off, off+len): plausible header, clean parse. */
function looksLikeDns(buf: Buffer, off: number, len: number): boolean {
  if (len < DNS_HEADER_LEN) return false;
  const flags = (buf[off + 2] << 8) | buf[off + 3];
  const qr = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0 && opcode !== 1 && opcode !== 2 && opcode !== 4 && opcode !== 5) return false;
  if (flags & 0x0040) return false; // the Z bit proper must be zero (RFC 1035 §4.1.1)
  const qd = (buf[off + 4] << 8) | buf[off + 5];
  const an = (buf[off + 6] << 8) | buf[off + 7];
  const ns = (buf[off + 8] << 8) | buf[off + 9];
  const ar = (buf[off + 10] << 8) | buf[off + 11];
  if (qd < 1 || qd > LIMITS.dnsMaxQueries) return false;
  // A question takes at least 5 bytes, a record at least 11.
  if (DNS_HEADER_LEN + qd * 5 + (an + ns + ar) * 11 > len) return false;
  if (!qr && ((flags & 0xf) !== 0 || an !== 0 || (opcode !== 5 && ns !== 0) || ar > 2)) return false;
  const msg = parseDnsMessage(buf, off, len, { netbios: false });
  if (!msg || !msg.ok || msg.weirds) return false;
  for (const q of msg.questions) {
    const cls = q.qclass & 0x7fff; // mDNS puts the unicast-response bit on top
    if (q.qtype === 0 || (cls !== 1 && cls !== 3 && cls !== 4 && cls !== 254 && cls !== 255)) return false;
  }
  return true;
}

function probe(_isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult {
  if (transport === 'udp') return looksLikeDns(buf, off, len) ? 'yes' : 'no';
  if (len < 2) return 'more';
  const msgLen = (buf[off] << 8) | buf[off + 1];
  if (msgLen < DNS_HEADER_LEN || msgLen + 2 > LIMITS.detectionBytes) return 'no';
  if (len - 2 < msgLen) return 'more';
  return looksLikeDns(buf, off + 2, msgLen) ? 'yes' : 'no';
}

/** DNS on its well-known ports (Zeek's DNS::ports). */
export const DNS_BY_PORT: AnalyzerDescriptor = {
  name: 'dns',
  udpPorts: [53, 137, 5353, 5355],
  tcpPorts: [53],
  createDatagram: (ctx) => new DnsDatagram(ctx),
  createStream: (ctx) => new DnsStream(ctx),
};

/** DNS found by its content on any other port. */
export const DNS_BY_PROBE: AnalyzerDescriptor = {
  name: 'dns',
  probe,
  probeAnyPort: true,
  createDatagram: (ctx) => new DnsDatagram(ctx),
  createStream: (ctx) => new DnsStream(ctx),
};

export const DNS_ANALYZERS: readonly AnalyzerDescriptor[] = [DNS_BY_PORT, DNS_BY_PROBE];
