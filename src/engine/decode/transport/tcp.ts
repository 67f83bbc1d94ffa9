/** TCP header (RFC 9293 §3.1): ports, sequence space, flags, window, the window-scale option. */
import type { LayerDecoder } from '../registry.js';
import { TH_SYN } from '../packet.js';
import { transportChecksumOk } from '../checksum.js';
import { engineSettings } from '../settings.js';

export const tcp: LayerDecoder = {
  name: 'tcp',
  keys: [['ipProto', 6]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < 20) {
      d.services.weird(pkt, 'truncated_header', 'TCP');
      return;
    }
    const hlen = (buf[off + 12] >> 4) * 4;
    if (hlen < 20) {
      d.services.weird(pkt, 'bad_TCP_header_len', String(hlen));
      return;
    }
    if (hlen > pkt.l4Len || hlen > end - off) {
      d.services.weird(pkt, 'truncated_header', `TCP header ${hlen} bytes`);
      return;
    }
    pkt.srcPort = pkt.view.getUint16(off);
    pkt.dstPort = pkt.view.getUint16(off + 2);
    pkt.seq = pkt.view.getUint32(off + 4);
    pkt.ack = pkt.view.getUint32(off + 8);
    const flags = buf[off + 13];
    pkt.tcpFlags = flags;
    pkt.window = pkt.view.getUint16(off + 14);
    pkt.payloadOff = off + hlen;
    pkt.payloadLen = pkt.l4Len - hlen;
    pkt.payloadCap = Math.max(0, Math.min(end - off, pkt.l4Len) - hlen);
    pkt.windowScale = flags & TH_SYN && hlen > 20 ? windowScaleOption(buf, off + 20, off + hlen) : -1;
    // Zeek validates only fully captured segments.
    pkt.badChecksum = engineSettings.validateChecksums && pkt.l4Cap >= pkt.l4Len && !transportChecksumOk(pkt, 6);
    d.services.session(pkt);
  },
};

/** The window-scale shift from a SYN's options (RFC 7323 §2.2), or -1; options parsed as Zeek does. */
function windowScaleOption(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const kind = buf[p];
    if (kind === 0) break; // end of options
    if (kind === 1) { p++; continue; } // no-op
    if (p + 1 >= end) break;
    const len = buf[p + 1];
    if (len === 0 || p + len > end) break;
    if (kind === 3 && len >= 3) return buf[p + 2];
    p += len;
  }
  return -1;
}
