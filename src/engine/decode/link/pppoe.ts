/**
 * PPPoE (RFC 2516). Session stage (EtherType 0x8864, §4) carries one PPP frame: ver/type 0x11,
 * code 0, session id, length (of the PPP payload), then the 2-byte PPP protocol (never
 * address/control, §7). The discovery stage (0x8863, §5) holds no user traffic: ignored.
 */
import type { LayerDecoder } from '../registry.js';

const HEADER = 6;

export const pppoe: LayerDecoder = {
  name: 'pppoe',
  keys: [['etherType', 0x8864], ['etherType', 0x8863]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < HEADER) {
      d.services.weird(pkt, 'truncated_link_header', 'PPPoE');
      return;
    }
    if (buf[off + 1] !== 0) return; // discovery packet (PADI/PADO/PADR/PADS/PADT)
    const len = buf.readUInt16BE(off + 4);
    // The length bounds the payload (Ethernet padding follows it); a snaplen may cut it shorter.
    const payEnd = Math.min(end, off + HEADER + len);
    if (len < 2 || payEnd - (off + HEADER) < 2) {
      d.services.weird(pkt, 'truncated_link_header', 'PPPoE session: no PPP protocol');
      return;
    }
    d.dispatch('pppProtocol', buf.readUInt16BE(off + HEADER), pkt, off + HEADER + 2, payEnd);
  },
};
