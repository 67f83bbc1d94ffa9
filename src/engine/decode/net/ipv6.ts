/**
 * IPv6 (RFC 8200): fixed header, then the extension-header chain (§4) walked with a bound,
 * fragments (§4.5) handed to reassembly, the upper-layer payload dispatched by next header.
 */
import type { LayerDecoder } from '../registry.js';
import { LIMITS } from '../../support/limits.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const DEST_OPTS = 60;
const AUTH = 51;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;
const NO_NEXT = 59;

export const ipv6: LayerDecoder = {
  name: 'ipv6',
  keys: [['etherType', 0x86dd], ['pppProtocol', 0x0057]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    const avail = end - off;
    if (avail < 40) {
      d.services.weird(pkt, 'truncated_IPv6', `${avail} bytes`);
      return;
    }
    if (buf[off] >> 4 !== 6) {
      d.services.weird(pkt, 'bad_IP_version', `version ${buf[off] >> 4} in an IPv6 slot`);
      return;
    }
    let payloadLen = pkt.view.getUint16(off + 4);
    if (payloadLen === 0) payloadLen = avail - 40; // jumbogram (RFC 2675) or offload: trust the capture
    if (40 + payloadLen > avail + (pkt.wireLen - pkt.capLen)) {
      // The header claims more than the frame had on the wire: Zeek drops it (truncated_IP_len).
      d.services.weird(pkt, 'truncated_IP_len', `payload length ${payloadLen} > ${avail - 40 + pkt.wireLen - pkt.capLen} on the wire`);
      return;
    }
    pkt.ipVersion = 6;
    pkt.src0 = pkt.view.getUint32(off + 8); pkt.src1 = pkt.view.getUint32(off + 12);
    pkt.src2 = pkt.view.getUint32(off + 16); pkt.src3 = pkt.view.getUint32(off + 20);
    pkt.dst0 = pkt.view.getUint32(off + 24); pkt.dst1 = pkt.view.getUint32(off + 28);
    pkt.dst2 = pkt.view.getUint32(off + 32); pkt.dst3 = pkt.view.getUint32(off + 36);
    pkt.ttl = buf[off + 7];
    pkt.ipOff = off;
    pkt.ipLen = 40 + payloadLen;
    const wireEnd = off + 40 + payloadLen;
    const capEnd = Math.min(end, wireEnd);
    let next = buf[off + 6];
    let p = off + 40;
    let fragId = -1, fragOffset = 0, fragMore = false;
    for (let n = 0; ; n++) {
      if (n >= LIMITS.maxIpv6ExtensionHeaders) {
        d.services.weird(pkt, 'too_many_IPv6_extension_headers');
        return;
      }
      if (next === HOP_BY_HOP || next === ROUTING || next === DEST_OPTS || next === MOBILITY || next === HIP || next === SHIM6) {
        if (capEnd - p < 8) { d.services.weird(pkt, 'truncated_IPv6_extension_header'); return; }
        const len = (buf[p + 1] + 1) * 8;
        next = buf[p];
        p += len;
      } else if (next === AUTH) {
        // AH length is in 32-bit words minus 2 (RFC 4302 §2.2).
        if (capEnd - p < 8) { d.services.weird(pkt, 'truncated_IPv6_extension_header'); return; }
        const len = (buf[p + 1] + 2) * 4;
        next = buf[p];
        p += len;
      } else if (next === FRAGMENT) {
        if (capEnd - p < 8) { d.services.weird(pkt, 'truncated_IPv6_extension_header'); return; }
        const fo = pkt.view.getUint16(p + 2);
        fragOffset = fo & 0xfff8;
        fragMore = (fo & 1) !== 0;
        fragId = pkt.view.getUint32(p + 4);
        next = buf[p];
        p += 8;
        // An "atomic" fragment (offset 0, no more) is a whole datagram (RFC 6946).
        if (fragOffset === 0 && !fragMore) fragId = -1;
        // Past a non-first fragment's header comes fragment data, not more headers.
        else if (fragOffset !== 0) break;
      } else break;
      if (p > capEnd) { d.services.weird(pkt, 'truncated_IPv6_extension_header'); return; }
    }
    pkt.ipProto = next;
    if (next === NO_NEXT && fragId < 0) { d.services.session(pkt); return; }
    if (fragId >= 0) {
      // The reassembler sets pkt.ipProto from the first fragment (later ones cannot know it).
      if (!d.services.fragment(pkt, fragId, fragOffset, fragMore, p, Math.max(0, capEnd - p))) return;
      next = pkt.ipProto;
    } else {
      pkt.l4Off = p;
      pkt.l4Len = wireEnd - p;
      pkt.l4Cap = capEnd - p;
    }
    if (!d.dispatch('ipProto', next, pkt, pkt.l4Off, pkt.l4Off + pkt.l4Cap)) d.services.session(pkt);
  },
};
