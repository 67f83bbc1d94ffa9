/**
 * Zeek's DHCP aggregation (base/protocols/dhcp/main.zeek, DHCP::aggregate_msgs): messages with
 * the same transaction id are merged into one dhcp.log record, whichever connection carried
 * them. A record is written when Zeek's join_data table would expire it: it is checked 10 s
 * after its first message and every 5 s after that, and written at the first check where no
 * message came in the last 5 s or the transaction is older than 30 s (DHCP::max_txid_watch_time);
 * or at once when it holds 10 uids or 50 message types; or at the end. Timers are evaluated
 * lazily against capture time (at every DHCP message, at most once per second of capture time,
 * and when a connection ends), which gives the same records as Zeek's timers.
 *
 * The table is shared by every DHCP connection of one analysis run (ctx.shared, one per engine),
 * keyed by xid. Every transaction remembers the connections that fed it and is written, at the
 * latest, when the last of them ends, so nothing outlives a run.
 */
import { LIMITS } from '../../support/limits.js';
import type { AnalyzerContext } from '../analyzer.js';
import { DHCP_LOG } from './dhcp-log.js';
import { type DhcpMessage, messageTypeName } from './parser.js';

/** Zeek: join_data &create_expire=10secs, expire_func re-arms every 5 s. */
const FIRST_CHECK = 10;
const RECHECK = 5;
const IDLE = 5;
/** DHCP::max_txid_watch_time */
const MAX_WATCH = 30;

interface Txn {
  xid: number;
  rec: Record<string, unknown>;
  ts: number;
  last: number;
  uids: Set<string>;
  msgTypes: string[];
  clientChaddr?: string;
  /** Connections that fed this transaction and have not ended yet. */
  live: Set<AnalyzerContext>;
  /** Where the record is written (the context of the first message). */
  ctx: AnalyzerContext;
}

export class DhcpJoin {
  private readonly txns = new Map<number, Txn>();
  private nextSweep = -Infinity;

  /** One parsed message from connection `ctx` at capture time `now`. */
  message(ctx: AnalyzerContext, isOrig: boolean, msg: DhcpMessage, now: number): void {
    this.sweep(now);
    let t = this.txns.get(msg.xid);
    if (t && expired(t, now)) {
      this.write(t);
      t = undefined;
    }
    if (!t) {
      if (this.txns.size >= LIMITS.dhcpMaxPendingTransactions) {
        ctx.weird('DHCP_pending_transactions_quantity');
        const oldest = this.txns.values().next().value;
        if (oldest) this.write(oldest);
      }
      t = { xid: msg.xid, rec: { ts: now }, ts: now, last: now, uids: new Set(), msgTypes: [], live: new Set(), ctx };
      this.txns.set(msg.xid, t);
    }
    t.live.add(ctx);
    merge(t, ctx, isOrig, msg, now);
    if (t.uids.size >= LIMITS.dhcpMaxUidsPerEntry || t.msgTypes.length >= LIMITS.dhcpMaxMsgTypesPerEntry) this.write(t);
  }

  /** Connection `ctx` ended: transactions only it was still feeding are written. */
  connDone(ctx: AnalyzerContext, now: number): void {
    this.sweep(now, true);
    for (const t of [...this.txns.values()]) {
      if (!t.live.delete(ctx)) continue;
      if (t.live.size === 0) this.write(t);
    }
  }

  /** Writes every pending transaction (end of input). */
  flushAll(): void {
    for (const t of [...this.txns.values()]) this.write(t);
  }

  get pending(): number {
    return this.txns.size;
  }

  private sweep(now: number, force = false): void {
    if (!force && now < this.nextSweep) return;
    this.nextSweep = now + 1;
    for (const t of [...this.txns.values()]) if (expired(t, now)) this.write(t);
  }

  private write(t: Txn): void {
    if (this.txns.get(t.xid) === t) this.txns.delete(t.xid);
    const rec = t.rec;
    // Zeek's join_data_expiration: without a client identifier or a server's chaddr, the
    // client's own chaddr.
    if (rec.mac === undefined && t.clientChaddr !== undefined) rec.mac = t.clientChaddr;
    rec.uids = [...t.uids];
    rec.msg_types = t.msgTypes;
    t.ctx.log(DHCP_LOG, rec);
  }
}

/** Whether Zeek's expiry timer would have written `t` at some check up to `now`. */
function expired(t: Txn, now: number): boolean {
  // Capture time never goes backwards within a run: an older transaction is left over from
  // another run (one that ended without closing its connections) and must not be joined.
  if (now < t.last) return true;
  // At most MAX_WATCH / RECHECK + 2 checks: past MAX_WATCH every check expires.
  for (let c = t.ts + FIRST_CHECK; c <= now; c += RECHECK) {
    if (c - t.last > IDLE || c - t.ts > MAX_WATCH) return true;
  }
  return false;
}

/** DHCP::aggregate_msgs at priority 5, field by field. */
function merge(t: Txn, ctx: AnalyzerContext, isOrig: boolean, msg: DhcpMessage, now: number): void {
  const rec = t.rec;
  const c = ctx.conn;
  rec.duration = now - t.ts;
  t.uids.add(c.uid);
  t.msgTypes.push(messageTypeName(msg.msgType));
  // is_orig is true for "connections" servers open to broadcast addresses too.
  const isClient = isOrig && (c.origH === '0.0.0.0' || c.origP === 68 || c.respP === 67);
  if (msg.message !== undefined) {
    if (isClient) rec.client_message = msg.message;
    else rec.server_message = msg.message;
  }
  t.last = now;
  if (isClient) {
    if (c.origH !== '0.0.0.0' && c.origH !== '255.255.255.255') rec.client_addr = c.origH;
    if (msg.hostName !== undefined) rec.host_name = msg.hostName;
    if (msg.clientFqdn !== undefined) rec.client_fqdn = msg.clientFqdn;
    if (msg.clientIdType === 1) rec.mac = msg.clientIdHwAddr;
    else t.clientChaddr = msg.chaddr;
    if (msg.requestedAddr !== undefined) rec.requested_addr = msg.requestedAddr;
  } else {
    if (msg.yiaddr !== '0.0.0.0') rec.server_addr = isOrig ? c.origH : c.respH;
    if (msg.chaddr !== '' && rec.mac === undefined) rec.mac = msg.chaddr;
    if (msg.yiaddr !== '0.0.0.0') rec.assigned_addr = msg.yiaddr;
    if (rec.client_addr === undefined && rec.assigned_addr !== undefined) rec.client_addr = rec.assigned_addr;
    if (msg.domainName !== undefined) rec.domain = msg.domainName;
    if (msg.leaseTime !== undefined) rec.lease_time = msg.leaseTime;
  }
}
