/**
 * Store.search on SQLite: the query language (src/store/query/) compiled for the 'sqlite' dialect
 * to one parameterised statement, run on the reader connection (committed data only).
 */
import type { Database } from 'better-sqlite3';
import { compileQuery } from '../query/index.js';
import type { AggregationRow, SearchResult, Viewer } from '../store.js';
import { type RecordDbRow, toStoredRecord } from './record-row.js';

export function searchSqlite(db: Database, query: string, page: { limit: number; offset: number }, viewer?: Viewer): SearchResult {
  const compiled = compileQuery(query, 'sqlite', page, viewer);
  if (!compiled.ok) return { error: compiled.error };
  const q = compiled.query;
  const rows = db.prepare(q.sql).all(...q.params);
  if (q.kind === 'rows') return { rows: (rows as RecordDbRow[]).map(toStoredRecord) };
  return {
    aggregation: (rows as { key?: unknown; count: number }[]).map((r) => {
      const out: AggregationRow = { count: Number(r.count) };
      if ('key' in r) out.key = r.key;
      return out;
    }),
  };
}
