/**
 * Store.search on PostgreSQL: the query language compiled for the 'pg' dialect (store-query's
 * compileQuery: parameterised SQL only) and run on the pool. Text parameters are escaped the way
 * stored text is (pg-text.ts), so a value holding NUL is a search like any other, not a server
 * error; a statement the server cancels (timeout) or whose values it refuses is an error answer.
 */
import type pg from 'pg';
import type { AggregationRow, SearchResult, Viewer } from '../store.js';
import { compileQuery } from '../query/index.js';
import { decodeText, encodeText } from './pg-text.js';
import { recordFromRow, type RecordDbRow } from './pg-rows.js';

/** Milliseconds one search may run before the server cancels it (hostile queries come over the API). */
export const PG_SEARCH_TIMEOUT_MS = 30_000;

function encodeParam(p: unknown): unknown {
  if (typeof p === 'string') return encodeText(p);
  if (Array.isArray(p)) return p.map(encodeParam);
  return p;
}

export async function pgSearch(pool: pg.Pool, query: string, page: { limit: number; offset: number }, viewer?: Viewer): Promise<SearchResult> {
  const compiled = compileQuery(query, 'pg', page, viewer);
  if (!compiled.ok) return { error: compiled.error };
  const q = compiled.query;
  const res = await readOnlyQuery(pool, q.sql, q.params);
  if ('error' in res) return { error: { position: 0, expected: '', message: res.error } };
  if (q.kind === 'aggregation') {
    return {
      aggregation: (res.rows as { key?: unknown; count: number | string }[]).map((r) => {
        const row: AggregationRow = { count: Number(r.count) };
        if ('key' in r) row.key = typeof r.key === 'string' ? decodeText(r.key) : r.key;
        return row;
      }),
    };
  }
  return { rows: (res.rows as RecordDbRow[]).map(recordFromRow) };
}

/**
 * One statement built from a user's query, in a read-only transaction under PG_SEARCH_TIMEOUT_MS
 * (parameters escaped as stored text is). Cancelled by the timeout, or a value the server refuses
 * (SQLSTATE class 22, data exception): the query's fault, answered as an error message. Anything
 * else is ours and is thrown.
 */
export async function readOnlyQuery(pool: pg.Pool, sql: string, params: unknown[], rowMode?: 'array'): Promise<{ rows: unknown[] } | { error: string }> {
  const client = await pool.connect();
  try {
    // SET LOCAL needs a transaction; a read-only one also guards against any statement but SELECT.
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${PG_SEARCH_TIMEOUT_MS}`);
    const values = params.map(encodeParam);
    const res = rowMode === 'array' ? await client.query({ text: sql, values, rowMode }) : await client.query(sql, values);
    await client.query('COMMIT');
    return { rows: res.rows };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    const code = (err as { code?: unknown }).code;
    if (code !== '57014' && !(typeof code === 'string' && code.startsWith('22'))) throw err;
    const message = err instanceof Error ? err.message : String(err);
    return { error: `the search failed on the server: ${message}` };
  } finally {
    client.release();
  }
}
