/**
 * BSD loopback: LINKTYPE_NULL (0) has a 4-byte address family in the *writer's* byte order,
 * LINKTYPE_LOOP (108) in network order. IPv6's AF value differs per OS (24 BSD, 28 FreeBSD,
 * 30 macOS/Darwin, 10 Linux, 23 Windows), so any of them means IPv6.
 */
import type { LayerDecoder } from '../registry.js';

const AF_INET = 2;
const AF_INET6 = new Set([24, 28, 30, 10, 23]);

export const nullLoopback: LayerDecoder = {
  name: 'null',
  keys: [['linkType', 0], ['linkType', 108]],
  decode(pkt, off, end, d) {
    if (end - off < 4) {
      d.services.weird(pkt, 'truncated_link_header', 'null/loopback');
      return;
    }
    const be = pkt.view.getUint32(off);
    // Byte order unknown for type 0: the family is a small number, so whichever reading is small wins.
    const family = be < 0x10000 ? be : pkt.view.getUint32(off, true);
    if (family === AF_INET) d.dispatch('etherType', 0x0800, pkt, off + 4, end);
    else if (AF_INET6.has(family)) d.dispatch('etherType', 0x86dd, pkt, off + 4, end);
    else d.services.weird(pkt, 'unknown_null_link_family', String(family));
  },
};
