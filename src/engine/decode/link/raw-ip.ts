/**
 * Link types that carry a bare IP packet: LINKTYPE_RAW (101, and the DLT_RAW values 12 and 14
 * some systems write), LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229). The version nibble decides,
 * as libpcap does: a LINKTYPE_IPV4 file holding IPv6 is decoded as what it is, with a weird.
 */
import type { LayerDecoder } from '../registry.js';

export const rawIp: LayerDecoder = {
  name: 'raw_ip',
  keys: [['linkType', 101], ['linkType', 12], ['linkType', 14], ['linkType', 228], ['linkType', 229]],
  decode(pkt, off, end, d) {
    if (end - off < 1) {
      d.services.weird(pkt, 'truncated_link_header', 'raw IP');
      return;
    }
    const version = pkt.buf[off] >> 4;
    if ((pkt.linkType === 228 && version !== 4) || (pkt.linkType === 229 && version !== 6)) {
      d.services.weird(pkt, 'link_type_payload_mismatch', `link type ${pkt.linkType} carries IP version ${version}`);
    }
    if (version === 4) d.dispatch('etherType', 0x0800, pkt, off, end);
    else if (version === 6) d.dispatch('etherType', 0x86dd, pkt, off, end);
    else d.services.weird(pkt, 'unknown_IP_version', String(version));
  },
};
