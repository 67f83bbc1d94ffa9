/**
 * threshold and detection_filter (Suricata 7 semantics), counted in capture time per tracking key
 * (rule + source, destination, both, or connection). The tracker table is bounded: when full the
 * oldest entries go first, so a flood of distinct sources costs memory once, not forever.
 *
 * - limit N/S: the first N matches of each S-second window alert.
 * - threshold N/S: every N-th match within a window alerts (the count restarts after each alert).
 * - both N/S: the N-th match of a window alerts, once per window.
 * - detection_filter N/S: matches past the N-th within a window alert (a rate filter).
 */
import type { ThresholdSpec } from './rules/rule.js';
import { LIMITS } from '../support/limits.js';

interface Tracker {
  start: number;
  count: number;
  /** `both`: already alerted in this window. */
  fired: boolean;
}

/** Address/flow identifiers the tracker keys can be built from (strings already formatted). */
export interface TrackSubject {
  src: string;
  dst: string;
  flow: string;
}

export class Thresholds {
  private readonly trackers = new Map<string, Tracker>();
  /** Trackers dropped because the table was full (a stat). */
  evicted = 0;

  constructor(private readonly maxEntries: number = LIMITS.detectMaxThresholdEntries) {}

  /** Counts one match of rule `ruleKey` and says whether it may alert. */
  allow(spec: ThresholdSpec, ruleKey: number, who: TrackSubject, ts: number): boolean {
    const key = trackKey(spec, ruleKey, who);
    let t = this.trackers.get(key);
    if (t === undefined || ts - t.start > spec.seconds || ts < t.start) {
      if (t === undefined && this.trackers.size >= this.maxEntries) this.evictOldest();
      t = { start: ts, count: 0, fired: false };
      this.trackers.delete(key); // re-insert: Map order stays oldest-first
      this.trackers.set(key, t);
    }
    t.count++;
    switch (spec.type) {
      case 'limit':
        return t.count <= spec.count;
      case 'threshold':
        if (t.count >= spec.count) { t.count = 0; return true; }
        return false;
      case 'both':
        if (t.count >= spec.count && !t.fired) { t.fired = true; return true; }
        return false;
      case 'detection_filter':
        return t.count > spec.count;
      default:
        return true;
    }
  }

  get size(): number {
    return this.trackers.size;
  }

  private evictOldest(): void {
    // Drop a slice at once so a flood does not pay one eviction per match.
    let n = Math.max(1, this.maxEntries >> 6);
    for (const k of this.trackers.keys()) {
      this.trackers.delete(k);
      this.evicted++;
      if (--n === 0) break;
    }
  }
}

function trackKey(spec: ThresholdSpec, ruleKey: number, who: TrackSubject): string {
  // The spec type is part of the key: a rule with both threshold and detection_filter counts twice.
  const k = spec.type === 'detection_filter' ? 'd' + ruleKey : 't' + ruleKey;
  switch (spec.track) {
    case 'by_src': return k + '|' + who.src;
    case 'by_dst': return k + '|' + who.dst;
    case 'by_both': return k + '|' + who.src + '|' + who.dst;
    case 'by_flow': return k + '|' + who.flow;
    case 'by_rule': return k;
    default: return k;
  }
}
