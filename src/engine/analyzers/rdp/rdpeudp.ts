/**
 * RDP's UDP transport (MS-RDPEUDP, UDP 3389): recognised from its connection handshake, as
 * Zeek's RDPEUDP analyzer does, so conn.log says "rdpeudp". Zeek writes no log for it, neither
 * do we; the TLS/DTLS inside the reliable channel is not opened.
 *
 * The client's SYN datagram carries snSourceAck 0xFFFFFFFF and the SYN flag and is padded to at
 * least 1232 bytes (§3.1.5.1.1); the server answers with SYN+ACK. Both seen: confirmed. Anything
 * else before that: a violation.
 */
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer } from '../analyzer.js';

const FLAG_SYN = 0x0001, FLAG_ACK = 0x0004;
/** The smallest SYN datagram (RDPUDP_FEC_HEADER + SYNDATA, padded to the minimum MTU). */
const MIN_SYN_BYTES = 1232;

class RdpeudpDatagrams implements DatagramAnalyzer {
  private synSeen = false;
  private done_ = false;

  constructor(private readonly ctx: AnalyzerContext) {}

  packet(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.done_ || len < 8) return;
    const flags = buf.readUInt16BE(off + 6);
    if (isOrig && !this.synSeen) {
      if (buf.readUInt32BE(off) === 0xffffffff && (flags & FLAG_SYN) && !(flags & FLAG_ACK) && len >= MIN_SYN_BYTES) this.synSeen = true;
      else this.stop('no RDPEUDP SYN');
      return;
    }
    if (!isOrig && this.synSeen) {
      if ((flags & (FLAG_SYN | FLAG_ACK)) === (FLAG_SYN | FLAG_ACK)) {
        this.done_ = true;
        this.ctx.confirm();
      } else this.stop('no RDPEUDP SYN+ACK');
    }
  }

  done(): void {}

  private stop(reason: string): void {
    this.done_ = true;
    this.ctx.violation(reason);
  }
}

export const RDPEUDP_ANALYZER: AnalyzerDescriptor = {
  name: 'rdpeudp',
  udpPorts: [3389],
  createDatagram: (ctx) => new RdpeudpDatagrams(ctx),
};
