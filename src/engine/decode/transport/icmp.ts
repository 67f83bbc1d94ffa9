/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443). Zeek keys ICMP "connections" by (type, counterpart
 * type): an echo request (8) and its reply (0) are one flow; a message without counterpart is
 * keyed one-way with its code in the responder-port slot. Community ID v1 uses the same map.
 */
import type { DecodeFn, LayerDecoder } from '../registry.js';
import { sum16 } from '../checksum.js';
import { engineSettings } from '../settings.js';

const ICMP4_COUNTERPART: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
const ICMP6_COUNTERPART: Record<number, number> = {
  128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 139: 140, 140: 139, 144: 145, 145: 144,
};

function makeIcmpDecoder(v6: boolean): DecodeFn {
  const counterparts = v6 ? ICMP6_COUNTERPART : ICMP4_COUNTERPART;
  return (pkt, off, end, d) => {
    if (end - off < 8) {
      d.services.weird(pkt, 'truncated_header', v6 ? 'ICMPv6' : 'ICMP');
      return;
    }
    const type = pkt.buf[off];
    const code = pkt.buf[off + 1];
    const counterpart = counterparts[type];
    pkt.srcPort = type;
    pkt.icmpOneWay = counterpart === undefined;
    pkt.dstPort = counterpart === undefined ? code : counterpart;
    pkt.tcpFlags = 0;
    pkt.payloadOff = off + 8;
    pkt.payloadLen = pkt.l4Len - 8;
    pkt.payloadCap = Math.max(0, Math.min(end - off, pkt.l4Len) - 8);
    pkt.badChecksum = false;
    if (engineSettings.validateChecksums && pkt.l4Cap >= pkt.l4Len) {
      // ICMPv4 has no pseudo-header; ICMPv6 does (RFC 4443 §2.3).
      const initial = v6
        ? pkt.src0 + pkt.src1 + pkt.src2 + pkt.src3 + pkt.dst0 + pkt.dst1 + pkt.dst2 + pkt.dst3 + 58 + pkt.l4Len
        : 0;
      pkt.badChecksum = sum16(pkt.buf, pkt.l4Off, pkt.l4Off + pkt.l4Len, initial) !== 0xffff;
    }
    d.services.session(pkt);
  };
}

export const icmp: LayerDecoder = { name: 'icmp', keys: [['ipProto', 1]], decode: makeIcmpDecoder(false) };
export const icmp6: LayerDecoder = { name: 'icmp6', keys: [['ipProto', 58]], decode: makeIcmpDecoder(true) };
