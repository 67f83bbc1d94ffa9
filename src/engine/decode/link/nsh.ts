/**
 * Network Service Header (RFC 8300 §2), EtherType 0x894f: a base header ver(2) O U TTL(6)
 * Length(6, the whole NSH in 4-byte words) U(4) MD type(4) Next Protocol(8), the service path
 * header and metadata, then the packet named by Next Protocol (§2.2: 1 IPv4, 2 IPv6, 3 Ethernet,
 * 4 NSH, 5 MPLS).
 */
import type { LayerDecoder } from '../registry.js';

/** Base header + service path header: the smallest legal NSH (§2.2, §2.3). */
const MIN_LEN = 8;
/** Next Protocol → EtherType of the table entry that decodes it. */
export const NSH_NEXT_PROTOCOL: Readonly<Record<number, number>> = { 1: 0x0800, 2: 0x86dd, 3: 0x6558, 4: 0x894f, 5: 0x8847 };

export const nsh: LayerDecoder = {
  name: 'nsh',
  keys: [['etherType', 0x894f]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < MIN_LEN) {
      d.services.weird(pkt, 'truncated_NSH', `${end - off} bytes`);
      return;
    }
    if (buf[off] >> 6 !== 0) {
      // §2.2: only version 0 is defined.
      d.services.weird(pkt, 'unknown_NSH_version', String(buf[off] >> 6));
      return;
    }
    const len = (buf.readUInt16BE(off) & 0x3f) * 4;
    if (len < MIN_LEN || len > end - off) {
      d.services.weird(pkt, 'truncated_NSH', `length ${len}, ${end - off} bytes`);
      return;
    }
    const type = NSH_NEXT_PROTOCOL[buf[off + 3]];
    if (type !== undefined) d.dispatch('etherType', type, pkt, off + len, end);
  },
};
