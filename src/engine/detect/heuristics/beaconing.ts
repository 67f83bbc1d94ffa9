/**
 * Capdex::Beaconing: a host contacting the same server and port at a clock-like rhythm, as
 * implants do when they check in with their controller every N seconds (with a little random
 * jitter to look less regular).
 *
 * Per (orig_h, resp_h, resp_p) the start times of connections are kept; at the end the gaps
 * between consecutive starts are compared with their median: when BEACON_MIN_CONNECTIONS or more
 * connections are BEACON_MIN_REGULAR_SHARE regular (each gap within BEACON_JITTER of the median,
 * or BEACON_MIN_JITTER_SECONDS for short periods), the pair is reported with its period.
 *
 * False positives: software that polls by design: update checkers, mail clients, monitoring
 * agents, keep-alives, NTP (not counted: UDP 123), DNS resolvers' periodic queries (53 skipped).
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable } from './bounded-table.js';
import { aboutConn, connRef, num, str } from './fields.js';

/** Connections before a rhythm means anything. */
export const BEACON_MIN_CONNECTIONS = 6;
/** Share of gaps that must sit within the jitter tolerance of the median gap. */
export const BEACON_MIN_REGULAR_SHARE = 0.8;
/** Jitter tolerated around the median gap, as a fraction of it (implants commonly jitter 10-20 %). */
export const BEACON_JITTER = 0.2;
/** Absolute tolerance for short periods (timestamps and scheduling wobble). */
export const BEACON_MIN_JITTER_SECONDS = 1;
/** Shortest period reported: faster repeats are bulk transfers or retries, not check-ins. */
export const BEACON_MIN_PERIOD_SECONDS = 2;
/** Responder ports whose traffic is periodic by design. */
const PERIODIC_BY_DESIGN = new Set([53, 123, 137, 138, 5353, 5355, 1900]);

interface Pair { first: LogRecord; starts: number[]; uids: string[]; proto: string | undefined }

class Beaconing implements Heuristic {
  private readonly pairs = new BoundedTable<string, Pair>(LIMITS.heuristicMaxKeys, 'beaconing pairs');
  private kept = 0;
  private budgetReported = false;

  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    // Runs for every conn.log record: the fields are read by their literal names (the shared
    // str/num readers take the name as an argument, a keyed lookup when not inlined) and the
    // cheap rejections come before the key string is built.
    const p = rec['id.resp_p'];
    if (typeof p !== 'number' || !Number.isFinite(p) || PERIODIC_BY_DESIGN.has(p)) return;
    const protoField = rec.proto;
    const proto = typeof protoField === 'string' ? protoField : undefined;
    if (proto === 'icmp') return;
    const ts = rec.ts;
    const o = rec['id.orig_h'];
    const r = rec['id.resp_h'];
    if (typeof ts !== 'number' || !Number.isFinite(ts) || typeof o !== 'string' || typeof r !== 'string') return;
    const key = `${o} ${r} ${p} ${proto}`;
    const pair = this.pairs.get(key) ?? this.pairs.add(key, { first: connRef(rec), starts: [], uids: [], proto }, log);
    if (!pair || pair.starts.length >= LIMITS.beaconMaxTimestamps) return;
    if (this.kept >= LIMITS.beaconMaxTotalTimestamps) {
      if (!this.budgetReported) { this.budgetReported = true; log.limitReached('beaconing timestamps', String(LIMITS.beaconMaxTotalTimestamps)); }
      return;
    }
    this.kept++;
    pair.starts.push(ts);
    const uid = rec.uid;
    if (typeof uid === 'string' && uid && pair.uids.length < LIMITS.noticeMaxUids) pair.uids.push(uid);
  }

  finish(log: NoticeLog): void {
    for (const pair of this.pairs.values()) {
      const r = rhythm(pair.starts);
      if (!r) continue;
      const f = pair.first;
      log.notice({
        ts: pair.starts.length ? Math.min(...pair.starts) : 0, note: 'Capdex::Beaconing',
        msg: `${str(f, 'id.orig_h')} contacts ${str(f, 'id.resp_h')}:${num(f, 'id.resp_p')}/${pair.proto ?? '?'} every ${r.period.toFixed(1)} s (${pair.starts.length} connections): periodic check-ins`,
        sub: `median gap ${r.period.toFixed(2)} s, ${(r.regularShare * 100).toFixed(0)}% of gaps within ±${(r.tolerance).toFixed(2)} s, span ${r.span.toFixed(0)} s`,
        ...aboutConn(f, pair.proto),
        n: pair.starts.length, uids: pair.uids,
      });
    }
  }
}

export interface Rhythm { period: number; regularShare: number; tolerance: number; span: number }

/** The rhythm of a list of start times, or undefined when it is not regular enough. */
export function rhythm(starts: readonly number[]): Rhythm | undefined {
  if (starts.length < BEACON_MIN_CONNECTIONS) return undefined;
  const t = Float64Array.from(starts).sort();
  const gaps = new Float64Array(t.length - 1);
  for (let i = 1; i < t.length; i++) gaps[i - 1] = t[i] - t[i - 1];
  const sorted = Float64Array.from(gaps).sort();
  const period = sorted[sorted.length >> 1];
  if (!(period >= BEACON_MIN_PERIOD_SECONDS)) return undefined;
  const tolerance = Math.max(period * BEACON_JITTER, BEACON_MIN_JITTER_SECONDS);
  let regular = 0;
  for (const g of gaps) if (Math.abs(g - period) <= tolerance) regular++;
  const regularShare = regular / gaps.length;
  if (regularShare < BEACON_MIN_REGULAR_SHARE) return undefined;
  return { period, regularShare, tolerance, span: t[t.length - 1] - t[0] };
}

export const BEACONING: HeuristicDescriptor = {
  name: 'beaconing',
  notes: ['Capdex::Beaconing'],
  doc: 'Connections from one host to one server port at a regular interval (jitter tolerated): implant check-ins. Pollers, keep-alives and monitoring agents look alike.',
  logs: ['conn'],
  create: () => new Beaconing(),
};
