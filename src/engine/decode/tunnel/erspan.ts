/**
 * ERSPAN, Cisco's mirrored-traffic encapsulation inside GRE (draft-foschiano-erspan-03).
 * Type II (GRE protocol 0x88be, version field 1, §4.1): an 8-byte header. Type III (0x22eb,
 * version 2, §4.2): a 12-byte header whose last bit (O) announces an 8-byte platform-specific
 * subheader. Both then carry the mirrored Ethernet frame. (Type I, 0x88be without a GRE sequence
 * number, has no header and is handled by gre.ts.) Only GRE calls this: 0x88be seen as an
 * Ethernet EtherType is not ERSPAN to Zeek or tshark, so it is not registered in the table.
 */
import type { Dispatcher } from '../registry.js';
import type { Packet } from '../packet.js';

const TYPE_II = 1;
const TYPE_III = 2;

/** Decodes an ERSPAN type II or III header at `off` (GRE payload) and the Ethernet frame after it. */
export function decodeErspan(pkt: Packet, off: number, end: number, d: Dispatcher): void {
  const buf = pkt.buf;
  if (end - off < 8) {
    d.services.weird(pkt, 'truncated_GRE', `${end - off} bytes`);
    return;
  }
  const version = buf[off] >> 4;
  let hlen: number;
  if (version === TYPE_II) hlen = 8;
  else if (version === TYPE_III) {
    if (end - off < 12) {
      d.services.weird(pkt, 'truncated_GRE', `${end - off} bytes`);
      return;
    }
    hlen = (buf[off + 11] & 0x01) !== 0 ? 20 : 12;
  } else {
    d.services.weird(pkt, 'unknown_ERSPAN_version', String(version));
    return;
  }
  if (end - off < hlen + 14) {
    d.services.weird(pkt, 'truncated_GRE', `header ${hlen} + Ethernet > ${end - off} bytes`);
    return;
  }
  d.dispatch('etherType', 0x6558, pkt, off + hlen, end);
}
