/** Turns a finished Conn into its conn.log record. */
import type { LogRecord } from '../logs/schema.js';
import { formatAddr } from '../support/addr.js';
import type { NetworkSet } from '../support/networks.js';
import { communityId } from './community-id.js';
import { type Conn, PROTO_ICMP, PROTO_ICMP6, PROTO_SCTP, PROTO_TCP, PROTO_UDP } from './conn.js';
import { connState } from './conn-state.js';

function protoName(p: number): string {
  if (p === PROTO_TCP) return 'tcp';
  if (p === PROTO_UDP) return 'udp';
  if (p === PROTO_ICMP || p === PROTO_ICMP6) return 'icmp';
  // Zeek has no SCTP analyzer and would say unknown_transport; ports make it worth naming.
  if (p === PROTO_SCTP) return 'sctp';
  return 'unknown_transport';
}

/** The connection's Community ID, computed on first use and kept on the Conn. */
export function connCommunityId(c: Conn): string {
  return (c.communityIdCache ??= computeCommunityId(c));
}

function computeCommunityId(c: Conn): string {
  const hasPorts = c.proto === PROTO_TCP || c.proto === PROTO_UDP || c.proto === PROTO_ICMP || c.proto === PROTO_ICMP6 || c.proto === PROTO_SCTP;
  return communityId({
    proto: c.proto,
    src: [c.o0, c.o1, c.o2, c.o3],
    dst: [c.r0, c.r1, c.r2, c.r3],
    srcPort: c.oPort,
    dstPort: c.rPort,
    oneWay: c.oneWay,
    hasPorts,
  });
}

export function connRecord(c: Conn, localNets: NetworkSet, tunnelUid: (id: number) => string): LogRecord {
  let origBytes: number, respBytes: number;
  if (c.proto === PROTO_TCP) {
    origBytes = c.tcpOrig!.size(c.tcpResp!);
    respBytes = c.tcpResp!.size(c.tcpOrig!);
  } else {
    origBytes = Math.max(0, c.origLen);
    respBytes = Math.max(0, c.respLen);
  }
  const local = localNets.size > 0;
  return {
    ts: c.startTs,
    uid: c.uid,
    'id.orig_h': formatAddr(c.o0, c.o1, c.o2, c.o3),
    'id.orig_p': c.oPort,
    'id.resp_h': formatAddr(c.r0, c.r1, c.r2, c.r3),
    'id.resp_p': c.rPort,
    proto: protoName(c.proto),
    service: c.services?.join(','),
    duration: c.lastTs > c.startTs ? c.lastTs - c.startTs : undefined,
    orig_bytes: origBytes,
    resp_bytes: respBytes,
    conn_state: connState(c),
    local_orig: local ? localNets.contains(c.o0, c.o1, c.o2, c.o3) : undefined,
    local_resp: local ? localNets.contains(c.r0, c.r1, c.r2, c.r3) : undefined,
    missed_bytes: c.missedBytes,
    history: c.history === '' ? undefined : c.history,
    orig_pkts: c.origPkts,
    orig_ip_bytes: c.origIpBytes,
    resp_pkts: c.respPkts,
    resp_ip_bytes: c.respIpBytes,
    tunnel_parents: c.tunnelParents?.map(tunnelUid),
    ip_proto: c.proto,
    community_id: connCommunityId(c),
    vlan: c.vlan >= 0 ? c.vlan : undefined,
    inner_vlan: c.innerVlan >= 0 ? c.innerVlan : undefined,
  };
}
