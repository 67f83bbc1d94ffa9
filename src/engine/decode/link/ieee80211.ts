/**
 * IEEE 802.11 data frames (LINKTYPE_IEEE802_11, 105; also the frame after radiotap and PPI).
 * IEEE 802.11-2020 §9.2.4: frame control (little-endian), duration, three addresses and sequence
 * control make 24 bytes; a fourth address follows when both To DS and From DS are set (WDS),
 * QoS data subtypes add a 2-byte QoS control, and the Order/+HTC bit on a QoS frame adds 4 bytes
 * of HT control. The body is an 802.2 LLC/SNAP header carrying the EtherType (RFC 1042).
 * Management and control frames, null-data frames and protected (encrypted) bodies hold nothing
 * for connection analysis and are skipped silently; so are A-MSDU aggregates.
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
  let hlen = 24;
  if ((flags & (FLAG_TO_DS | FLAG_FROM_DS)) === (FLAG_TO_DS | FLAG_FROM_DS)) hlen += 6;
  const qos = (subtype & SUBTYPE_QOS) !== 0;
  if (qos) {
    hlen += 2;
    if ((flags & FLAG_ORDER) !== 0) hlen += 4;
  }
  if (end - off < hlen) {
    d.services.weird(pkt, 'truncated_802_11_header', `${end - off} < ${hlen} bytes`);
    return;
  }
  if (qos) {
    const qosOff = off + ((flags & (FLAG_TO_DS | FLAG_FROM_DS)) === 3 ? 30 : 24);
    if ((buf[qosOff] & QOS_AMSDU) !== 0) return;
  }
  const p = off + hlen;
  if (end - p < 8) {
    if (end > p) d.services.weird(pkt, 'truncated_802_11_header', 'LLC/SNAP');
    return;
  }
  // LLC/SNAP: DSAP AA, SSAP AA, UI 03, then OUI 00-00-00 (RFC 1042) or 00-00-F8 (802.1H bridge tunnel).
  if (buf[p] !== 0xaa || buf[p + 1] !== 0xaa || buf[p + 2] !== 0x03 || buf[p + 3] !== 0 || buf[p + 4] !== 0
      || (buf[p + 5] !== 0 && buf[p + 5] !== 0xf8)) return;
  d.dispatch('etherType', buf.readUInt16BE(p + 6), pkt, p + 8, end);
}

export const ieee80211: LayerDecoder = {
  name: 'ieee802_11',
  keys: [['linkType', 105]],
  decode: decode80211,
};
