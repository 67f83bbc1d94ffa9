/**
 * VXLAN (RFC 7348 §5), UDP port 4789: an 8-byte header flags(1; I bit 0x08 = VNI valid),
 * reserved(3), VNI(3), reserved(1), then an Ethernet frame. The outer UDP connection is the
 * tunnel (Zeek's Tunnel::VXLAN).
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';

const HEADER = 8;

export const vxlan: LayerDecoder = {
  name: 'vxlan',
  keys: [['udpPort', 4789]],
  decode(pkt, off, end, d) {
    if (end - off < HEADER) {
      d.services.weird(pkt, 'truncated_VXLAN', `${end - off} bytes`);
      return;
    }
    // RFC 7348 §5: the I flag must be set; without it this is not VXLAN traffic we can trust.
    if ((pkt.buf[off] & 0x08) === 0) {
      d.services.weird(pkt, 'vxlan_invalid_flags', `0x${pkt.buf[off].toString(16)}`);
      return;
    }
    if (end - off === HEADER) {
      d.services.weird(pkt, 'vxlan_empty_packet');
      return;
    }
    const id = d.services.connTunnel(pkt, flowHints.connId, 'Tunnel::VXLAN');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', 0x6558, pkt, off + HEADER, end);
  },
};
