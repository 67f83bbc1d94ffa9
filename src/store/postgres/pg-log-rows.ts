/**
 * Store.logRows on PostgreSQL: the reads log-rows.ts needs. The ids statement runs read-only under
 * the search timeout (it comes from a user's filter); records are fetched with their capture id so
 * the lookup stays in the capture's partition.
 */
import type pg from 'pg';
import { LogViewQueryError, type LogRowsBackend } from '../log-rows.js';
import type { CaptureRow, RecordQuery, StoredRecord, Viewer } from '../store.js';
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
  };
}
