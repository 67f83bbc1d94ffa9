/**
 * One observables row per distinct (type, value, log, field) of a capture, holding the ids of every
 * record of that capture where it was seen, instead of one row per (record, value): on a 16 MB
 * capture 43k index rows become 8.4k (the same addresses, names and hashes recur record after
 * record), and each row costs its key, its three index entries and its capture id only once.
 *
 * Both backends group an import's observables here and write the groups when they are done:
 * - a group holds at most OBSERVABLE_ROW_IDS_MAX ids; a fuller one is sealed as a row and the
 *   value goes on in a new one (readers see several rows for one value of a capture);
 * - the open groups are bounded (OBSERVABLE_GROUPS_MAX, OBSERVABLE_PENDING_IDS_MAX): past either,
 *   everything is handed out and grouping starts over, so a hostile capture of a million distinct
 *   values costs bounded memory and at worst more rows.
 * Record ids arrive in increasing order (each import numbers its records as they come), so each
 * group's ids are sorted without a sort.
 */
import type { ObservableRow } from './observables.js';
import type { ObservableType } from './store.js';
import { OBSERVABLE_GROUPS_MAX, OBSERVABLE_PENDING_IDS_MAX, OBSERVABLE_ROW_IDS_MAX } from './limits.js';

/** One observables row as written: the value's key columns and the records (ascending ids) holding it. */
export interface ObservableGroup {
  type: ObservableType;
  value: string;
  log: string;
  field: string;
  rvalue: string | null;
  ipkey: string | null;
  recordIds: number[];
}

/** Index order: rows with neighbouring keys go in together, so their index inserts share pages. */
export function compareGroups(a: ObservableGroup, b: ObservableGroup): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  if (a.log !== b.log) return a.log < b.log ? -1 : 1;
  if (a.field !== b.field) return a.field < b.field ? -1 : 1;
  return a.recordIds[0] - b.recordIds[0];
}

/** Groups by log, then field, then type, then value: four lookups of strings the engine reuses, no key built per value. */
type GroupIndex = Map<string, Map<string, Map<string, Map<string, ObservableGroup>>>>;

export class ObservableGrouper {
  private groups: GroupIndex = new Map();
  private groupCount = 0;
  /** Groups that reached the row's id limit, waiting to be handed out. */
  private sealed: ObservableGroup[] = [];
  private pendingIds = 0;
  /** Record references added (the per-record count the old one-row-per-reference index had). */
  references = 0;

  constructor(private readonly rowIdsMax = OBSERVABLE_ROW_IDS_MAX) {}

  /**
   * Adds one record's observables; returns true when the caller should write what `take()` gives
   * now (memory bounds reached).
   */
  add(recordId: number, log: string, rows: readonly ObservableRow[]): boolean {
    let byField = this.groups.get(log);
    if (byField === undefined) this.groups.set(log, (byField = new Map()));
    for (const o of rows) {
      let byType = byField.get(o.field);
      if (byType === undefined) byField.set(o.field, (byType = new Map()));
      let byValue = byType.get(o.type);
      if (byValue === undefined) byType.set(o.type, (byValue = new Map()));
      let g = byValue.get(o.value);
      if (g === undefined) {
        g = { type: o.type, value: o.value, log, field: o.field, rvalue: o.rvalue, ipkey: o.ipkey, recordIds: [] };
        byValue.set(o.value, g);
        this.groupCount++;
      } else if (g.recordIds[g.recordIds.length - 1] === recordId) {
        continue; // the same value twice in one record and field (pushUnique already drops most)
      } else if (g.recordIds.length >= this.rowIdsMax) {
        this.sealed.push(g);
        g = { ...g, recordIds: [] };
        byValue.set(o.value, g);
      }
      g.recordIds.push(recordId);
      this.pendingIds++;
      this.references++;
    }
    return this.groupCount >= OBSERVABLE_GROUPS_MAX || this.pendingIds >= OBSERVABLE_PENDING_IDS_MAX;
  }

  /** Every group held (sealed and open), in index order; the grouper starts empty again. */
  take(): ObservableGroup[] {
    const out = this.sealed;
    for (const byField of this.groups.values()) {
      for (const byType of byField.values()) {
        for (const byValue of byType.values()) for (const g of byValue.values()) out.push(g);
      }
    }
    this.groups = new Map();
    this.groupCount = 0;
    this.sealed = [];
    this.pendingIds = 0;
    return out.sort(compareGroups);
  }
}

/** A row's record ids as SQLite stores them: a JSON array (json_each unpacks it in SQL). */
export function recordIdsJson(ids: readonly number[]): string {
  return '[' + ids.join(',') + ']';
}

