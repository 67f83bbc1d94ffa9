/**
 * Cisco HDLC (LINKTYPE_C_HDLC, 104): address 0x0f (unicast) or 0x8f (broadcast), control 0x00,
 * then a 2-byte EtherType (https://www.tcpdump.org/linktypes/LINKTYPE_C_HDLC.html). Serial
 * captures labelled PPP_HDLC (50) sometimes hold these frames too; ppp.ts hands them here.
 */
import type { Dispatcher, LayerDecoder } from '../registry.js';
import type { Packet } from '../packet.js';

export const CHDLC_UNICAST = 0x0f;
export const CHDLC_BROADCAST = 0x8f;

export function decodeCiscoHdlc(pkt: Packet, off: number, end: number, d: Dispatcher): void {
  if (end - off < 4) {
    d.services.weird(pkt, 'truncated_link_header', 'Cisco HDLC');
    return;
  }
  // SLARP (0x8035) keepalives and CDP (0x2000) simply find no decoder.
  d.dispatch('etherType', pkt.buf.readUInt16BE(off + 2), pkt, off + 4, end);
}

export const ciscoHdlc: LayerDecoder = {
  name: 'cisco_hdlc',
  keys: [['linkType', 104]],
  decode: decodeCiscoHdlc,
};
