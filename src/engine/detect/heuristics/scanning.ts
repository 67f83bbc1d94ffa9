/**
 * Capdex::Address_Scan and Capdex::Port_Scan (Zeek's scan.zeek names the same two): one host
 * trying one port on many hosts (looking for a service: SMB, RDP, SSH), or many ports on one
 * host (mapping it). Attempts are TCP connections; a scan mostly fails, so at least
 * SCAN_MIN_FAILED_SHARE of the attempts must end in a failing state (S0 no answer, REJ refused,
 * RSTOS0/RSTR/SH/OTH half-open) before it is reported.
 *
 * State is kept from a source's first failed attempt on (answered traffic costs nothing), and
 * the uids listed are those of failed attempts. Thresholds as Zeek's: SCAN_ADDRESS_HOSTS hosts on a port, SCAN_PORT_PORTS ports on a host.
 * False positives: network inventory and vulnerability scanners (expected ones), service
 * discovery, peer-to-peer clients, a busy NAT gateway seen as one host.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { connRef, num, str } from './fields.js';

/** Distinct hosts one source tries on one port (Zeek's Scan::addr_scan_threshold). */
export const SCAN_ADDRESS_HOSTS = 25;
/** Distinct ports one source tries on one host (Zeek's Scan::port_scan_threshold). */
export const SCAN_PORT_PORTS = 15;
/** Share of attempts that must fail. */
export const SCAN_MIN_FAILED_SHARE = 0.5;

const FAILED_STATES = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH', 'RSTR']);

interface Sweep { first: LogRecord; targets: CappedSet; attempts: number; failed: number; uids: CappedSet }

class Scanning implements Heuristic {
  /** "orig port" → hosts tried. */
  private readonly byPort = new BoundedTable<string, Sweep>(LIMITS.heuristicMaxKeys, 'scanning address sweeps');
  /** "orig resp" → ports tried. */
  private readonly byHost = new BoundedTable<string, Sweep>(LIMITS.heuristicMaxKeys, 'scanning port sweeps');
  /** Sources with at least one failed attempt (the only ones a sweep can belong to). */
  private readonly failing = new Set<string>();

  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    if (str(rec, 'proto') !== 'tcp') return;
    const o = str(rec, 'id.orig_h');
    const r = str(rec, 'id.resp_h');
    const p = num(rec, 'id.resp_p');
    if (o === undefined || r === undefined || p === undefined) return;
    const failed = FAILED_STATES.has(str(rec, 'conn_state') ?? '');
    // Answered connections of hosts that never failed one (nearly all traffic) cost one lookup.
    if (!failed && !this.failing.has(o)) return;
    if (failed && this.failing.size < LIMITS.heuristicMaxKeys) this.failing.add(o);
    const uid = str(rec, 'uid');
    // A sweep starts at a failed attempt: ordinary traffic (answered connections) costs no state.
    const byPort = failed ? this.byPort.upsert(`${o} ${p}`, () => newSweep(rec), log) : this.byPort.get(`${o} ${p}`);
    const byHost = failed ? this.byHost.upsert(`${o} ${r}`, () => newSweep(rec), log) : this.byHost.get(`${o} ${r}`);
    count(byPort, r, failed, uid);
    count(byHost, String(p), failed, uid);
  }

  finish(log: NoticeLog): void {
    for (const s of this.byPort.values()) {
      if (s.targets.count < SCAN_ADDRESS_HOSTS || s.failed < s.attempts * SCAN_MIN_FAILED_SHARE) continue;
      const f = s.first;
      log.notice({
        ts: num(f, 'ts') ?? 0, note: 'Capdex::Address_Scan',
        msg: `${str(f, 'id.orig_h')} scanned ${s.targets.count} hosts on port ${num(f, 'id.resp_p')}/tcp`,
        sub: `${s.attempts} attempts, ${s.failed} failed (no answer, refused or half-open); threshold ${SCAN_ADDRESS_HOSTS} hosts`,
        uid: str(f, 'uid'), conn: f, proto: 'tcp', src: str(f, 'id.orig_h'), p: num(f, 'id.resp_p'), n: s.targets.count, uids: s.uids.items,
      });
    }
    for (const s of this.byHost.values()) {
      if (s.targets.count < SCAN_PORT_PORTS || s.failed < s.attempts * SCAN_MIN_FAILED_SHARE) continue;
      const f = s.first;
      log.notice({
        ts: num(f, 'ts') ?? 0, note: 'Capdex::Port_Scan',
        msg: `${str(f, 'id.orig_h')} scanned ${s.targets.count} ports of ${str(f, 'id.resp_h')}`,
        sub: `${s.attempts} attempts, ${s.failed} failed; ports ${[...s.targets.items].slice(0, 20).join(' ')}${s.targets.count > 20 ? ' ...' : ''}; threshold ${SCAN_PORT_PORTS} ports`,
        uid: str(f, 'uid'), conn: f, proto: 'tcp', src: str(f, 'id.orig_h'), dst: str(f, 'id.resp_h'), n: s.targets.count, uids: s.uids.items,
      });
    }
  }
}

function newSweep(rec: LogRecord): Sweep {
  return { first: connRef(rec), targets: new CappedSet(LIMITS.heuristicMaxDistinct), attempts: 0, failed: 0, uids: new CappedSet(LIMITS.noticeMaxUids) };
}

function count(s: Sweep | undefined, target: string, failed: boolean, uid: string | undefined): void {
  if (!s) return;
  s.targets.add(target);
  s.attempts++;
  if (!failed) return;
  s.failed++;
  if (uid) s.uids.add(uid);
}

export const SCANNING: HeuristicDescriptor = {
  name: 'scanning',
  notes: ['Capdex::Address_Scan', 'Capdex::Port_Scan'],
  doc: 'One host trying a port on many hosts, or many ports on one host, mostly failing: scanning. Inventory and vulnerability scanners do it on purpose.',
  logs: ['conn'],
  create: () => new Scanning(),
};
