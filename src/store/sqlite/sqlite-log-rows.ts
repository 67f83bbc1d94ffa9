/** Store.logRows and Store.logFields on SQLite: the reads log-rows.ts needs, on the reader connection (committed data only). */
import type { Database } from 'better-sqlite3';
import type { LogRowsBackend } from '../log-rows.js';
import type { CaptureRow, LogCursor, RecordQuery, StoredRecord, Viewer } from '../store.js';
import { type RecordDbRow, toStoredRecord } from './record-row.js';
import { ADDR_SORT_KEY_FUNCTION, addrSortKey } from '../query/address-order.js';

export function sqliteLogRows(reader: Database, store: {
  capture(id: string, viewer?: Viewer): Promise<CaptureRow | undefined>;
  records(captureId: string, log: string, query: RecordQuery): Promise<StoredRecord[]>;
}): LogRowsBackend {
  // Address fields sort by this key (query/address-order.ts): SQLite has no address type.
  reader.function(ADDR_SORT_KEY_FUNCTION, { deterministic: true }, (v: unknown) => addrSortKey(v));
  return {
    dialect: 'sqlite',
    capture: (id, viewer) => store.capture(id, viewer),
    records: (id, log, q) => store.records(id, log, q),
    countLog: async (id, log) => (reader.prepare('SELECT count(*) AS n FROM records WHERE capture_id = ? AND log = ?').get(id, log) as { n: number }).n,
    ids: async (sql, params, max) => {
      let out = new Float64Array(1024);
      let n = 0;
      // Iterated, not .all(): a view past `max` stops reading there.
      for (const id of reader.prepare(sql).pluck().iterate(...params) as IterableIterator<number>) {
        if (n === out.length) { const grown = new Float64Array(out.length * 2); grown.set(out); out = grown; }
        out[n++] = id;
        if (n >= max) break;
      }
      return out.slice(0, n);
    },
    // `+capture_id`: a check, not an index choice (on its index SQLite would walk the whole capture).
    byIds: async (id, ids) => (reader.prepare(
      'SELECT id, capture_id, log, ts, uid, community_id, doc FROM records WHERE id IN (SELECT value FROM json_each(?)) AND +capture_id = ?',
    ).all(JSON.stringify(ids), id) as RecordDbRow[]).map(toStoredRecord),
    fields: async (id, log, paths, after, limit) => {
      // One json_extract of every path (the document parsed once per row) answers a JSON array of
      // the values with JSON's own types (true stays true), null for an absent path; with two or
      // more paths only, so a single path is asked twice.
      const jsonPaths = paths.map((p) => '$' + p.map((k) => `."${k}"`).join(''));
      if (jsonPaths.length === 1) jsonPaths.push(jsonPaths[0]);
      const rows = reader.prepare(`SELECT id, ts, json_extract(doc, ${jsonPaths.map(() => '?').join(', ')}) FROM records
        WHERE capture_id = ? AND log = ?${afterSql(after)} ORDER BY ts, id LIMIT ?`)
        .raw().all(...jsonPaths, id, log, ...afterParams(after), limit) as [number, number | null, string][];
      const n = paths.length;
      return rows.map(([rid, ts, values]) => {
        const v = JSON.parse(values) as unknown[];
        return { id: rid, ts, values: v.length === n ? v : v.slice(0, n) };
      });
    },
  };
}

/** After a (ts, id) position, ts absent first (SQLite orders NULL first ascending): the (capture, log, ts) index range. */
function afterSql(after: LogCursor | undefined): string {
  if (!after) return '';
  return after.ts === null ? ' AND (ts IS NOT NULL OR id > ?)' : ' AND (ts, id) > (?, ?)';
}

function afterParams(after: LogCursor | undefined): number[] {
  if (!after) return [];
  return after.ts === null ? [after.id] : [after.ts, after.id];
}
