/**
 * Store.logRows and Store.logFields on PostgreSQL: the reads log-rows.ts needs. The ids statement runs read-only under
 * the search timeout (it comes from a user's filter); records are fetched with their capture id so
 * the lookup stays in the capture's partition.
 */
import type pg from 'pg';
import { LogViewQueryError, type LogRowsBackend } from '../log-rows.js';
import type { CaptureRow, LogCursor, RecordQuery, StoredRecord, Viewer } from '../store.js';
import { encodeText } from './pg-text.js';
import { recordFromRow, type RecordDbRow } from './pg-rows.js';
import { readOnlyQuery } from './pg-search.js';

export function pgLogRows(pool: pg.Pool, recordSelect: string, store: {
  capture(id: string, viewer?: Viewer): Promise<CaptureRow | undefined>;
  records(captureId: string, log: string, query: RecordQuery): Promise<StoredRecord[]>;
}): LogRowsBackend {
  return {
    dialect: 'pg',
    capture: (id, viewer) => store.capture(id, viewer),
    records: (id, log, q) => store.records(id, log, q),
    countLog: async (id, log) => (await pool.query<{ n: number }>(
      'SELECT count(*) AS n FROM records WHERE capture_id = $1 AND log = $2', [encodeText(id), encodeText(log)])).rows[0].n,
    ids: async (sql, params, max) => {
      // `max` is our own integer (LOG_VIEW_MAX_ROWS + 1), never input.
      const res = await readOnlyQuery(pool, `${sql} LIMIT ${Math.trunc(max)}`, params, 'array');
      if ('error' in res) throw new LogViewQueryError(res.error);
      return Float64Array.from(res.rows as [number][], (r) => Number(r[0]));
    },
    byIds: async (id, ids) => (await pool.query<RecordDbRow>(
      `SELECT ${recordSelect} FROM records r WHERE r.capture_id = $1 AND r.id = ANY($2::bigint[])`, [encodeText(id), ids])).rows.map(recordFromRow),
    fields: async (id, log, paths, after, limit) => {
      // The values as one jsonb array (null for an absent path), parsed by the driver with JSON's types.
      const params: unknown[] = [encodeText(id), encodeText(log)];
      const arg = (v: unknown): string => { params.push(v); return `$${params.length}`; };
      const values = paths.map((p) => `r.doc #> ${arg(p.map(encodeText))}::text[]`).join(', ');
      let cursor = '';
      if (after) cursor = after.ts === null ? ` AND (r.ts IS NOT NULL OR r.id > ${arg(after.id)})` : ` AND (r.ts, r.id) > (${arg(after.ts)}::double precision, ${arg(after.id)}::bigint)`;
      const res = await pool.query<{ id: string | number; ts: number | null; v: unknown[] }>(
        `SELECT r.id, r.ts, jsonb_build_array(${values}) AS v FROM records r WHERE r.capture_id = $1 AND r.log = $2${cursor}
          ORDER BY r.ts ASC NULLS FIRST, r.id LIMIT ${arg(limit)}`, params);
      return res.rows.map((r) => ({ id: Number(r.id), ts: r.ts === null ? null : Number(r.ts), values: r.v }));
    },
  };
}
