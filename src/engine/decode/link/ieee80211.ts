/**
 * IEEE 802.11 data frames (LINKTYPE_IEEE802_11, 105; also the frame after radiotap and PPI, and
 * inside Aruba's GRE tunnels, see gre.ts). IEEE 802.11-2020 §9.2.4: frame control (little-endian), duration,
 * three addresses and sequence control make 24 bytes; a fourth address follows when both To DS
 * and From DS are set (WDS), QoS data subtypes add a 2-byte QoS control, and the Order/+HTC bit
 * on a QoS frame adds 4 bytes of HT control. The body is an 802.2 LLC/SNAP header carrying the
 * EtherType (RFC 1042), or, when the QoS control says A-MSDU (§9.3.2.2.2), a series of subframes
 * DA(6) SA(6) length(2) + LLC/SNAP body, each padded to 4 bytes. Management and control frames,
 * null-data frames and protected (encrypted) bodies hold nothing for connection analysis and are
 * skipped silently. Weird names follow Zeek's IEEE802_11 analyzer.
 */
import type { Dispatcher, LayerDecoder } from '../registry.js';
import type { Packet } from '../packet.js';

const TYPE_DATA = 2;
const FLAG_TO_DS = 0x01;
const FLAG_FROM_DS = 0x02;
const FLAG_PROTECTED = 0x40;
const FLAG_ORDER = 0x80;
/** Subtype bit 0x8: QoS data; bit 0x4: no body (null function). */
const SUBTYPE_QOS = 0x08;
const SUBTYPE_NO_DATA = 0x04;
/** QoS control bit 7: the body is an A-MSDU (§9.2.4.5.9). */
const QOS_AMSDU = 0x80;
const AMSDU_SUBFRAME_HEADER = 14;
const LLC_SNAP = 8;

export function decode80211(pkt: Packet, off: number, end: number, d: Dispatcher): void {
  const buf = pkt.buf;
  if (end - off < 2) {
    d.services.weird(pkt, 'truncated_802_11_header');
    return;
  }
  const fc0 = buf[off];
  const flags = buf[off + 1];
  const type = (fc0 >> 2) & 0x03;
  const subtype = fc0 >> 4;
  if (type !== TYPE_DATA || (subtype & SUBTYPE_NO_DATA) !== 0 || (flags & FLAG_PROTECTED) !== 0) return;
  const fourAddr = (flags & (FLAG_TO_DS | FLAG_FROM_DS)) === (FLAG_TO_DS | FLAG_FROM_DS);
  let hlen = fourAddr ? 30 : 24;
  const qos = (subtype & SUBTYPE_QOS) !== 0;
  if (qos) hlen += (flags & FLAG_ORDER) !== 0 ? 6 : 2;
  if (end - off < hlen) {
    d.services.weird(pkt, 'truncated_802_11_header', `${end - off} < ${hlen} bytes`);
    return;
  }
  const p = off + hlen;
  if (qos && (buf[off + (fourAddr ? 30 : 24)] & QOS_AMSDU) !== 0) decodeAmsdu(pkt, p, end, d);
  else decodeLlc(pkt, p, end, d);
}

/** RFC 1042 LLC/SNAP (AA AA 03, OUI 00-00-00 or 802.1H's 00-00-F8) → EtherType. */
function decodeLlc(pkt: Packet, p: number, end: number, d: Dispatcher): void {
  const buf = pkt.buf;
  if (end - p < LLC_SNAP) {
    if (end > p) d.services.weird(pkt, 'truncated_802_11_llc_header');
    return;
  }
  if (buf[p] !== 0xaa || buf[p + 1] !== 0xaa || buf[p + 2] !== 0x03 || buf[p + 3] !== 0 || buf[p + 4] !== 0
      || (buf[p + 5] !== 0 && buf[p + 5] !== 0xf8)) return;
  d.dispatch('etherType', buf.readUInt16BE(p + 6), pkt, p + LLC_SNAP, end);
}

/** Each subframe is decoded as its own packet from the same encapsulation (Zeek does the same). */
function decodeAmsdu(pkt: Packet, p: number, end: number, d: Dispatcher): void {
  const depth = pkt.depth;
  const tunnels = pkt.tunnelCount;
  // Every pass advances by at least the subframe header, so the loop ends.
  while (p < end) {
    if (end - p < AMSDU_SUBFRAME_HEADER) {
      d.services.weird(pkt, 'truncated_802_11_amsdu_header');
      return;
    }
    const len = pkt.buf.readUInt16BE(p + 12);
    p += AMSDU_SUBFRAME_HEADER;
    if (end - p < len) {
      d.services.weird(pkt, 'truncated_802_11_amsdu_packet', `${len} > ${end - p} bytes`);
      return;
    }
    pkt.depth = depth;
    pkt.tunnelCount = tunnels;
    decodeLlc(pkt, p, p + len, d);
    // Subframes are padded to a multiple of 4 bytes, except the last.
    p += len;
    p = Math.min(end, p + ((4 - ((len + AMSDU_SUBFRAME_HEADER) % 4)) % 4));
  }
}

export const ieee80211: LayerDecoder = {
  name: 'ieee802_11',
  keys: [['linkType', 105]],
  decode: decode80211,
};
