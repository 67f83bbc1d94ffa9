/**
 * The connection table: 5-tuple → Conn, with Zeek's originator choice, per-protocol packet
 * handling, and expiry driven by capture time. Keys are integer hashes (symmetric in the two
 * endpoints) with collision chains, so a lookup costs no allocation.
 */
import type { Packet } from '../decode/packet.js';
import { TH_ACK, TH_SYN } from '../decode/packet.js';
import { flowHints } from '../decode/flow-hints.js';
import { Conn, HIST_CORRUPT_PKT, HIST_UDP_DATA, PROTO_ICMP, PROTO_ICMP6, PROTO_SCTP, PROTO_TCP, PROTO_UDP } from './conn.js';
import { TcpEndpoint } from './tcp-endpoint.js';
import { type ConnWeird, type TcpTimers, ZEEK_TCP_TIMERS, isTcpReuse, processTcp, setTcpDeadline, tcpChecksumError } from './tcp-session.js';
import { likelyServerPortsTcp, likelyServerPortsUdp } from './likely-server-ports.js';
import { DeadlineHeap } from './deadline-heap.js';
import { uidFor } from './uid.js';
import { LIMITS } from '../support/limits.js';
import { engineSettings } from '../decode/settings.js';
import type { AppHooks } from '../analyzers/app-layer.js';

export interface FlowOptions {
  /** Inactivity timeouts in seconds (Zeek: tcp 5 min, udp 1 min, icmp 1 min). */
  tcpInactivityTimeout: number;
  udpInactivityTimeout: number;
  icmpInactivityTimeout: number;
  /** Other IP protocols (ESP, GRE not decoded, OSPF...). */
  unknownInactivityTimeout: number;
  tcpTimers: TcpTimers;
  /** Live connections before the ones due soonest are expired early. */
  maxConnections: number;
}

export const DEFAULT_FLOW_OPTIONS: FlowOptions = {
  tcpInactivityTimeout: 300,
  udpInactivityTimeout: 60,
  icmpInactivityTimeout: 60,
  unknownInactivityTimeout: 60,
  tcpTimers: ZEEK_TCP_TIMERS,
  maxConnections: LIMITS.maxConnections,
};

/** Mixes one endpoint (address words + port) into 32 bits. */
function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w3 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w2, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w1 ^ Math.imul(w0, 31), 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16) ^ port, 0x165667b1);
  return h ^ (h >>> 15);
}

export class FlowTable {
  private readonly buckets = new Map<number, Conn>();
  private readonly heap = new DeadlineHeap();
  private nextId = 0;
  /** Connections in the table. */
  live = 0;
  /** Connections created over the whole run. */
  created = 0;
  /** The connection the last accepted packet went to. */
  current: Conn | undefined = undefined;
  private warnedFull = false;
  /** Identity words of a connection, filled in place (a uid costs no array allocation). */
  private readonly identity: number[] = new Array<number>(13).fill(0);
  private readonly uidFactory = (c: Conn): string => {
    const w = this.identity;
    w[0] = c.proto; w[1] = c.o0; w[2] = c.o1; w[3] = c.o2; w[4] = c.o3; w[5] = c.oPort;
    w[6] = c.r0; w[7] = c.r1; w[8] = c.r2; w[9] = c.r3; w[10] = c.rPort;
    w[11] = Math.floor(c.startTs); w[12] = Math.round((c.startTs % 1) * 1e6);
    return uidFor('C', w);
  };

  constructor(
    private readonly opts: FlowOptions,
    /** Called once for every connection when it leaves the table. */
    private readonly onDone: (c: Conn) => void,
    private readonly weird: ConnWeird,
  ) {}

  /** Expires every connection whose deadline is at or before `ts` (Zeek's timer advance). */
  advance(ts: number): void {
    const heap = this.heap;
    while (heap.peekKey() <= ts) {
      const c = heap.pop()!;
      if (c.finished) continue;
      if (c.deadline <= ts) this.finish(c);
      else heap.push(c.deadline, c);
    }
  }

  /** Handles a decoded transport packet; returns the connection id, or -1 if it was dropped. */
  session(pkt: Packet): number {
    const proto = pkt.ipProto;
    const hasPorts = proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_ICMP || proto === PROTO_ICMP6 || proto === PROTO_SCTP;
    const sp = hasPorts ? pkt.srcPort : 0;
    const dp = hasPorts ? pkt.dstPort : 0;
    const hs = endpointHash(pkt.src0, pkt.src1, pkt.src2, pkt.src3, sp);
    const hd = endpointHash(pkt.dst0, pkt.dst1, pkt.dst2, pkt.dst3, dp);
    // Symmetric in the endpoints; 30 bits keeps the Map key a small integer.
    const hash = (((hs ^ hd) + Math.imul(proto, 0x01000193)) >>> 2);

    let c = this.buckets.get(hash);
    let isOrig = false;
    while (c !== undefined) {
      if (c.proto === proto) {
        if (c.o3 === pkt.src3 && c.oPort === sp && c.r3 === pkt.dst3 && c.rPort === dp
            && c.o0 === pkt.src0 && c.o1 === pkt.src1 && c.o2 === pkt.src2 && c.r0 === pkt.dst0 && c.r1 === pkt.dst1 && c.r2 === pkt.dst2) {
          isOrig = true;
          break;
        }
        if (!c.oneWay && c.o3 === pkt.dst3 && c.oPort === dp && c.r3 === pkt.src3 && c.rPort === sp
            && c.o0 === pkt.dst0 && c.o1 === pkt.dst1 && c.o2 === pkt.dst2 && c.r0 === pkt.src0 && c.r1 === pkt.src1 && c.r2 === pkt.src2) {
          isOrig = false;
          break;
        }
      }
      c = c.bucketNext;
    }
    const ts = pkt.ts;
    if (c !== undefined) {
      if (ts >= c.deadline) {
        this.finish(c);
        c = undefined;
      } else if (proto === PROTO_TCP && isTcpReuse(c, pkt, ts, this.opts.tcpTimers, this.weird)) {
        this.finish(c);
        c = undefined;
      }
    }
    if (c === undefined) {
      c = this.create(pkt, hash, proto, sp, dp);
      isOrig = c.oneWay || fromOrig(c, pkt, sp);
    }

    const ipLen = pkt.ipLen;
    let accepted = true;
    if (proto === PROTO_TCP) {
      if (pkt.badChecksum) tcpChecksumError(c, isOrig, this.weird);
      if (pkt.badChecksum && engineSettings.dropBadChecksums) {
        accepted = false;
      } else {
        processTcp(c, pkt, isOrig, this.opts.tcpTimers, this.weird);
        // processTcp may flip roles (SYN/SYN-ACK reversal): recount direction afterwards.
        isOrig = fromOrig(c, pkt, sp);
        if (isOrig) { c.origPkts++; c.origIpBytes += ipLen; } else { c.respPkts++; c.respIpBytes += ipLen; }
        if (this.app !== undefined) this.app.tcp(c, pkt, isOrig);
      }
    } else if (proto === PROTO_UDP) {
      // Zeek counts UDP packets before validating the checksum.
      if (isOrig) { c.origPkts++; c.origIpBytes += ipLen; } else { c.respPkts++; c.respIpBytes += ipLen; }
      if (pkt.badChecksum) {
        this.weird(c, 'bad_UDP_checksum');
        c.checkHistory(isOrig ? HIST_CORRUPT_PKT : HIST_CORRUPT_PKT << 16, isOrig ? 'C' : 'c');
      }
      if (pkt.badChecksum && engineSettings.dropBadChecksums) {
        accepted = false;
      } else {
        c.lastTs = ts;
        // Zeek counts the UDP length field, not the IP payload length.
        const ulen = (pkt.l4Cap >= 6 ? pkt.view.getUint16(pkt.l4Off + 4) : pkt.l4Len) - 8;
        if (ulen + 8 !== pkt.l4Len) this.weird(c, 'UDP_datagram_length_mismatch', `${ulen + 8} != ${pkt.l4Len}`);
        if (isOrig) {
          c.checkHistory(HIST_UDP_DATA, 'D');
          c.origLen = c.origLen < 0 ? ulen : c.origLen + ulen;
        } else {
          c.checkHistory(HIST_UDP_DATA << 16, 'd');
          c.respLen = c.respLen < 0 ? ulen : c.respLen + ulen;
        }
        if (this.app !== undefined) this.app.udp(c, pkt, isOrig);
      }
    } else if (proto === PROTO_ICMP || proto === PROTO_ICMP6) {
      if (pkt.badChecksum) this.weird(c, 'bad_ICMP_checksum');
      if (pkt.badChecksum && engineSettings.dropBadChecksums) {
        accepted = false;
      } else {
        c.lastTs = ts;
        const len = pkt.l4Len - 8;
        if (isOrig) c.origLen = c.origLen < 0 ? len : c.origLen + len;
        else c.respLen = c.respLen < 0 ? len : c.respLen + len;
        if (isOrig) { c.origPkts++; c.origIpBytes += ipLen; } else { c.respPkts++; c.respIpBytes += ipLen; }
      }
    } else {
      c.lastTs = ts;
      if (isOrig) { c.origPkts++; c.origIpBytes += ipLen; } else { c.respPkts++; c.respIpBytes += ipLen; }
    }

    // A tunnel new to this connection is announced (Zeek: new_connection / tunnel_changed).
    for (let i = 0; i < pkt.tunnelCount; i++) {
      if (c.addTunnelParent(pkt.tunnels[i]) && this.onInnerConnection !== undefined) this.onInnerConnection(pkt.tunnels[i], ts);
    }

    // When would timers remove it now? Only an earlier deadline needs a heap entry.
    const before = c.deadline;
    if (proto === PROTO_TCP) setTcpDeadline(c, this.opts.tcpTimers, this.opts.tcpInactivityTimeout);
    else c.deadline = c.lastTs + this.inactivity(proto);
    if (c.deadline < before) this.heap.push(c.deadline, c);

    this.current = c;
    flowHints.respPort = c.rPort;
    flowHints.connId = c.id;
    return accepted ? c.id : -1;
  }

  private inactivity(proto: number): number {
    if (proto === PROTO_UDP) return this.opts.udpInactivityTimeout;
    if (proto === PROTO_ICMP || proto === PROTO_ICMP6) return this.opts.icmpInactivityTimeout;
    return this.opts.unknownInactivityTimeout;
  }

  private create(pkt: Packet, hash: number, proto: number, sp: number, dp: number): Conn {
    if (this.live >= this.opts.maxConnections) this.evict(pkt.ts);
    const c = new Conn(this.nextId++, hash, proto, pkt.ipVersion, pkt.vlan, pkt.innerVlan, this.uidFactory);
    c.o0 = pkt.src0; c.o1 = pkt.src1; c.o2 = pkt.src2; c.o3 = pkt.src3; c.oPort = sp;
    c.r0 = pkt.dst0; c.r1 = pkt.dst1; c.r2 = pkt.dst2; c.r3 = pkt.dst3; c.rPort = dp;
    c.oneWay = (proto === PROTO_ICMP || proto === PROTO_ICMP6) && pkt.icmpOneWay;
    c.startTs = pkt.ts;
    c.lastTs = pkt.ts;
    let flip = false;
    if (proto === PROTO_TCP) {
      c.tcpOrig = new TcpEndpoint(true);
      c.tcpResp = new TcpEndpoint(false);
      c.expireAnchor = pkt.ts + this.opts.tcpTimers.synTimeout;
      flip = wantFlipTcp(pkt.tcpFlags, sp, dp);
    } else if (proto === PROTO_UDP) {
      flip = likelyServerPortsUdp[sp] === 1 && likelyServerPortsUdp[dp] !== 1;
    }
    if (flip) c.flipRoles();
    const head = this.buckets.get(hash);
    c.bucketNext = head;
    this.buckets.set(hash, c);
    this.live++;
    this.created++;
    // deadline stays Infinity until the packet is processed; session() then pushes the real one.
    return c;
  }

  /** Removes a connection and reports it. */
  finish(c: Conn): void {
    if (c.finished) return;
    c.finished = true;
    let head = this.buckets.get(c.hash);
    if (head === c) {
      if (c.bucketNext) this.buckets.set(c.hash, c.bucketNext);
      else this.buckets.delete(c.hash);
    } else {
      while (head && head.bucketNext !== c) head = head.bucketNext;
      if (head) head.bucketNext = c.bucketNext;
    }
    c.bucketNext = undefined;
    this.live--;
    if (this.current === c) this.current = undefined;
    if (this.app !== undefined) this.app.done(c);
    this.onDone(c);
  }

  /** The table is full: expire the connections due soonest, early. */
  private evict(ts: number): void {
    if (!this.warnedFull) {
      this.warnedFull = true;
      this.weirdFlowless?.(ts, 'connection_table_full', `more than ${this.opts.maxConnections} live connections; expiring the ones due soonest early`);
    }
    let n = Math.max(1, Math.floor(this.opts.maxConnections / 100));
    while (n > 0 && this.heap.size) {
      const c = this.heap.pop()!;
      if (c.finished) continue;
      this.finish(c);
      n--;
    }
  }

  /** The application layer (reassembly, detection, analyzers), when analysis goes past flows. */
  app: AppHooks | undefined;

  /** Told when a connection is first seen inside a tunnel (tunnel id, capture time). */
  onInnerConnection: ((tunnelId: number, ts: number) => void) | undefined;

  /** Optional reporter for table-level weirds. */
  weirdFlowless: ((ts: number, name: string, addl?: string) => void) | undefined;

  /** End of capture: every connection still in the table is finished, oldest first. */
  flush(): void {
    const all: Conn[] = [];
    for (const head of this.buckets.values()) for (let c: Conn | undefined = head; c; c = c.bucketNext) all.push(c);
    all.sort((a, b) => a.startTs - b.startTs || a.id - b.id);
    for (const c of all) this.finish(c);
  }
}

function fromOrig(c: Conn, pkt: Packet, sp: number): boolean {
  return c.o3 === pkt.src3 && c.oPort === sp && c.o0 === pkt.src0 && c.o1 === pkt.src1 && c.o2 === pkt.src2;
}

/** Zeek's TCPAnalyzer::WantConnection: guess the true responder of a partial connection. */
function wantFlipTcp(flags: number, sp: number, dp: number): boolean {
  if (!(flags & TH_SYN) || flags & TH_ACK) {
    if (likelyServerPortsTcp[sp] === 1) {
      // Both plausible: flip only for a non-SYN-ACK whose destination port is the larger.
      if (likelyServerPortsTcp[dp] === 1) return !(flags & TH_SYN) && sp < dp;
      return true;
    }
  }
  return false;
}
