/**
 * IP-in-IP: IP protocol 4 carries IPv4 (RFC 2003 §3), 41 carries IPv6 (RFC 4213 §3.5 "6in4",
 * RFC 2473 §3 for 6in6), over either IP version (4in4, 6in4, 4in6, 6in6). The outer address pair
 * identifies the tunnel (Zeek's Tunnel::IP); the inner packet is then decoded as any other.
 */
import type { LayerDecoder } from '../registry.js';

const IPPROTO_IPIP = 4;
const IPPROTO_IPV6 = 41;

export const ipInIp: LayerDecoder = {
  name: 'ip_in_ip',
  keys: [['ipProto', IPPROTO_IPIP], ['ipProto', IPPROTO_IPV6]],
  decode(pkt, off, end, d) {
    const inner = pkt.ipProto === IPPROTO_IPIP ? 4 : 6;
    if (end - off < 1 || pkt.buf[off] >> 4 !== inner) {
      // An inner header that is not the announced version is not a tunnel (Zeek's weird names).
      d.services.weird(pkt, end - off < 1 ? 'truncated_inner_IP' : 'invalid_inner_IP_version', `IP protocol ${pkt.ipProto}`);
      return;
    }
    const id = d.services.ipTunnel(pkt, 'Tunnel::IP');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', inner === 4 ? 0x0800 : 0x86dd, pkt, off, end);
  },
};
