/**
 * Tunnels seen in the capture (Zeek's tunnels framework): IP-level tunnels (IP-in-IP, 6in4, GRE)
 * are identified by their outer address pair; UDP-borne tunnels (VXLAN, Geneve, GTP-U, Teredo,
 * AYIYA) by the outer connection. Each gets a uid that inner connections list in
 * conn.log `tunnel_parents`, and DISCOVER/CLOSE records in tunnel.log.
 */
import type { Packet } from '../decode/packet.js';
import type { TunnelType } from '../decode/registry.js';
import type { LogRecord } from '../logs/schema.js';
import { formatAddr } from '../support/addr.js';
import { LIMITS } from '../support/limits.js';
import type { Conn } from './conn.js';
import { uidFor } from './uid.js';

interface Tunnel {
  uid: string;
  type: TunnelType;
  /** The DISCOVER record, held back until a connection is seen inside (as Zeek logs it). */
  pending: LogRecord | undefined;
}

const TYPE_CODES: Record<TunnelType, number> = {
  'Tunnel::IP': 1, 'Tunnel::GRE': 2, 'Tunnel::VXLAN': 3, 'Tunnel::GENEVE': 4, 'Tunnel::GTPv1': 5,
  'Tunnel::TEREDO': 6, 'Tunnel::AYIYA': 7, 'Tunnel::ERSPAN': 8,
};

/** Zeek's analyzer names for tunnel services in conn.log. */
const SERVICE: Partial<Record<TunnelType, string>> = {
  'Tunnel::VXLAN': 'vxlan', 'Tunnel::GENEVE': 'geneve', 'Tunnel::GTPv1': 'gtpv1', 'Tunnel::TEREDO': 'teredo', 'Tunnel::AYIYA': 'ayiya',
};

export class TunnelTable {
  private readonly tunnels: Tunnel[] = [];
  private readonly ipTunnels = new Map<string, number>();
  private warnedFull = false;

  constructor(
    private readonly emit: (rec: LogRecord) => void,
    private readonly flowless: (ts: number, name: string, addl?: string) => void,
  ) {}

  uid(id: number): string {
    return this.tunnels[id]?.uid ?? '';
  }

  /** The IP-level tunnel the packet's current (outer) IP header forms; -1 when the table is full. */
  ipTunnel(pkt: Packet, type: TunnelType): number {
    // Zeek orders the pair so both directions share one tunnel.
    const aFirst = pkt.src0 < pkt.dst0 || (pkt.src0 === pkt.dst0 && (pkt.src1 < pkt.dst1 || (pkt.src1 === pkt.dst1
      && (pkt.src2 < pkt.dst2 || (pkt.src2 === pkt.dst2 && pkt.src3 <= pkt.dst3)))));
    const key = aFirst
      ? `${type}|${pkt.src0},${pkt.src1},${pkt.src2},${pkt.src3}|${pkt.dst0},${pkt.dst1},${pkt.dst2},${pkt.dst3}`
      : `${type}|${pkt.dst0},${pkt.dst1},${pkt.dst2},${pkt.dst3}|${pkt.src0},${pkt.src1},${pkt.src2},${pkt.src3}`;
    let id = this.ipTunnels.get(key);
    if (id !== undefined) return id;
    if (this.tunnels.length >= LIMITS.maxTunnels) {
      if (!this.warnedFull) { this.warnedFull = true; this.flowless(pkt.ts, 'tunnel_table_full', String(LIMITS.maxTunnels)); }
      return -1;
    }
    id = this.tunnels.length;
    const uid = uidFor('C', [TYPE_CODES[type], pkt.src0, pkt.src1, pkt.src2, pkt.src3, pkt.dst0, pkt.dst1, pkt.dst2, pkt.dst3, Math.floor(pkt.ts), Math.round((pkt.ts % 1) * 1e6)]);
    this.tunnels.push({
      uid, type,
      pending: {
        ts: pkt.ts, uid,
        'id.orig_h': formatAddr(pkt.src0, pkt.src1, pkt.src2, pkt.src3), 'id.orig_p': 0,
        'id.resp_h': formatAddr(pkt.dst0, pkt.dst1, pkt.dst2, pkt.dst3), 'id.resp_p': 0,
        tunnel_type: type, action: 'Tunnel::DISCOVER',
      },
    });
    this.ipTunnels.set(key, id);
    return id;
  }

  /** Marks connection `c` as carrying a tunnel of `type`; returns the tunnel id. */
  connTunnel(ts: number, c: Conn, type: TunnelType): number {
    if (c.tunnelId >= 0) return c.tunnelId;
    if (this.tunnels.length >= LIMITS.maxTunnels) {
      if (!this.warnedFull) { this.warnedFull = true; this.flowless(ts, 'tunnel_table_full', String(LIMITS.maxTunnels)); }
      return -1;
    }
    const id = this.tunnels.length;
    this.tunnels.push({ uid: c.uid, type, pending: { ...this.connIdentity(c), ts, tunnel_type: type, action: 'Tunnel::DISCOVER' } });
    c.tunnelId = id;
    const svc = SERVICE[type];
    if (svc) c.addService(svc);
    return id;
  }

  /**
   * A connection started inside tunnel `id`: the tunnel is logged as discovered now, as Zeek
   * does from new_connection (a tunnel carrying no connection, e.g. only CDP, stays quiet).
   */
  innerConnection(id: number, ts: number): void {
    const t = this.tunnels[id];
    if (!t || !t.pending) return;
    const rec = t.pending;
    t.pending = undefined;
    rec.ts = ts;
    this.emit(rec);
  }

  /** A tunnel-carrying connection ended: Tunnel::CLOSE, as Zeek logs on connection_state_remove. */
  connClosed(ts: number, c: Conn): void {
    if (c.tunnelId < 0 || this.tunnels[c.tunnelId].pending) return; // never announced
    this.emit({ ...this.connIdentity(c), ts, tunnel_type: this.tunnels[c.tunnelId].type, action: 'Tunnel::CLOSE' });
  }

  private connIdentity(c: Conn): LogRecord {
    return {
      uid: c.uid,
      'id.orig_h': formatAddr(c.o0, c.o1, c.o2, c.o3), 'id.orig_p': c.oPort,
      'id.resp_h': formatAddr(c.r0, c.r1, c.r2, c.r3), 'id.resp_p': c.rPort,
    };
  }
}
