/**
 * Linux "cooked" captures: SLL (113, 16-byte header, protocol at offset 14) and SLL2 (276,
 * 20-byte header, protocol at offset 0). https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 */
import type { LayerDecoder } from '../registry.js';
import { decodeEtherPayload } from './ethernet.js';

/** ARPHRD values whose SLL protocol field is not an EtherType. */
const ARPHRD_NETLINK = 824;

export const linuxSll: LayerDecoder = {
  name: 'linux_sll',
  keys: [['linkType', 113]],
  decode(pkt, off, end, d) {
    if (end - off < 16) {
      d.services.weird(pkt, 'truncated_link_header', 'Linux SLL');
      return;
    }
    if (pkt.view.getUint16(off + 2) === ARPHRD_NETLINK) return;
    decodeEtherPayload(pkt, pkt.view.getUint16(off + 14), off + 16, end, d);
  },
};

export const linuxSll2: LayerDecoder = {
  name: 'linux_sll2',
  keys: [['linkType', 276]],
  decode(pkt, off, end, d) {
    if (end - off < 20) {
      d.services.weird(pkt, 'truncated_link_header', 'Linux SLL2');
      return;
    }
    if (pkt.view.getUint16(off + 8) === ARPHRD_NETLINK) return;
    decodeEtherPayload(pkt, pkt.view.getUint16(off), off + 20, end, d);
  },
};
