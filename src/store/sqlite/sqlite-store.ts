/**
 * The embedded store: one SQLite file (better-sqlite3, WAL). Two connections: a writer that holds
 * one transaction per import (across the engine's awaits), and a reader for every query, which in
 * WAL mode sees only committed data, so nobody ever reads half an import.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RecordSink } from '../../engine/logs/schema.js';
import type {
  ApiKey, CaptureFacts, CaptureFilter, CaptureMeta, CaptureRow, ImportResult, ObservableType, PivotHit, PivotOptions,
  LogRowsQuery, LogRowsResult, RecordQuery, SearchOptions, SearchResult, Store, StoredRecord, Viewer,
} from '../store.js';
import { committedHashes } from '../store.js';
import { notHiddenSql, visibleCaptureSql } from '../visibility.js';
import { captureTimeConditions } from '../capture-filter.js';
import { API_KEY_COLUMNS, type ApiKeyDbRow, cleanKeyName, hashSecret, KEY_SECRET_MAX_CHARS, makeKey, toApiKey } from '../api-keys.js';
import { migrate } from './migrations.js';
import { reuseStatements } from './statement-cache.js';
import { INTEL_CAPTURE_TABLES, IntelStore } from '../intel/intel-store.js';
import { sqliteIntelDb } from '../intel/sqlite-intel-db.js';
import { SqliteBatchWriter } from './batch-writer.js';
import { normaliseObservable } from '../observables.js';
import { OBSERVABLE_ROW_IDS_MAX } from '../limits.js';
import { pageOf } from '../paging.js';
import { searchSqlite } from './sqlite-search.js';
import { sqliteLogRows } from './sqlite-log-rows.js';
import { logFields, logRows, type LogRowsBackend } from '../log-rows.js';
import { LogViewCache } from '../log-view-cache.js';
import { type RecordDbRow, toStoredRecord } from './record-row.js';

interface CaptureDbRow {
  id: string; md5: string; sha1: string; size: number; format: string | null; link_types: string | null;
  first_ts: number | null; last_ts: number | null; packets: number | null; name: string; submitter: string | null;
  visibility: string; status: string; error: string | null; imported_at: number; stats: string | null; record_count: number;
}

function toCaptureRow(r: CaptureDbRow): CaptureRow {
  const row: CaptureRow = {
    id: r.id, md5: r.md5, sha1: r.sha1, size: r.size, name: r.name,
    visibility: r.visibility === 'public' ? 'public' : 'private',
    status: r.status === 'done' || r.status === 'failed' ? r.status : 'importing',
    importedAt: r.imported_at, recordCount: r.record_count,
  };
  if (r.submitter !== null) row.submitter = r.submitter;
  if (r.format !== null) row.format = r.format;
  if (r.link_types !== null) row.linkTypes = JSON.parse(r.link_types) as number[];
  if (r.first_ts !== null) row.firstTs = r.first_ts;
  if (r.last_ts !== null) row.lastTs = r.last_ts;
  if (r.packets !== null) row.packets = r.packets;
  if (r.error !== null) row.error = r.error;
  if (r.stats !== null) row.stats = JSON.parse(r.stats) as unknown;
  return row;
}

const RECORD_COLUMNS = 'r.id, r.capture_id, r.log, r.ts, r.uid, r.community_id, r.doc';

export class SqliteStore implements Store {
  /** Imports and deletes, one at a time (the writer's transaction spans awaits). */
  private queue: Promise<unknown> = Promise.resolve();

  readonly intel: IntelStore;

  private constructor(private readonly db: Database.Database, private readonly reader: Database.Database) {
    // Intel writes queue behind imports: never inside an import's open transaction.
    this.intel = new IntelStore(sqliteIntelDb(db, reader, (fn) => this.exclusive(fn)));
  }

  static async open(path: string): Promise<SqliteStore> {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL: a power cut may lose the last commits but never corrupts; imports are re-runnable.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 10000');
    // 128 MiB: an import's random inserts into the observables/uid indexes re-read evicted pages
    // (300k generated records: 1.49M page reads+writes at 64 MiB, 0.81M at 128, 0.77M at 256).
    db.pragma('cache_size = -131072');
    db.pragma('temp_store = MEMORY');
    migrate(db);
    // Every read the API serves runs here: its statements are compiled once (statement-cache.ts).
    const reader = reuseStatements(new Database(path, { readonly: true }));
    reader.pragma('busy_timeout = 10000');
    reader.pragma('cache_size = -32768');
    return new SqliteStore(db, reader);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  importCapture(meta: CaptureMeta, produce: (sink: RecordSink) => Promise<CaptureFacts | void>): Promise<ImportResult> {
    return this.exclusive(async () => {
      const db = this.db;
      db.exec('BEGIN IMMEDIATE');
      try {
        const replaced = this.remove(meta.id);
        // Keys are never taken by two captures at once: the writer lock is ours until COMMIT.
        const key = (db.prepare('SELECT coalesce(max(key), 0) + 1 AS k FROM captures').get() as { k: number }).k;
        const writer = new SqliteBatchWriter(db, meta.id, key);
        let closed = false;
        // Records written after produce() returned or failed must not land in someone else's transaction.
        const sink: RecordSink = { write: (s, r) => { if (!closed) writer.write(s, r); } };
        let facts: CaptureFacts;
        try {
          facts = (await produce(sink)) ?? {};
        } finally {
          closed = true;
        }
        const ranges = writer.finish();
        const { md5, sha1 } = committedHashes(meta, facts);
        db.prepare(`INSERT INTO captures (id, md5, sha1, size, format, link_types, first_ts, last_ts, packets, name,
            submitter, visibility, status, error, imported_at, stats, record_count, record_lo, record_hi, observable_lo, observable_hi, key)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'done', NULL, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
          meta.id, md5, sha1, meta.size, facts.format ?? meta.format ?? null,
          facts.linkTypes ? JSON.stringify(facts.linkTypes) : null, finite(facts.firstTs), finite(facts.lastTs),
          facts.packets ?? null, meta.name, meta.submitter ?? null, meta.visibility ?? 'private', Date.now() / 1000,
          facts.stats === undefined ? null : JSON.stringify(facts.stats), writer.recordCount,
          ranges.recordLo, ranges.recordHi, ranges.observableLo, ranges.observableHi, key);
        db.exec('COMMIT');
        return { captureId: meta.id, records: writer.recordCount, observables: writer.observableCount, replaced };
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  /** Deletes every row of a capture, inside the caller's transaction; true when it existed. */
  private remove(id: string): boolean {
    const db = this.db;
    const c = db.prepare('SELECT record_lo, record_hi, observable_lo, observable_hi, key FROM captures WHERE id = ?').get(id) as
      { record_lo: number | null; record_hi: number | null; observable_lo: number | null; observable_hi: number | null; key: number } | undefined;
    if (!c) return false;
    // Rowid ranges (batch-writer.ts) walk the tables' own B-trees; capture_id guards against any overlap.
    const [rlo, rhi] = [c.record_lo ?? 1, c.record_hi ?? 0];
    db.prepare('DELETE FROM records_fts WHERE rowid BETWEEN ? AND ?').run(rlo, rhi);
    db.prepare('DELETE FROM observables WHERE rowid BETWEEN ? AND ? AND capture_key = ?').run(c.observable_lo ?? 1, c.observable_hi ?? 0, c.key);
    // A file stays while another capture still shows it.
    db.prepare(`DELETE FROM files WHERE sha256 IN (SELECT sha256 FROM file_sightings WHERE capture_id = ?)
      AND sha256 NOT IN (SELECT sha256 FROM file_sightings WHERE capture_id <> ?)`).run(id, id);
    db.prepare('DELETE FROM file_sightings WHERE capture_id = ?').run(id);
    db.prepare('DELETE FROM records WHERE id BETWEEN ? AND ? AND capture_id = ?').run(rlo, rhi, id);
    db.prepare('DELETE FROM captures WHERE id = ?').run(id);
    return true;
  }

  deleteCapture(id: string): Promise<boolean> {
    return this.exclusive(async () => {
      const found = await this.capture(id);
      if (!found) return false;
      return this.db.transaction(() => {
        for (const t of INTEL_CAPTURE_TABLES) this.db.prepare(`DELETE FROM ${t} WHERE capture_id = ?`).run(found.id);
        return this.remove(found.id);
      }).immediate();
    });
  }

  async captureCount(): Promise<number> {
    return (this.reader.prepare('SELECT count(*) AS n FROM captures').get() as { n: number }).n;
  }

  async captures(filter: CaptureFilter = {}): Promise<CaptureRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.submitter !== undefined) { where.push('submitter = ?'); params.push(filter.submitter); }
    if (filter.visibility !== undefined) { where.push('visibility = ?'); params.push(filter.visibility); }
    where.push(...captureTimeConditions(filter, (v) => { params.push(v); return '?'; }));
    const visible = visibleCaptureSql(filter.viewer, '', (v) => { params.push(v); return '?'; });
    if (visible !== undefined) where.push(visible);
    const { limit, offset } = pageOf(filter);
    const sql = `SELECT * FROM captures ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY imported_at ${filter.order === 'oldest' ? 'ASC' : 'DESC'}, id LIMIT ? OFFSET ?`;
    return (this.reader.prepare(sql).all(...params, limit, offset) as CaptureDbRow[]).map(toCaptureRow);
  }

  async capture(id: string, viewer?: Viewer): Promise<CaptureRow | undefined> {
    const key = id.trim().toLowerCase();
    if (!/^[0-9a-f]{8,64}$/.test(key)) return undefined;
    // Captures the viewer may not see do not exist for it: not even as a second prefix match.
    const vParams: unknown[] = [];
    const visible = visibleCaptureSql(viewer, '', (v) => { vParams.push(v); return '?'; });
    const and = visible === undefined ? '' : ` AND ${visible}`;
    const find = (where: string, ...params: unknown[]): CaptureDbRow[] =>
      this.reader.prepare(`SELECT * FROM captures WHERE ${where}${and} LIMIT 2`).all(...params, ...vParams) as CaptureDbRow[];
    let rows: CaptureDbRow[];
    if (key.length === 64) rows = find('id = ?', key);
    else if (key.length === 40) rows = find('sha1 = ?', key);
    else if (key.length === 32) rows = find('md5 = ?', key);
    else rows = [];
    if (rows.length === 0) {
      // An id prefix: a range scan on the primary key ('g' sorts after every hex digit).
      rows = find('id >= ? AND id < ?', key, key + 'g');
    }
    return rows.length === 1 ? toCaptureRow(rows[0]) : undefined;
  }

  async pivot(type: ObservableType, value: string, page: PivotOptions = {}): Promise<PivotHit[]> {
    const v = normaliseObservable(type, value);
    if (v === undefined) return [];
    const { limit, offset } = pageOf(page);
    // The condition goes into each branch with its own copy of the parameter (it appears once or twice).
    const viewerParams: unknown[] = [];
    const visible = visibleCaptureSql(page.viewer, 'c', (p) => { viewerParams.push(p); return '?'; });
    const andVisible = visible === undefined ? '' : ` AND ${visible}`;
    const captureCols = 'c.name AS c_name, c.first_ts AS c_first_ts, c.last_ts AS c_last_ts, c.visibility AS c_visibility';
    // One observables row holds every record of its capture with that value (observable-groups.ts):
    // json_each unpacks its ids. The page of hits is found first, then only its records are read.
    const fromObservables = `FROM observables o JOIN captures c ON c.key = o.capture_key, json_each(o.record_ids) j
      WHERE o.type = ? AND o.value = ?${andVisible}`;
    let hits: string;
    let params: unknown[];
    if (type === 'uid' || type === 'community_id') {
      // The record's own uid / community_id are columns; other connections' uids (dhcp.uids, ...) are observables.
      const column = type === 'uid' ? 'uid' : 'community_id';
      hits = `SELECT * FROM (
          SELECT r.id AS hit, '${column}' AS field, 0 AS k, ${captureCols} FROM records r JOIN captures c ON c.id = r.capture_id
            WHERE r.${column} = ?${andVisible}
          UNION ALL
          SELECT j.value AS hit, o.field AS field, 0 AS k, ${captureCols} ${fromObservables})
        ORDER BY hit DESC, field LIMIT ? OFFSET ?`;
      params = [v, ...viewerParams, type, v, ...viewerParams, limit, offset];
    } else {
      // Index order (type, value, rowid) read backwards: the most recently stored capture first, each
      // row's ids newest first (a sort of one row's ids at a time, never of all the value's hits).
      hits = `SELECT j.value AS hit, o.field AS field, o.rowid * ${OBSERVABLE_ROW_IDS_MAX} + j.key AS k, ${captureCols} ${fromObservables}
        ORDER BY o.rowid DESC, j.key DESC LIMIT ? OFFSET ?`;
      params = [type, v, ...viewerParams, limit, offset];
    }
    const rows = this.reader.prepare(`WITH hits AS (${hits})
      SELECT ${RECORD_COLUMNS}, hits.field, hits.c_name, hits.c_first_ts, hits.c_last_ts, hits.c_visibility
      FROM hits JOIN records r ON r.id = hits.hit ORDER BY hits.k DESC, hits.hit DESC, hits.field`).all(...params) as
      (RecordDbRow & { field: string; c_name: string; c_first_ts: number | null; c_last_ts: number | null; c_visibility: string })[];
    return rows.map((r) => {
      const capture: PivotHit['capture'] = { id: r.capture_id, name: r.c_name, visibility: r.c_visibility === 'public' ? 'public' : 'private' };
      if (r.c_first_ts !== null) capture.firstTs = r.c_first_ts;
      if (r.c_last_ts !== null) capture.lastTs = r.c_last_ts;
      return { capture, log: r.log, field: r.field, record: toStoredRecord(r) };
    });
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    return searchSqlite(this.reader, query, pageOf(opts), opts.viewer);
  }

  async records(captureId: string, log: string, q: RecordQuery = {}): Promise<StoredRecord[]> {
    const where = ['r.capture_id = ?', 'r.log = ?'];
    const params: unknown[] = [captureId, log];
    if (q.from !== undefined) { where.push('r.ts >= ?'); params.push(q.from); }
    if (q.to !== undefined) { where.push('r.ts <= ?'); params.push(q.to); }
    if (q.uid !== undefined) { where.push('r.uid = ?'); params.push(q.uid); }
    const visible = notHiddenSql(q.viewer, 'r.capture_id', (v) => { params.push(v); return '?'; });
    if (visible !== undefined) where.push(visible);
    const { limit, offset } = pageOf(q);
    const dir = q.sort === '-ts' ? 'DESC' : 'ASC';
    const rows = this.reader.prepare(`SELECT ${RECORD_COLUMNS} FROM records r WHERE ${where.join(' AND ')}
      ORDER BY r.ts ${dir}, r.id ${dir} LIMIT ? OFFSET ?`).all(...params, limit, offset) as RecordDbRow[];
    return rows.map(toStoredRecord);
  }

  private readonly logViews = new LogViewCache();
  private logRowsBackend?: LogRowsBackend;

  logRows(captureId: string, log: string, q: LogRowsQuery = {}): Promise<LogRowsResult> {
    this.logRowsBackend ??= sqliteLogRows(this.reader, this);
    return logRows(this.logRowsBackend, this.logViews, captureId, log, q);
  }

  logFields(...[captureId, log, paths, page]: Parameters<Store['logFields']>): ReturnType<Store['logFields']> {
    this.logRowsBackend ??= sqliteLogRows(this.reader, this);
    return logFields(this.logRowsBackend, captureId, log, paths, page);
  }

  async createKey(name: string, opts: { admin?: boolean } = {}): Promise<{ key: ApiKey; secret: string }> {
    const k = makeKey();
    const row: ApiKeyDbRow = { id: k.id, name: cleanKeyName(name), admin: opts.admin ? 1 : 0, created_at: Date.now() / 1000, revoked_at: null };
    // Through the writer's queue: an import's open transaction must not swallow (or roll back) the key.
    await this.exclusive(async () => {
      this.db.prepare('INSERT INTO api_keys (id, name, secret_sha256, admin, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(row.id, row.name, k.secretSha256, row.admin, row.created_at);
    });
    return { key: toApiKey(row), secret: k.secret };
  }

  async keyBySecret(secret: string): Promise<ApiKey | undefined> {
    if (secret.length > KEY_SECRET_MAX_CHARS) return undefined;
    const row = this.reader.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE secret_sha256 = ?`).get(hashSecret(secret)) as ApiKeyDbRow | undefined;
    return row && toApiKey(row);
  }

  async keys(): Promise<ApiKey[]> {
    return (this.reader.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`).all() as ApiKeyDbRow[]).map(toApiKey);
  }

  async revokeKey(id: string): Promise<boolean> {
    return this.exclusive(async () =>
      this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now() / 1000, id).changes > 0);
  }

  async close(): Promise<void> {
    await this.queue;
    this.reader.close();
    this.db.close();
  }
}

function finite(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}
