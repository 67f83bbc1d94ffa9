/**
 * What rules test about the packet and connection being inspected: the header keywords' facts
 * (ttl, tos, flags, icmp type, ...) read straight from the packet bytes into one reused object,
 * whether the connection counts as established, and its app-layer protocol in Suricata's names.
 */
import type { Conn } from '../flow/conn.js';
import { PROTO_ICMP, PROTO_ICMP6, PROTO_TCP } from '../flow/conn.js';
import { TcpState } from '../flow/tcp-endpoint.js';
import type { Packet } from '../decode/packet.js';
import type { PacketFacts } from './rules/rule.js';

/** Fills `f` for `pkt` (payload `plen` bytes captured); every read is bounds-checked. */
export function fillPacketFacts(f: PacketFacts, pkt: Packet, plen: number): void {
  const buf = pkt.buf;
  f.ipVersion = pkt.ipVersion;
  f.ttl = pkt.ttl;
  f.ipProto = pkt.ipProto;
  f.dsize = plen;
  f.sameIp = pkt.src0 === pkt.dst0 && pkt.src1 === pkt.dst1 && pkt.src2 === pkt.dst2 && pkt.src3 === pkt.dst3;
  f.tos = -1; f.ipId = -1; f.fragBits = 0; f.fragOffset = 0; f.ipOpts = 0;
  const ip = pkt.ipOff;
  // A datagram rebuilt from fragments: `buf` holds its transport bytes, not the IP header.
  if (pkt.reassembled) f.fragBits = 0;
  else if (pkt.ipVersion === 4 && ip + 20 <= buf.length) {
    f.tos = buf[ip + 1];
    f.ipId = (buf[ip + 4] << 8) | buf[ip + 5];
    const frag = (buf[ip + 6] << 8) | buf[ip + 7];
    f.fragBits = frag >>> 13;
    f.fragOffset = (frag & 0x1fff) * 8;
  } else if (pkt.ipVersion === 6 && ip + 2 <= buf.length) {
    f.tos = ((buf[ip] & 0x0f) << 4) | (buf[ip + 1] >>> 4);
  }
  const tcp = pkt.ipProto === PROTO_TCP;
  f.tcpFlags = tcp ? pkt.tcpFlags : -1;
  f.tcpWindow = tcp ? pkt.window : -1;
  f.tcpSeq = tcp ? pkt.seq : -1;
  f.tcpAck = tcp ? pkt.ack : -1;
  const l4 = pkt.l4Off;
  if ((pkt.ipProto === PROTO_ICMP || pkt.ipProto === PROTO_ICMP6) && l4 + 8 <= buf.length) {
    f.icmpType = buf[l4]; f.icmpCode = buf[l4 + 1];
    f.icmpId = (buf[l4 + 4] << 8) | buf[l4 + 5];
    f.icmpSeq = (buf[l4 + 6] << 8) | buf[l4 + 7];
  } else {
    f.icmpType = -1; f.icmpCode = -1; f.icmpId = -1; f.icmpSeq = -1;
  }
}

/**
 * stream_size's measure of each side of a TCP connection (Suricata: next_seq - isn, that is the
 * payload bytes sent so far plus one for the SYN), after this packet; -1 when not TCP.
 */
export function fillStreamFacts(f: PacketFacts, c: Conn): void {
  const o = c.tcpOrig, r = c.tcpResp;
  if (c.proto !== PROTO_TCP || o === undefined || r === undefined) { f.streamClient = -1; f.streamServer = -1; return; }
  f.streamClient = o.state === TcpState.Inactive ? -1 : o.size(r) + 1;
  f.streamServer = r.state === TcpState.Inactive ? -1 : r.size(o) + 1;
}

/** TCP: both sides past the handshake (or picked up mid-stream) and not reset; others: both sides spoke. */
export function established(c: Conn): boolean {
  if (c.proto === PROTO_TCP) {
    const o = c.tcpOrig, r = c.tcpResp;
    if (o === undefined || r === undefined) return false;
    return (o.state === TcpState.Established || o.state === TcpState.Partial || o.state === TcpState.Closed)
      && (r.state === TcpState.Established || r.state === TcpState.Partial || r.state === TcpState.Closed);
  }
  return c.origPkts > 0 && c.respPkts > 0;
}

/** EVE app_proto of a connection: its first confirmed service, in Suricata's names. */
export function appProtoOf(c: Conn | undefined): string | undefined {
  const s = c?.services?.[0];
  if (s === undefined) return undefined;
  return s === 'ssl' ? 'tls' : s === 'krb' || s === 'krb_tcp' ? 'krb5' : s === 'dce_rpc' ? 'dcerpc' : s;
}

