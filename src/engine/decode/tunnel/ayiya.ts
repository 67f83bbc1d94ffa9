/**
 * AYIYA, "Anything In Anything" (draft-massar-v6ops-ayiya-02 §5), UDP port 5072: a header of
 * IDlen(4) IDtype(4) siglen(4) HshMeth(4) AutMeth(4) OpCode(4) NextHeader(8) Epoch(32), then an
 * identity of 2^IDlen bytes and a signature of siglen*4 bytes. Only OpCode 1 (forward) carries a
 * packet; NextHeader 4 is IPv4, 41 IPv6 (Zeek handles just these too).
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';

const FIXED = 8;
const OPCODE_FORWARD = 1;

export const ayiya: LayerDecoder = {
  name: 'ayiya',
  keys: [['udpPort', 5072]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < FIXED) {
      d.services.weird(pkt, 'truncated_AYIYA', `${end - off} bytes`);
      return;
    }
    const hlen = FIXED + (1 << (buf[off] >> 4)) + (buf[off + 1] >> 4) * 4;
    if (end - off < hlen) {
      d.services.weird(pkt, 'truncated_AYIYA', `header ${hlen} > ${end - off} bytes`);
      return;
    }
    if ((buf[off + 2] & 0x0f) !== OPCODE_FORWARD) return; // heartbeats, queries: no packet
    const next = buf[off + 3];
    if (next !== 4 && next !== 41) {
      d.services.weird(pkt, 'ayiya_tunnel_non_ip', String(next));
      return;
    }
    if (end - off === hlen) {
      d.services.weird(pkt, 'ayiya_empty_packet');
      return;
    }
    const id = d.services.connTunnel(pkt, flowHints.connId, 'Tunnel::AYIYA');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', next === 4 ? 0x0800 : 0x86dd, pkt, off + hlen, end);
  },
};
