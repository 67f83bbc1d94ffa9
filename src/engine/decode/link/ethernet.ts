/**
 * Ethernet II and IEEE 802.3 (with LLC/SNAP). Link type 1 (LINKTYPE_ETHERNET); also the inner
 * frame of bridging tunnels (VXLAN, Geneve, GRE transparent bridging), which dispatch to it by
 * the "ethernet" pseudo-ethertype 0x6558 (RFC 1701 Transparent Ethernet Bridging).
 */
import type { LayerDecoder } from '../registry.js';
import type { Dispatcher } from '../registry.js';
import type { Packet } from '../packet.js';

/** Largest 802.3 length field; above it the field is an EtherType (IEEE 802.3 §3.2.6). */
const MAX_8023_LENGTH = 1500;

export function decodeEthernet(pkt: Packet, off: number, end: number, d: Dispatcher): void {
  if (end - off < 14) {
    d.services.weird(pkt, 'truncated_ethernet_frame');
    return;
  }
  const type = pkt.view.getUint16(off + 12);
  decodeEtherPayload(pkt, type, off + 14, end, d);
}

/** Dispatches an EtherType/length field; shared by Ethernet and the VLAN tags that follow it. */
export function decodeEtherPayload(pkt: Packet, type: number, off: number, end: number, d: Dispatcher): void {
  if (type > MAX_8023_LENGTH) {
    d.dispatch('etherType', type, pkt, off, end);
    return;
  }
  // 802.3 with an 802.2 LLC header: only SNAP (AA AA 03 + OUI 00 00 00) carries an EtherType.
  // STP, CDP and the like are link-local chatter with nothing for connection analysis.
  const buf = pkt.buf;
  if (end - off >= 8 && buf[off] === 0xaa && buf[off + 1] === 0xaa && buf[off + 2] === 0x03
      && buf[off + 3] === 0 && buf[off + 4] === 0 && buf[off + 5] === 0) {
    d.dispatch('etherType', pkt.view.getUint16(off + 6), pkt, off + 8, end);
  }
}

export const ethernet: LayerDecoder = {
  name: 'ethernet',
  keys: [['linkType', 1], ['etherType', 0x6558]],
  decode: decodeEthernet,
};
