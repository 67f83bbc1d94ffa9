/** IEEE 802.1Q VLAN tags, 802.1ad (QinQ) service tags and the old 0x9100 QinQ tag. */
import type { LayerDecoder } from '../registry.js';
import { decodeEtherPayload } from './ethernet.js';

export const vlan: LayerDecoder = {
  name: 'vlan',
  keys: [['etherType', 0x8100], ['etherType', 0x88a8], ['etherType', 0x9100]],
  decode(pkt, off, end, d) {
    if (end - off < 4) {
      d.services.weird(pkt, 'truncated_VLAN_header');
      return;
    }
    const id = pkt.view.getUint16(off) & 0x0fff;
    if (pkt.vlan < 0) pkt.vlan = id;
    else if (pkt.innerVlan < 0) pkt.innerVlan = id;
    decodeEtherPayload(pkt, pkt.view.getUint16(off + 2), off + 4, end, d);
  },
};
