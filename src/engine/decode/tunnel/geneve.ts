/**
 * Geneve (RFC 8926 §3.4), UDP port 6081: ver(2) opt_len(6, in 4-byte words) O C rsvd(6)
 * protocol type(16) VNI(24) reserved(8), then opt_len*4 bytes of options, then the payload
 * whose EtherType the protocol type gives (0x6558 = Ethernet, §3.4.1).
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';

const HEADER = 8;

export const geneve: LayerDecoder = {
  name: 'geneve',
  keys: [['udpPort', 6081]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < HEADER) {
      d.services.weird(pkt, 'truncated_GENEVE', `${end - off} bytes`);
      return;
    }
    const version = buf[off] >> 6;
    if (version !== 0) {
      // §3.4: an unknown version must not be parsed further.
      d.services.weird(pkt, 'geneve_invalid_version', String(version));
      return;
    }
    const hlen = HEADER + (buf[off] & 0x3f) * 4;
    if (end - off < hlen) {
      d.services.weird(pkt, 'truncated_GENEVE', `options end at ${hlen} > ${end - off} bytes`);
      return;
    }
    if (end - off === hlen) {
      d.services.weird(pkt, 'geneve_empty_packet');
      return;
    }
    const id = d.services.connTunnel(pkt, flowHints.connId, 'Tunnel::GENEVE');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', buf.readUInt16BE(off + 2), pkt, off + hlen, end);
  },
};
