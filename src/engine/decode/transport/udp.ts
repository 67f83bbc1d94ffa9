/**
 * UDP (RFC 768). After the flow layer has seen the datagram, a tunnel or other packet-level
 * decoder registered on the *responder's* port takes the payload (Zeek forwards by the
 * responder port too, so a reply from port 4789 is not mistaken for VXLAN).
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';
import { transportChecksumOk } from '../checksum.js';
import { engineSettings } from '../settings.js';

export const udp: LayerDecoder = {
  name: 'udp',
  keys: [['ipProto', 17]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < 8) {
      d.services.weird(pkt, 'truncated_header', 'UDP');
      return;
    }
    pkt.srcPort = pkt.view.getUint16(off);
    pkt.dstPort = pkt.view.getUint16(off + 2);
    pkt.tcpFlags = 0;
    pkt.payloadOff = off + 8;
    pkt.payloadLen = pkt.l4Len - 8;
    pkt.payloadCap = Math.max(0, Math.min(end - off, pkt.l4Len) - 8);
    if (pkt.payloadLen < 0) {
      d.services.weird(pkt, 'truncated_header', 'UDP length below header size');
      return;
    }
    // Checksum 0 means "none": always for IPv4 (RFC 768), and for IPv6 tunnels (RFC 6935 §5,
    // VXLAN, Geneve...), which Zeek accepts as well; a non-zero one must verify.
    pkt.badChecksum = engineSettings.validateChecksums && pkt.l4Cap >= pkt.l4Len
      && pkt.view.getUint16(off + 6) !== 0 && !transportChecksumOk(pkt, 17);
    const conn = d.services.session(pkt);
    if (conn < 0) return;
    const respPort = flowHints.respPort;
    if (d.has('udpPort', respPort)) {
      d.dispatch('udpPort', respPort, pkt, pkt.payloadOff, pkt.payloadOff + pkt.payloadCap);
    }
  },
};
