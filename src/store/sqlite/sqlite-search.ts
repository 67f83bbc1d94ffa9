/**
 * Store.search on SQLite: the query language (src/store/query/) compiled for the 'sqlite' dialect
 * and run on the reader connection.
 */
import type { Database } from 'better-sqlite3';
import type { SearchResult } from '../store.js';

export function searchSqlite(_db: Database, _query: string, _page: { limit: number; offset: number }): SearchResult {
  // The compiler (store-query's compileQuery) is wired in here once it lands.
  return { error: { position: 0, expected: '', message: 'search is not available yet: the query compiler is not built' } };
}
