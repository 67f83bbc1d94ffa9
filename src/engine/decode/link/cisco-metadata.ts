/**
 * Cisco MetaData (CMD, EtherType 0x8909): Cisco TrustSec's inline SGT tag on Ethernet. After the
 * EtherType come version(1) length(1) option length/type(2) SGT(2) and the payload's EtherType(2),
 * 8 bytes in all (as Wireshark's packet-cisco-metadata.c reads it; Cisco publishes no RFC).
 * Inside GRE the order differs and gre.ts reads it itself.
 */
import type { LayerDecoder } from '../registry.js';
import { decodeEtherPayload } from './ethernet.js';

const CMD_LEN = 8;

export const ciscoMetadata: LayerDecoder = {
  name: 'cisco_metadata',
  keys: [['etherType', 0x8909]],
  decode(pkt, off, end, d) {
    if (end - off < CMD_LEN) {
      d.services.weird(pkt, 'truncated_link_header', 'Cisco MetaData');
      return;
    }
    decodeEtherPayload(pkt, pkt.buf.readUInt16BE(off + 6), off + CMD_LEN, end, d);
  },
};
