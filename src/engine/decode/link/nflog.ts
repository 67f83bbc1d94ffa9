/**
 * Linux NFLOG (LINKTYPE_NFLOG, 239; https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html): a
 * 4-byte header nflog_family(1) version(1) resource_id(2, big-endian), then TLVs whose length
 * (which counts the 4-byte TLV header) and type are in the *writer's* host byte order, each
 * padded to 4 bytes. TLV type 9 (NFULA_PAYLOAD) holds the packet, whose IP version the
 * family byte gives (AF_INET 2, AF_INET6 10). Weird names are Zeek's NFLog analyzer's.
 */
import type { LayerDecoder } from '../registry.js';

const AF_INET = 2;
const AF_INET6 = 10;
const NFULA_PAYLOAD = 9;
const TLV_HEADER = 4;

export const nflog: LayerDecoder = {
  name: 'nflog',
  keys: [['linkType', 239]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < 4) {
      d.services.weird(pkt, 'truncated_nflog_header');
      return;
    }
    if (buf[off + 1] !== 0) {
      d.services.weird(pkt, 'unknown_nflog_version', String(buf[off + 1]));
      return;
    }
    const family = buf[off];
    let p = off + 4;
    // Byte order unknown: the first TLV's length read little-endian must fit, else big-endian.
    let le = true;
    if (end - p >= TLV_HEADER) {
      const l = buf.readUInt16LE(p);
      le = l >= TLV_HEADER && l <= end - p;
    }
    // Every pass advances by at least TLV_HEADER bytes, so the walk ends.
    while (end - p >= TLV_HEADER) {
      const len = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
      const type = le ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
      if (len < TLV_HEADER) {
        d.services.weird(pkt, 'nflog_bad_tlv_len', String(len));
        return;
      }
      if (type === NFULA_PAYLOAD) {
        const payEnd = Math.min(end, p + len);
        if (family === AF_INET) d.dispatch('etherType', 0x0800, pkt, p + TLV_HEADER, payEnd);
        else if (family === AF_INET6) d.dispatch('etherType', 0x86dd, pkt, p + TLV_HEADER, payEnd);
        else d.services.weird(pkt, 'unknown_nflog_family', String(family));
        return;
      }
      p += (len + 3) & ~3;
    }
    d.services.weird(pkt, 'nflog_no_pcap_payload');
  },
};
