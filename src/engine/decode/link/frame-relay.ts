/**
 * Frame Relay (LINKTYPE_FRELAY, 107). A Q.922 address of 2 to 4 bytes (ITU-T Q.922 §3.3; the
 * EA bit, bit 0, ends it) is followed by either
 *  - RFC 2427 §4 multiprotocol encapsulation: control 0x03 (UI), optional 0x00 pad, NLPID
 *    0xcc (IPv4), 0x8e (IPv6) or 0x80 (SNAP: OUI + PID, §5.1/§5.2 bridged Ethernet), or
 *  - Cisco's encapsulation: a 2-byte EtherType right after the address (what routers running
 *    "encapsulation frame-relay" in cisco mode send, and what link-frame-relay-icmp.pcap holds).
 */
import type { LayerDecoder } from '../registry.js';

const Q922_MAX_ADDRESS = 4;
const UI = 0x03;
const NLPID_IPV4 = 0xcc;
const NLPID_IPV6 = 0x8e;
const NLPID_SNAP = 0x80;
/** RFC 2427 §5.2: IEEE 802.1 bridged PDUs; PIDs 0x0001/0x0007 are 802.3 with/without FCS. */
const OUI_8021 = 0x0080c2;

export const frameRelay: LayerDecoder = {
  name: 'frame_relay',
  keys: [['linkType', 107]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    // The address ends at the byte with EA set; 2 bytes at least, 4 at most.
    let p = off;
    while (p < end && p - off < Q922_MAX_ADDRESS && (buf[p] & 0x01) === 0) p++;
    if (p >= end || p - off >= Q922_MAX_ADDRESS || p - off < 1) {
      d.services.weird(pkt, 'truncated_link_header', 'Frame Relay address');
      return;
    }
    p++;
    if (end - p < 2) {
      d.services.weird(pkt, 'truncated_link_header', 'Frame Relay address');
      return;
    }
    if (buf[p] !== UI) {
      d.dispatch('etherType', buf.readUInt16BE(p), pkt, p + 2, end);
      return;
    }
    p++;
    if (buf[p] === 0 && end - p >= 2) p++; // RFC 2427 §4: pad to align the NLPID
    const nlpid = buf[p++];
    if (nlpid === NLPID_IPV4) d.dispatch('etherType', 0x0800, pkt, p, end);
    else if (nlpid === NLPID_IPV6) d.dispatch('etherType', 0x86dd, pkt, p, end);
    else if (nlpid === NLPID_SNAP) {
      if (end - p < 5) {
        d.services.weird(pkt, 'truncated_link_header', 'Frame Relay SNAP');
        return;
      }
      const oui = (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2];
      const pid = buf.readUInt16BE(p + 3);
      if (oui === 0) d.dispatch('etherType', pid, pkt, p + 5, end);
      else if (oui === OUI_8021 && (pid === 0x0007 || pid === 0x0001)) {
        // Bridged 802.3 (§5.2 figure): the MAC frame follows the PID directly (the pad before the
        // NLPID already aligned it); with PID 0x0001 its last 4 bytes are the FCS.
        const frameEnd = pid === 0x0001 && pkt.capLen >= pkt.wireLen ? end - 4 : end;
        if (frameEnd - (p + 5) >= 14) d.dispatch('etherType', 0x6558, pkt, p + 5, frameEnd);
      }
    }
    // Other NLPIDs (Q.933 signalling 0x08, CLNP 0x81, ...) carry no IP.
  },
};
