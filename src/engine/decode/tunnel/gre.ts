/**
 * GRE, IP protocol 47. Version 0 (RFC 2784 §2.1 with the key and sequence fields of RFC 2890
 * §2): flags C(0x8000) add checksum+reserved, K(0x2000) a key, S(0x1000) a sequence number, 4
 * bytes each; the RFC 1701 routing bit R(0x4000) is obsolete and not followed (Zeek drops it
 * too). Version 1 is PPTP's enhanced GRE (RFC 2637 §4.1): key always present (payload length +
 * call id), S adds a sequence number, A(0x0080) an acknowledgement; it carries PPP (0x880b).
 * The protocol type is an EtherType. ERSPAN type I (0x88be without the sequence bit) has no
 * header of its own, so the Ethernet frame follows GRE directly.
 */
import type { LayerDecoder } from '../registry.js';
import { decodePppFrame } from '../link/ppp.js';
import { decodeErspan } from './erspan.js';
import { decode80211 } from '../link/ieee80211.js';

const GRE_C = 0x8000;
const GRE_R = 0x4000;
const GRE_K = 0x2000;
const GRE_S = 0x1000;
const GRE_A = 0x0080;
const GRE_RESERVED = 0x0078;
const PROTO_PPP = 0x880b;
const PROTO_ERSPAN_II = 0x88be;
const PROTO_ERSPAN_III = 0x22eb;
const PROTO_TEB = 0x6558;
/** Cisco MetaData (SGT tagging). Inside GRE its 8 bytes start with the inner EtherType, then
 *  version(1) length(1) option type(2) SGT(2) (as Wireshark's packet-cisco-metadata.c reads it). */
const PROTO_CISCO_METADATA = 0x8909;
const CISCO_METADATA_LEN = 8;

/** Aruba access points tunnel raw 802.11 frames in GRE with protocol types 0x8200-0x82f0 and
 *  0x8300-0x8370 in steps of 0x10 (the set Zeek registers; Aruba's 0x9000 is left out, as it is
 *  the Ethernet loopback type elsewhere). Only inside GRE: as EtherTypes these mean nothing. */
function isAruba80211(type: number): boolean {
  return (type & 0x0f) === 0 && ((type >= 0x8200 && type <= 0x82f0) || (type >= 0x8300 && type <= 0x8370));
}

export const gre: LayerDecoder = {
  name: 'gre',
  keys: [['ipProto', 47]],
  decode(pkt, off, end, d) {
    const buf = pkt.buf;
    if (end - off < 4) {
      d.services.weird(pkt, 'truncated_GRE', `${end - off} bytes`);
      return;
    }
    const flags = buf.readUInt16BE(off);
    const type = buf.readUInt16BE(off + 2);
    const version = flags & 0x0007;
    // Reserved flag bits (RFC 2784 §2.2 Reserved0, RFC 2637 §4.1 Flags) must be zero; Zeek rejects them.
    if ((flags & GRE_RESERVED) !== 0) {
      d.services.weird(pkt, 'unknown_gre_flags', `0x${flags.toString(16)}`);
      return;
    }
    let hlen = 4;
    if (version === 0) {
      if ((flags & GRE_R) !== 0) {
        d.services.weird(pkt, 'gre_routing');
        return;
      }
      if ((flags & GRE_C) !== 0) hlen += 4;
      if ((flags & GRE_K) !== 0) hlen += 4;
      if ((flags & GRE_S) !== 0) hlen += 4;
    } else if (version === 1) {
      if (type !== PROTO_PPP || (flags & GRE_K) === 0) {
        d.services.weird(pkt, 'egre_protocol_type', `0x${type.toString(16)}`);
        return;
      }
      hlen += 4;
      if ((flags & GRE_S) !== 0) hlen += 4;
      if ((flags & GRE_A) !== 0) hlen += 4;
    } else {
      d.services.weird(pkt, 'unknown_gre_version', String(version));
      return;
    }
    if (end - off < hlen) {
      d.services.weird(pkt, 'truncated_GRE', `header ${hlen} > ${end - off} bytes`);
      return;
    }
    let p = off + hlen;
    // PPTP acknowledgement-only packets (RFC 2637 §4.1: payload length 0) carry no PPP frame.
    if (version === 1 && (buf.readUInt16BE(off + 4) === 0 || p >= end)) return;
    let proto = type;
    if (version === 0 && type === PROTO_CISCO_METADATA) {
      if (end - p < CISCO_METADATA_LEN) {
        d.services.weird(pkt, 'truncated_GRE', 'Cisco MetaData');
        return;
      }
      proto = buf.readUInt16BE(p);
      p += CISCO_METADATA_LEN;
    }
    // Only tunnels whose payload we decode get a tunnel.log entry (keepalives, CDP... do not).
    const erspan = proto === PROTO_ERSPAN_II || proto === PROTO_ERSPAN_III;
    const aruba = isAruba80211(proto);
    if (version === 0 && !erspan && !aruba && !d.has('etherType', proto)) {
      d.dispatch('etherType', proto, pkt, p, end); // counted as undecoded
      d.services.session(pkt);
      return;
    }
    const id = d.services.ipTunnel(pkt, 'Tunnel::GRE');
    if (id >= 0) pkt.pushTunnel(id);
    if (version === 1) decodePppFrame(pkt, p, end, d);
    else if (aruba) decode80211(pkt, p, end, d);
    else if (!erspan) d.dispatch('etherType', proto, pkt, p, end);
    else if (proto === PROTO_ERSPAN_II && (flags & GRE_S) === 0) d.dispatch('etherType', PROTO_TEB, pkt, p, end);
    else decodeErspan(pkt, p, end, d);
  },
};
