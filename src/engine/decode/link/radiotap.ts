/**
 * Radiotap (LINKTYPE_IEEE802_11_RADIOTAP, 127; https://www.radiotap.org): a little-endian
 * header it_version(1) it_pad(1) it_len(2) it_present(4, chained while bit 31 is set), then the
 * fields in bit order, each aligned to its natural size from the header start. Only the Flags
 * field (bit 1, right after the 8-byte TSFT of bit 0) matters: flag 0x10 says the 802.11 frame
 * ends with a 4-byte FCS, which must not be taken as payload.
 */
import type { LayerDecoder } from '../registry.js';
import { decode80211 } from './ieee80211.js';

const PRESENT_TSFT = 1 << 0;
const PRESENT_FLAGS = 1 << 1;
const PRESENT_EXT = 1 << 31;
const FLAG_FCS = 0x10;
const FCS_LEN = 4;

export const radiotap: LayerDecoder = {
  name: 'radiotap',
  keys: [['linkType', 127]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < 8) {
      d.services.weird(pkt, 'truncated_radiotap_header');
      return;
    }
    const itLen = buf.readUInt16LE(off + 2);
    if (itLen < 8 || itLen > end - off) {
      d.services.weird(pkt, 'truncated_radiotap_header', `it_len ${itLen}, ${end - off} captured`);
      return;
    }
    const hdrEnd = off + itLen;
    const present = buf.readUInt32LE(off + 4);
    // Skip any further present words (each bounded by it_len, so this loop ends).
    let p = off + 8;
    for (let w = present; (w & PRESENT_EXT) !== 0 && p + 4 <= hdrEnd; p += 4) w = buf.readUInt32LE(p);
    let frameEnd = end;
    if ((present & PRESENT_FLAGS) !== 0) {
      if ((present & PRESENT_TSFT) !== 0) p = off + (((p - off + 7) & ~7) + 8);
      if (p < hdrEnd && (buf[p] & FLAG_FCS) !== 0) {
        // The FCS is only present if the capture kept the whole frame.
        if (pkt.capLen >= pkt.wireLen) frameEnd = Math.max(hdrEnd, end - FCS_LEN);
      }
    }
    decode80211(pkt, hdrEnd, frameEnd, d);
  },
};
