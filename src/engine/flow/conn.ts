/**
 * A connection (Zeek's Connection): identity, roles, counters and history. One object per
 * connection, updated in place by every packet; turned into a conn.log record once, when it ends.
 */
import { TcpEndpoint } from './tcp-endpoint.js';

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMP6 = 58;
export const PROTO_SCTP = 132;

export class Conn {
  /** Next connection in the same hash bucket. */
  bucketNext: Conn | undefined = undefined;
  /** Removed from the table (logged or about to be). */
  finished = false;

  // Identity (after any role flip): orig = originator, resp = responder.
  o0 = 0; o1 = 0; o2 = 0; o3 = 0; oPort = 0;
  r0 = 0; r1 = 0; r2 = 0; r3 = 0; rPort = 0;
  /** ICMP message without a counterpart: the flow only matches in its own direction. */
  oneWay = false;

  startTs = 0;
  lastTs = 0;
  origPkts = 0;
  origIpBytes = 0;
  respPkts = 0;
  respIpBytes = 0;
  /** Payload bytes for UDP/ICMP (-1 until the side sends something), as Zeek's request_len. */
  origLen = -1;
  respLen = -1;

  history = '';
  /** Which once-only history letters were recorded (bitmask, see HIST_*). */
  histSeen = 0;

  /** TCP only. */
  tcpOrig: TcpEndpoint | undefined = undefined;
  tcpResp: TcpEndpoint | undefined = undefined;
  /** TCP: seconds at which the connection is removed if nothing else happens (see flow-table). */
  attemptAt = Infinity;
  expireAnchor = 0;
  halfCloseAt = Infinity;
  partialCloseAt = Infinity;
  closeCompleteAt = Infinity;

  /** When this connection is expired unless another packet extends it. */
  deadline = Infinity;

  /** Tunnel ids this connection travelled in (conn.log tunnel_parents). */
  tunnelParents: number[] | undefined = undefined;
  /** Services confirmed on this connection (conn.log service), in confirmation order. */
  services: string[] | undefined = undefined;
  /** If this connection carries a tunnel (VXLAN, Teredo...), its tunnel id. */
  tunnelId = -1;
  /** Application-layer state (streams, detection, analyzer); owned by analyzers/app-layer. */
  app: object | undefined = undefined;
  /** Detection state (flowbits, flowints, stream alert marks); owned by detect/engine. */
  detect: object | undefined = undefined;
  /** Bytes never seen in this connection's TCP streams (conn.log missed_bytes). */
  missedBytes = 0;
  /** Names of weirds logged on this connection (for rate limiting). */
  weirds: string[] | undefined = undefined;

  private uidCache: string | undefined = undefined;
  /** Community ID, computed once (conn.log, the analyzers' ConnInfo and alerts all ask for it). */
  communityIdCache: string | undefined = undefined;

  constructor(
    readonly id: number,
    readonly hash: number,
    readonly proto: number,
    readonly ipVersion: number,
    readonly vlan: number,
    readonly innerVlan: number,
    readonly uidFactory: (c: Conn) => string,
  ) {}

  get uid(): string {
    return (this.uidCache ??= this.uidFactory(this));
  }

  /** Records a once-per-connection history letter (Zeek's Session::CheckHistory). */
  checkHistory(mask: number, code: string): boolean {
    if ((this.histSeen & mask) === 0) {
      this.histSeen |= mask;
      this.history += code;
      return false;
    }
    return true;
  }

  addService(name: string): void {
    if (!this.services) this.services = [name];
    else if (!this.services.includes(name)) this.services.push(name);
  }

  /** Adds a tunnel to tunnel_parents; true when it was not there yet. */
  addTunnelParent(id: number): boolean {
    if (!this.tunnelParents) this.tunnelParents = [id];
    else if (!this.tunnelParents.includes(id)) this.tunnelParents.push(id);
    else return false;
    return true;
  }

  /** Swaps originator and responder (Zeek's Connection::FlipRoles), marking history with '^'. */
  flipRoles(): void {
    let t = this.o0; this.o0 = this.r0; this.r0 = t;
    t = this.o1; this.o1 = this.r1; this.r1 = t;
    t = this.o2; this.o2 = this.r2; this.r2 = t;
    t = this.o3; this.o3 = this.r3; this.r3 = t;
    t = this.oPort; this.oPort = this.rPort; this.rPort = t;
    t = this.origPkts; this.origPkts = this.respPkts; this.respPkts = t;
    t = this.origIpBytes; this.origIpBytes = this.respIpBytes; this.respIpBytes = t;
    t = this.origLen; this.origLen = this.respLen; this.respLen = t;
    if (this.tcpOrig && this.tcpResp) {
      const e = this.tcpOrig;
      this.tcpOrig = this.tcpResp;
      this.tcpResp = e;
      this.tcpOrig.isOrig = true;
      this.tcpResp.isOrig = false;
    }
    this.history += '^';
    // A one-way ICMP flow is hashed in its direction; the others are symmetric, but forget it anyway.
    this.communityIdCache = undefined;
  }
}

/** Masks for once-per-connection history letters (Zeek's HIST_* values; responder = << 16). */
export const HIST_SYN_PKT = 0x1;
export const HIST_FIN_PKT = 0x2;
export const HIST_RST_PKT = 0x4;
export const HIST_FIN_RST_PKT = 0x8;
export const HIST_ACK_PKT = 0x10;
export const HIST_DATA_PKT = 0x20;
export const HIST_CORRUPT_PKT = 0x40;
export const HIST_MULTI_FLAG_PKT = 0x80;
export const HIST_UDP_DATA = 0x100;
