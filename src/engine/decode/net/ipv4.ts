/**
 * IPv4 (RFC 791): header validation, options skipped by IHL, fragments handed to reassembly,
 * the payload dispatched by protocol number. Bounds come from the header's total length, so
 * Ethernet padding never reaches the transport layer.
 */
import type { LayerDecoder } from '../registry.js';
import { V4_MAPPED_W2 } from '../../support/addr.js';
import { ipv4HeaderChecksumOk } from '../checksum.js';
import { engineSettings } from '../settings.js';

const MF = 0x2000;
const OFFSET_MASK = 0x1fff;

export const ipv4: LayerDecoder = {
  name: 'ipv4',
  keys: [['etherType', 0x0800], ['pppProtocol', 0x0021]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    const avail = end - off;
    if (avail < 20) {
      d.services.weird(pkt, 'truncated_IP', `${avail} bytes`);
      return;
    }
    const vhl = buf[off];
    if (vhl >> 4 !== 4) {
      d.services.weird(pkt, 'bad_IP_version', `version ${vhl >> 4} in an IPv4 slot`);
      return;
    }
    const hlen = (vhl & 0x0f) * 4;
    if (hlen < 20) {
      d.services.weird(pkt, 'invalid_IP_header_size', `IHL ${hlen}`);
      return;
    }
    if (hlen > avail) {
      d.services.weird(pkt, 'internally_truncated_header', `IHL ${hlen} > ${avail} captured`);
      return;
    }
    let totalLen = pkt.view.getUint16(off + 2);
    if (totalLen === 0) {
      // TCP segmentation offload leaves the length zero in locally captured packets.
      d.services.weird(pkt, 'ip_hdr_len_zero');
      totalLen = avail;
    }
    if (totalLen < hlen) {
      d.services.weird(pkt, 'invalid_IP_header_size', `total length ${totalLen} < header ${hlen}`);
      return;
    }
    if (engineSettings.validateChecksums && !ipv4HeaderChecksumOk(buf, off, hlen)) {
      d.services.weird(pkt, 'bad_IP_checksum');
      if (engineSettings.dropBadChecksums) return;
    }
    if (totalLen > avail + (pkt.wireLen - pkt.capLen)) {
      // The header claims more than the frame had on the wire (snaplen cuts excepted): a lying
      // length field. Zeek drops the packet (IP.cc, truncated_IP_len); so do we, after saying so.
      d.services.weird(pkt, 'truncated_IP_len', `total length ${totalLen} > ${avail + pkt.wireLen - pkt.capLen} on the wire`);
      return;
    }
    pkt.ipVersion = 4;
    pkt.src0 = 0; pkt.src1 = 0; pkt.src2 = V4_MAPPED_W2; pkt.src3 = pkt.view.getUint32(off + 12);
    pkt.dst0 = 0; pkt.dst1 = 0; pkt.dst2 = V4_MAPPED_W2; pkt.dst3 = pkt.view.getUint32(off + 16);
    pkt.ttl = buf[off + 8];
    pkt.ipOff = off;
    pkt.ipLen = totalLen;
    const proto = buf[off + 9];
    pkt.ipProto = proto;
    const frag = pkt.view.getUint16(off + 6);
    const dataOff = off + hlen;
    const dataLen = totalLen - hlen;
    if ((frag & (MF | OFFSET_MASK)) !== 0) {
      const capEnd = Math.min(end, off + totalLen);
      if (!d.services.fragment(pkt, pkt.view.getUint16(off + 4), (frag & OFFSET_MASK) * 8, (frag & MF) !== 0, dataOff, Math.max(0, capEnd - dataOff))) return;
    } else {
      pkt.l4Off = dataOff;
      pkt.l4Len = dataLen;
      pkt.l4Cap = Math.min(end, off + totalLen) - dataOff;
    }
    if (!d.dispatch('ipProto', proto, pkt, pkt.l4Off, pkt.l4Off + pkt.l4Cap)) d.services.session(pkt);
  },
};
