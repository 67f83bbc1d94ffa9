/**
 * SCTP common header (RFC 9260 §3.1): source port, destination port, verification tag,
 * CRC32c checksum (12 bytes), then chunks. Only the ports matter to the flow layer, which keys
 * SCTP associations like UDP flows. The CRC32c is not validated (Zeek does not either).
 */
import type { LayerDecoder } from '../registry.js';

const HEADER = 12;

export const sctp: LayerDecoder = {
  name: 'sctp',
  keys: [['ipProto', 132]],
  decode(pkt, off, end, d) {
    if (end - off < HEADER) {
      d.services.weird(pkt, 'truncated_header', 'SCTP');
      return;
    }
    if (pkt.l4Len < HEADER) {
      d.services.weird(pkt, 'truncated_header', 'SCTP length below header size');
      return;
    }
    pkt.srcPort = pkt.buf.readUInt16BE(off);
    pkt.dstPort = pkt.buf.readUInt16BE(off + 2);
    pkt.tcpFlags = 0;
    pkt.payloadOff = off + HEADER;
    pkt.payloadLen = pkt.l4Len - HEADER;
    pkt.payloadCap = Math.max(0, Math.min(end - off, pkt.l4Len) - HEADER);
    pkt.badChecksum = false;
    d.services.session(pkt);
  },
};
