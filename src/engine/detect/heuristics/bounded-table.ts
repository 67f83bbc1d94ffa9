/**
 * A Map with a ceiling: heuristics aggregate per host, per name, per host pair, and a capture
 * can hold millions of each. Past the ceiling new keys are refused (existing ones keep counting)
 * and the heuristic reports the limit once, so a flood of unique keys costs bounded memory and
 * is itself visible in weird.log.
 */
import type { NoticeLog } from './heuristic.js';

export class BoundedTable<K, V> {
  private readonly map = new Map<K, V>();
  private full = false;

  constructor(private readonly max: number, private readonly limitName: string) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** The entry for `key`, created by `init` when there is room; undefined when the table is full. */
  upsert(key: K, init: () => V, log: NoticeLog): V | undefined {
    const v = this.map.get(key);
    return v !== undefined ? v : this.roomFor(log) ? this.set(key, init()) : undefined;
  }

  /**
   * Adds an entry for a key `get` did not find, when there is room; undefined when the table is
   * full. For the per-record paths: `get(key) ?? add(key, {...})` makes no closure per record.
   */
  add(key: K, value: V, log: NoticeLog): V | undefined {
    return this.roomFor(log) ? this.set(key, value) : undefined;
  }

  private roomFor(log: NoticeLog): boolean {
    if (this.map.size < this.max) return true;
    if (!this.full) { this.full = true; log.limitReached(this.limitName, String(this.max)); }
    return false;
  }

  private set(key: K, value: V): V {
    this.map.set(key, value);
    return value;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}

/** Distinct strings up to a cap, plus a count of everything added (uids behind a notice, hosts of a scan). */
export class CappedSet {
  readonly items = new Set<string>();
  /** Distinct values seen while below the cap, plus every add after it (an upper bound). */
  overflow = 0;

  constructor(private readonly cap: number) {}

  add(v: string): void {
    if (this.items.has(v)) return;
    if (this.items.size < this.cap) this.items.add(v);
    else this.overflow++;
  }

  /** Distinct count, exact below the cap, an upper bound past it. */
  get count(): number {
    return this.items.size + this.overflow;
  }
}
