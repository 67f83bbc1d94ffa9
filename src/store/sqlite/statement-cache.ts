/**
 * Prepared statements kept per connection. better-sqlite3 compiles SQL on every prepare() (50-150 µs
 * for our queries, most of a small read's cost under 50 concurrent API clients), while a statement
 * can be run any number of times. `reuseStatements(db)` makes the connection's prepare() return the
 * statement it compiled for the same SQL text before, so every call site stays a plain
 * `db.prepare(sql).all(...)` and still compiles each text once.
 *
 * Bounded: SQL texts built from queries (the search language) are many; the least recently used
 * statement goes past STATEMENT_CACHE_MAX. A statement still being iterated (busy) is never handed
 * out twice: the caller gets a fresh, uncached one. Modes a previous caller set (pluck, raw,
 * expand) are cleared, so a reused statement behaves as a new one would.
 */
import type { Database, Statement } from 'better-sqlite3';

/** Statements kept per connection (each is a compiled program of a few KB). */
export const STATEMENT_CACHE_MAX = 256;

export function reuseStatements(db: Database, max = STATEMENT_CACHE_MAX): Database {
  const compile = db.prepare.bind(db) as (sql: string) => Statement;
  const kept = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    const hit = kept.get(sql);
    if (hit !== undefined && !hit.busy) {
      // Map order is the recency order: move the hit to the end.
      kept.delete(sql);
      kept.set(sql, hit);
      if (hit.reader) hit.pluck(false).expand(false).raw(false);
      return hit;
    }
    const fresh = compile(sql);
    if (hit === undefined) {
      kept.set(sql, fresh);
      if (kept.size > max) kept.delete(kept.keys().next().value!);
    }
    return fresh;
  };
  db.prepare = prepare as Database['prepare'];
  return db;
}
