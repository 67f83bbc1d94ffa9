/**
 * MPLS label stack (RFC 3032 §2.1), EtherTypes 0x8847 (unicast) and 0x8848 (multicast). Each
 * 4-byte entry is label(20) TC(3) S(1) TTL(8); S marks the bottom of the stack. RFC 3032 does
 * not encode what follows the stack, so (as Zeek and tshark do) the first nibble decides: 4 or
 * 6 is IP; 0 is the pseudowire control word (RFC 4385 §3) before an Ethernet frame (RFC 4448);
 * anything else is tried as a bare Ethernet pseudowire.
 */
import type { LayerDecoder } from '../registry.js';
import { LIMITS } from '../../support/limits.js';

/** Smallest Ethernet header: below this a payload cannot be a pseudowire frame. */
const ETHER_HEADER = 14;

export const mpls: LayerDecoder = {
  name: 'mpls',
  keys: [['etherType', 0x8847], ['etherType', 0x8848]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    let p = off;
    for (let n = 0; ; n++) {
      if (n >= LIMITS.maxMplsLabels) {
        d.services.weird(pkt, 'too_many_MPLS_labels', `more than ${LIMITS.maxMplsLabels}`);
        return;
      }
      if (end - p < 4) {
        d.services.weird(pkt, 'truncated_link_header', 'MPLS label stack');
        return;
      }
      const bottom = (buf[p + 2] & 0x01) !== 0;
      p += 4;
      if (bottom) break;
    }
    if (end - p < 1) {
      d.services.weird(pkt, 'no_ip_in_mpls_payload');
      return;
    }
    const nibble = buf[p] >> 4;
    if (nibble === 4) d.dispatch('etherType', 0x0800, pkt, p, end);
    else if (nibble === 6) d.dispatch('etherType', 0x86dd, pkt, p, end);
    else {
      // Pseudowire: a control word starts with nibble 0000 (RFC 4385 §3); the frame follows it.
      if (nibble === 0 && end - p >= 4 + ETHER_HEADER) p += 4;
      if (end - p < ETHER_HEADER) {
        d.services.weird(pkt, 'no_ip_in_mpls_payload');
        return;
      }
      d.dispatch('etherType', 0x6558, pkt, p, end);
    }
  },
};
