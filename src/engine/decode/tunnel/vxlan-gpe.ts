/**
 * VXLAN-GPE, Generic Protocol Extension (draft-ietf-nvo3-vxlan-gpe-12 §3), UDP port 4790:
 * flags(1; I 0x08 = VNI valid, P 0x04 = next protocol present), reserved(2), next protocol(1),
 * VNI(3), reserved(1); the payload is IPv4, IPv6, Ethernet, NSH or MPLS as next protocol says.
 * Draft -12 §3.1 makes P mandatory, but senders (and test captures) omit it; like Wireshark we
 * trust a known next protocol either way, and fall back to Ethernet (plain VXLAN, RFC 7348) only
 * without P. Logged as a Tunnel::VXLAN.
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';
import { NSH_NEXT_PROTOCOL } from '../link/nsh.js';

const HEADER = 8;
const FLAG_P = 0x04;

export const vxlanGpe: LayerDecoder = {
  name: 'vxlan_gpe',
  keys: [['udpPort', 4790]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < HEADER) {
      d.services.weird(pkt, 'truncated_VXLAN', `GPE, ${end - off} bytes`);
      return;
    }
    if (end - off === HEADER) {
      d.services.weird(pkt, 'vxlan_empty_packet');
      return;
    }
    const type = NSH_NEXT_PROTOCOL[buf[off + 3]] ?? ((buf[off] & FLAG_P) !== 0 ? undefined : 0x6558);
    if (type === undefined) {
      d.services.weird(pkt, 'vxlan_gpe_unknown_next_protocol', String(buf[off + 3]));
      return;
    }
    const id = d.services.connTunnel(pkt, flowHints.connId, 'Tunnel::VXLAN');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', type, pkt, off + HEADER, end);
  },
};
