/**
 * Detection state of one connection, kept on Conn.detect and dropped with the connection:
 * flowbits and flowints (Suricata's per-flow variables), where each rule last alerted in each
 * stream direction (no second alert on the same bytes), the connection's formatted identity for
 * alerts, and the last HTTP request seen (so a response alert can say which URL it answered).
 *
 * Flowbit and flowint names are interned to small integers when the rules load: the names a
 * connection can hold are the ones the ruleset mentions, so this state is bounded by the ruleset.
 */
import { LIMITS } from '../support/limits.js';
import type { InspectionUnit } from './inspection.js';

export class ConnDetect {
  flowbits: Set<number> | undefined = undefined;
  flowints: Map<number, number> | undefined = undefined;
  /** Per direction (0 = to server, 1 = to client): rule rank → stream position up to which it alerted. */
  private marks: [Map<number, number> | undefined, Map<number, number> | undefined] = [undefined, undefined];
  /** Formatted addresses and Community ID, computed on the first alert. */
  origH: string | undefined = undefined;
  respH: string | undefined = undefined;
  communityId: string | undefined = undefined;
  /** The last HTTP request unit (one per connection, replaced by the next): read only to describe an alert. */
  lastHttpRequest: InspectionUnit | undefined = undefined;
  /** app-layer-event names raised on this connection (each once; bounded by app-events.ts's table). */
  appEvents: Set<string> | undefined = undefined;

  hasBit(id: number): boolean {
    return this.flowbits !== undefined && this.flowbits.has(id);
  }

  setBit(id: number, on: boolean): void {
    if (on) (this.flowbits ??= new Set()).add(id);
    else this.flowbits?.delete(id);
  }

  /** Stream position before which rule `rank` must not match again in this direction (0: none). */
  alertedUpTo(dir: number, rank: number): number {
    return this.marks[dir]?.get(rank) ?? 0;
  }

  markAlerted(dir: number, rank: number, upTo: number): void {
    let m = this.marks[dir];
    if (m === undefined) m = this.marks[dir] = new Map();
    if (!m.has(rank) && m.size >= LIMITS.detectMaxStreamAlertMarks) {
      // Forget the oldest: at worst that rule alerts once more on bytes it already alerted on.
      const oldest = m.keys().next();
      if (!oldest.done) m.delete(oldest.value);
    }
    m.set(rank, upTo);
  }
}
