/**
 * Teredo (RFC 4380 §5.1.1), UDP port 3544: IPv6 in UDP, optionally preceded by an
 * authentication indicator (0x0001, id-len, au-len, client id, auth value, 8-byte nonce,
 * 1-byte confirmation) and/or an origin indication (0x0000, port, address: 8 bytes). Port 3544
 * alone proves nothing, so the payload must look like an IPv6 header whose payload length fits
 * before it is decoded or the connection is marked as a tunnel (Zeek checks the same).
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';

const IPV6_HEADER = 40;
const ORIGIN_LEN = 8;
/** Fixed part of the authentication indicator: type(2) id-len(1) au-len(1) nonce(8) confirmation(1). */
const AUTH_FIXED = 13;

export const teredo: LayerDecoder = {
  name: 'teredo',
  keys: [['udpPort', 3544]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    let p = off;
    if (end - p >= 2 && buf[p] === 0 && buf[p + 1] === 1) {
      if (end - p < 4 || end - p < AUTH_FIXED + buf[p + 2] + buf[p + 3]) {
        d.services.weird(pkt, 'Teredo_truncated', 'authentication indicator');
        return;
      }
      p += AUTH_FIXED + buf[p + 2] + buf[p + 3];
    }
    if (end - p >= 2 && buf[p] === 0 && buf[p + 1] === 0) {
      if (end - p < ORIGIN_LEN) {
        d.services.weird(pkt, 'Teredo_truncated', 'origin indication');
        return;
      }
      p += ORIGIN_LEN;
    }
    if (end - p < IPV6_HEADER || buf[p] >> 4 !== 6) return; // not Teredo-encapsulated IPv6
    const plen = buf.readUInt16BE(p + 4);
    // The UDP payload holds exactly one IPv6 packet; a snaplen may have cut it.
    const cut = pkt.payloadCap < pkt.payloadLen;
    if (IPV6_HEADER + plen > end - p && !cut) return;
    const id = d.services.connTunnel(pkt, flowHints.connId, 'Tunnel::TEREDO');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', 0x86dd, pkt, p, end);
  },
};
