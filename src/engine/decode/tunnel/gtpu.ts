/**
 * GTP-U, GTPv1 user plane (3GPP TS 29.281 §5), UDP port 2152. Mandatory 8 bytes: flags (version
 * 3 bits = 1, PT = 1, E, S, PN), message type, length (of what follows these 8 bytes), TEID.
 * If any of E/S/PN is set, 4 more bytes follow: sequence(2), N-PDU(1), next extension type(1);
 * extension headers (§5.2) are length(1, in 4-byte units, counting itself) + content + next
 * type(1), chained until type 0. Only message type 0xff (G-PDU) carries a user IP packet.
 */
import type { LayerDecoder } from '../registry.js';
import { flowHints } from '../flow-hints.js';
import { LIMITS } from '../../support/limits.js';

const HEADER = 8;
const FLAGS_EXT = 0x07;
const FLAG_E = 0x04;
const G_PDU = 0xff;

export const gtpu: LayerDecoder = {
  name: 'gtpu',
  keys: [['udpPort', 2152]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < HEADER) {
      d.services.weird(pkt, 'GTPv1_truncated', `${end - off} bytes`);
      return;
    }
    const flags = buf[off];
    if (flags >> 5 !== 1 || (flags & 0x10) === 0) {
      // Version must be 1 and PT 1 (GTP, not GTP'), TS 29.281 §5.1.
      d.services.weird(pkt, 'GTPv1_bad_version_or_protocol_type', `flags 0x${flags.toString(16)}`);
      return;
    }
    if (buf[off + 1] !== G_PDU) return; // echo, error indication, end marker: no user data
    // The length field bounds the message (the UDP payload may be padded).
    const msgEnd = Math.min(end, off + HEADER + buf.readUInt16BE(off + 2));
    let p = off + HEADER;
    if ((flags & FLAGS_EXT) !== 0) {
      if (msgEnd - p < 4) {
        d.services.weird(pkt, 'GTPv1_truncated', 'optional fields');
        return;
      }
      let next = (flags & FLAG_E) !== 0 ? buf[p + 3] : 0;
      p += 4;
      for (let n = 0; next !== 0; n++) {
        if (n >= LIMITS.maxGtpExtensionHeaders) {
          d.services.weird(pkt, 'GTPv1_too_many_extension_headers');
          return;
        }
        if (msgEnd - p < 1 || buf[p] === 0 || msgEnd - p < buf[p] * 4) {
          d.services.weird(pkt, 'GTPv1_truncated', 'extension header');
          return;
        }
        const len = buf[p] * 4;
        next = buf[p + len - 1];
        p += len;
      }
    }
    if (msgEnd - p < 1) return; // empty G-PDU
    const ipv = buf[p] >> 4;
    if (ipv !== 4 && ipv !== 6) {
      d.services.weird(pkt, 'GTPv1_payload_not_IP', `version nibble ${ipv}`);
      return;
    }
    const id = d.services.connTunnel(pkt, flowHints.connId, 'Tunnel::GTPv1');
    if (id >= 0) pkt.pushTunnel(id);
    d.dispatch('etherType', ipv === 4 ? 0x0800 : 0x86dd, pkt, p, msgEnd);
  },
};
