/**
 * The ordered record ids of recent panel views (Store.logRows), kept between pages: a sort by a
 * document field or a filter costs one statement over the log, then every page is a lookup of
 * at most PAGE_MAX_ROWS ids. Keyed by the capture's import (id, import time, record count), so a
 * re-import or a deletion never serves stale ids; bounded by entries and by ids held (limits.ts),
 * least recently used evicted first. Concurrent requests for one view share one statement.
 */
import { LOG_VIEW_CACHE_MAX_ENTRIES, LOG_VIEW_CACHE_MAX_IDS } from './limits.js';

/** A view: its ids in order, or only its size for the plain ts view (paged by index). */
export interface LogViewEntry {
  total: number;
  ids?: Float64Array;
}

export class LogViewCache {
  private readonly entries = new Map<string, Promise<LogViewEntry>>();
  private readonly sizes = new Map<string, number>();
  private held = 0;

  constructor(private readonly maxIds = LOG_VIEW_CACHE_MAX_IDS, private readonly maxEntries = LOG_VIEW_CACHE_MAX_ENTRIES) {}

  /** The view under `key`, computed by `build` when absent (a failure is not cached). */
  get(key: string, build: () => Promise<LogViewEntry>): Promise<LogViewEntry> {
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const p = build().then((e) => {
      if (this.entries.get(key) === p) {
        const n = e.ids?.length ?? 0;
        this.sizes.set(key, n);
        this.held += n;
        this.evict();
      }
      return e;
    }, (err: unknown) => {
      if (this.entries.get(key) === p) this.entries.delete(key);
      throw err;
    });
    this.entries.set(key, p);
    this.evict();
    return p;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.held <= this.maxIds) return;
      if (this.entries.size === 1) return; // the newest view stays, whatever its size (it was allowed by LOG_VIEW_MAX_ROWS)
      this.entries.delete(key);
      this.held -= this.sizes.get(key) ?? 0;
      this.sizes.delete(key);
    }
  }
}

/** The cache key of a view of one import of a capture. */
export function logViewKey(c: { id: string; importedAt: number; recordCount: number }, log: string, q: string, sort: string): string {
  return JSON.stringify([c.id, c.importedAt, c.recordCount, log, q, sort]);
}

/** A page of a view's ids, in order. */
export function pageIds(ids: Float64Array, offset: number, limit: number): number[] {
  return Array.from(ids.subarray(Math.min(offset, ids.length), Math.min(offset + limit, ids.length)));
}

/** Rows fetched by id, put back in the order of `ids` (missing ones, deleted meanwhile, left out). */
export function inIdOrder<T extends { id: number }>(ids: readonly number[], rows: readonly T[]): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: T[] = [];
  for (const id of ids) { const r = byId.get(id); if (r) out.push(r); }
  return out;
}
