/**
 * Store.logRows for both backends: a page of one log of one capture, filtered by the query
 * language and sorted by any field, with the filtered total. The view compiles once
 * (query/log-view.ts); its ordered ids are computed by one statement and kept
 * (log-view-cache.ts), so every later page is an id lookup. The plain view (the whole log by ts)
 * pages by the (capture, log, ts) index near its start (only its count is kept) and by its ids
 * past LOG_VIEW_PLAIN_OFFSET_MAX. A capture the viewer may not
 * see is an empty view, as everywhere (visibility.ts).
 *
 * Store.logFields (the `fields` read) is the lean scan summaries use: a few JSON paths per record,
 * extracted by the database, paged by a (ts, id) cursor (an OFFSET would walk every earlier entry
 * again per page); scanLogFields runs it to the end with the event loop free between pages.
 */
import type { Dialect } from './query/sql.js';
import { compileLogView } from './query/log-view.js';
import { inIdOrder, type LogViewCache, type LogViewEntry, logViewKey, pageIds } from './log-view-cache.js';
import { LOG_VIEW_MAX_ROWS, LOG_VIEW_PLAIN_OFFSET_MAX } from './limits.js';
import { pageOf } from './paging.js';
import type { CaptureRow, LogCursor, LogFieldsRow, LogRowsQuery, LogRowsResult, RecordQuery, Store, StoredRecord, Viewer } from './store.js';

/** Records per Store.logFields page at most: one synchronous SQLite read stays a few ms. */
export const LOG_FIELDS_PAGE_MAX = 10_000;

/** What a backend provides: its dialect and these reads. */
export interface LogRowsBackend {
  readonly dialect: Dialect;
  capture(id: string, viewer?: Viewer): Promise<CaptureRow | undefined>;
  records(captureId: string, log: string, query: RecordQuery): Promise<StoredRecord[]>;
  /** count(*) of one log of one capture (index-only). */
  countLog(captureId: string, log: string): Promise<number>;
  /** Runs an ids statement, reading at most `max` ids (more: the view is too large, cut there). */
  ids(sql: string, params: unknown[], max: number): Promise<Float64Array>;
  /** Records by id, any order. */
  byIds(captureId: string, ids: number[]): Promise<StoredRecord[]>;
  /** Store.logFields: `limit` is already capped. */
  fields(captureId: string, log: string, paths: readonly (readonly string[])[], after: LogCursor | undefined, limit: number): Promise<LogFieldsRow[]>;
}

/** Keys of a logFields path: the callers' own field names, never a quote or control character (quoted into a JSON path). */
const PATH_KEY = /^[^"\\\x00-\x1f]{1,128}$/;

/** Store.logFields over a backend: the page size capped, paths checked (each a non-empty list of keys). */
export function logFields(b: LogRowsBackend, captureId: string, log: string, paths: readonly (readonly string[])[], page: { after?: LogCursor; limit: number }): Promise<LogFieldsRow[]> {
  if (paths.length === 0 || paths.length > 32 || paths.some((p) => p.length === 0 || !p.every((k) => PATH_KEY.test(k)))) {
    throw new TypeError('logFields: 1-32 paths, each a non-empty list of plain keys');
  }
  return b.fields(captureId, log, paths, page.after, Math.max(1, Math.min(Math.trunc(page.limit), LOG_FIELDS_PAGE_MAX)));
}

/**
 * Every record of one log (ts order, at most `max`) through `each(ts, values)`, read
 * `pageRows` at a time with the event loop free between pages (a request waiting on the same
 * process gets in); `complete` is false when the log holds more than `max`.
 */
export async function scanLogFields(
  store: Pick<Store, 'logFields'>, captureId: string, log: string, paths: readonly (readonly string[])[],
  each: (ts: number | null, values: unknown[]) => void, opts: { max: number; pageRows: number },
): Promise<{ read: number; complete: boolean }> {
  let read = 0;
  let after: LogCursor | undefined;
  for (;;) {
    const limit = Math.min(opts.pageRows, LOG_FIELDS_PAGE_MAX, opts.max - read);
    if (limit <= 0) return { read, complete: (await store.logFields(captureId, log, paths, { after, limit: 1 })).length === 0 };
    const rows = await store.logFields(captureId, log, paths, { after, limit });
    for (const r of rows) each(r.ts, r.values);
    read += rows.length;
    if (rows.length < limit) return { read, complete: true };
    const last = rows[rows.length - 1];
    after = { ts: last.ts, id: last.id };
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** A failure of the query's making (server timeout, a value the database refuses): answered, not thrown. */
export class LogViewQueryError extends Error {}

export async function logRows(b: LogRowsBackend, cache: LogViewCache, captureId: string, log: string, query: LogRowsQuery = {}): Promise<LogRowsResult> {
  const { limit, offset } = pageOf(query);
  const compiled = compileLogView({ captureId, log, q: query.q, sort: query.sort }, b.dialect, query.viewer);
  if (!compiled.ok) return { rows: [], total: 0, error: compiled.error };
  const capture = await b.capture(captureId, query.viewer);
  if (!capture) return { rows: [], total: 0 };
  const view = compiled.view;
  // The plain view near its start pages by index (only its count is kept); anywhere else, by ids.
  const byIndex = view.plain && offset + limit <= LOG_VIEW_PLAIN_OFFSET_MAX;
  const key = logViewKey(capture, log, query.q?.trim() ?? '', query.sort ?? 'ts') + (byIndex ? '' : ' ids');
  let entry: LogViewEntry;
  try {
    entry = await cache.get(key, async () => {
      if (byIndex) return { total: await b.countLog(capture.id, log) };
      const ids = await b.ids(view.ids.sql, view.ids.params, LOG_VIEW_MAX_ROWS + 1);
      if (ids.length <= LOG_VIEW_MAX_ROWS) return { total: ids.length, ids };
      // Too large to keep: only its size is remembered (the plain view's true count: it still
      // pages by index; any other is refused at once when asked again).
      return { total: view.plain ? await b.countLog(capture.id, log) : ids.length };
    });
  } catch (e) {
    if (!(e instanceof LogViewQueryError)) throw e;
    return { rows: [], total: 0, error: { position: 0, expected: '', message: e.message } };
  }
  if (entry.ids) {
    const ids = pageIds(entry.ids, offset, limit);
    return { rows: ids.length ? inIdOrder(ids, await b.byIds(capture.id, ids)) : [], total: entry.total };
  }
  if (!view.plain) {
    return { rows: [], total: 0, error: { position: 0, expected: 'a narrower filter', message: `more than ${LOG_VIEW_MAX_ROWS.toLocaleString('en-US')} records match: narrow the filter (without one, the whole log pages by ts)` } };
  }
  const rows = await b.records(capture.id, log, { limit, offset, sort: view.desc ? '-ts' : 'ts', viewer: query.viewer });
  return { rows, total: entry.total };
}
