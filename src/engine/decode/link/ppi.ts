/**
 * PPI, Per-Packet Information (LINKTYPE_PPI, 192; CACE "PPI Header Format" 1.0.10 §3): a
 * little-endian header pph_version(1) pph_flags(1) pph_len(2) pph_dlt(4) followed by fields
 * we do not need; the captured frame starts pph_len bytes in and has link type pph_dlt.
 */
import type { LayerDecoder } from '../registry.js';

/** PPI must not wrap itself: an inner DLT of PPI would recurse on crafted input. */
const LINKTYPE_PPI = 192;

export const ppi: LayerDecoder = {
  name: 'ppi',
  keys: [['linkType', LINKTYPE_PPI]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < 8) {
      d.services.weird(pkt, 'truncated_link_header', 'PPI');
      return;
    }
    const len = buf.readUInt16LE(off + 2);
    const dlt = buf.readUInt32LE(off + 4);
    if (len < 8 || len > end - off) {
      d.services.weird(pkt, 'truncated_link_header', `PPI pph_len ${len}, ${end - off} captured`);
      return;
    }
    if (dlt === LINKTYPE_PPI || dlt > 0xffff) {
      d.services.weird(pkt, 'unsupported_link_type', `PPI carries link type ${dlt}`);
      return;
    }
    pkt.linkType = dlt;
    if (!d.dispatch('linkType', dlt, pkt, off + len, end)) {
      d.services.weird(pkt, 'unsupported_link_type', `PPI carries link type ${dlt}`);
    }
  },
};
