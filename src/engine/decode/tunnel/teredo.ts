/**
 * Teredo (RFC 4380 §5.1.1), UDP port 3544: IPv6 in UDP, optionally preceded by an
 * authentication indicator (0x0001, id-len, au-len, client id, auth value, 8-byte nonce,
 * 1-byte confirmation) and/or an origin indication (0x0000, port, address: 8 bytes), in that
 * order. Port 3544 alone proves nothing, so the payload must be an IPv6 header whose payload
 * length matches the datagram before it is decoded or the connection is marked as a tunnel
 * (Zeek's checks and weird names; only a bubble, next header 59, may have trailing bytes).
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';

const IPV6_HEADER = 40;
const ORIGIN_LEN = 8;
/** Fixed part of the authentication indicator: type(2) id-len(1) au-len(1) nonce(8) confirmation(1). */
const AUTH_FIXED = 13;
const NO_NEXT_HEADER = 59;

export const teredo: LayerDecoder = {
  name: 'teredo',
  keys: [['udpPort', 3544]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    let p = off;
    if (end - p >= 2 && buf[p] === 0 && buf[p + 1] === 1) {
      if (end - p < 4 || end - p < AUTH_FIXED + buf[p + 2] + buf[p + 3]) {
        d.services.weird(pkt, 'truncated_Teredo_authentication');
        return;
      }
      p += AUTH_FIXED + buf[p + 2] + buf[p + 3];
    }
    if (end - p >= 2 && buf[p] === 0 && buf[p + 1] === 0) {
      if (end - p < ORIGIN_LEN) {
        d.services.weird(pkt, 'truncated_Teredo_origin_indication');
        return;
      }
      p += ORIGIN_LEN;
    }
    if (end - p < IPV6_HEADER || buf[p] >> 4 !== 6) return; // not Teredo-encapsulated IPv6
    const ipLen = IPV6_HEADER + buf.readUInt16BE(p + 4);
    // The datagram holds exactly one IPv6 packet; judge by wire bytes so a snaplen cut is fine.
    const onWire = pkt.payloadOff + pkt.payloadLen - p;
    if (ipLen > onWire) return;
    if (ipLen < onWire) {
      if (buf[p + 6] !== NO_NEXT_HEADER || ipLen !== IPV6_HEADER) return;
      d.services.weird(pkt, 'Teredo_bubble_with_payload');
    }
    const id = d.services.connTunnel(pkt, flowHints.connId, 'Tunnel::TEREDO');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', 0x86dd, pkt, p, end);
  },
};
