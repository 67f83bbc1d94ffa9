/**
 * The PostgreSQL backend of the Store (scale-out: many workers and API servers on one database).
 * Schema and why it differs from SQLite: migrations.ts. Bulk ingest: pg-import.ts (COPY).
 * Everything else is parameterised SQL here; text that PostgreSQL cannot hold (NUL, lone
 * surrogates) is escaped on the way in and decoded on the way out (pg-text.ts).
 */
import pg from 'pg';
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
import { INTEL_CAPTURE_TABLES, IntelStore } from '../intel/intel-store.js';
import { pgIntelDb } from '../intel/pg-intel-db.js';
import { PgImport } from './pg-import.js';
import { decodeJson, decodeText, encodeJson, encodeText, indexKey } from './pg-text.js';
import { captureFromRow, recordFromRow, type CaptureDbRow, type RecordDbRow } from './pg-rows.js';
import { normaliseObservable } from '../observables.js';
import { pageOf } from '../paging.js';
import { pgSearch } from './pg-search.js';
import { pgLogRows } from './pg-log-rows.js';
import { logFields, logRows, type LogRowsBackend } from '../log-rows.js';
import { LogViewCache } from '../log-view-cache.js';

const JSONB_OID = 3802;
const INT8_OID = 20;

/** Connections per store: imports hold one for their whole transaction; reads share the rest. */
const POOL_SIZE = 4;

/** Columns of a record as every read returns them. */
export const RECORD_SELECT = 'r.id, r.capture_id, r.log, r.ts, r.uid, r.community_id, r.doc';

export class PgStore implements Store {
  /** Imports on one Store run one after another (the interface's promise). */
  private importQueue: Promise<unknown> = Promise.resolve();

  readonly intel: IntelStore;

  private constructor(readonly pool: pg.Pool) {
    this.intel = new IntelStore(pgIntelDb(pool));
  }

  static async open(url: string): Promise<PgStore> {
    const types = {
      getTypeParser(oid: number, format?: 'text' | 'binary') {
        // JSONB: decode our escapes before parsing. int8: ids and counts stay far below 2^53.
        if (oid === JSONB_OID) return (s: string) => JSON.parse(decodeJson(s)) as unknown;
        if (oid === INT8_OID) return (s: string) => Number(s);
        return pg.types.getTypeParser(oid, format);
      },
    } as pg.CustomTypesConfig;
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types });
    // An idle connection's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const client = await pool.connect();
    try {
      await migrate(client);
    } catch (err) {
      client.release();
      await pool.end();
      throw err;
    }
    client.release();
    return new PgStore(pool);
  }

  importCapture(meta: CaptureMeta, produce: (sink: RecordSink) => Promise<CaptureFacts | void>): Promise<ImportResult> {
    const run = this.importQueue.then(() => this.importNow(meta, produce));
    this.importQueue = run.catch(() => {});
    return run;
  }

  private async importNow(meta: CaptureMeta, produce: (sink: RecordSink) => Promise<CaptureFacts | void>): Promise<ImportResult> {
    const client = await this.pool.connect();
    const id = encodeText(meta.id);
    let sink: PgImport | undefined;
    let broken = false;
    try {
      await client.query('BEGIN');
      // Another process importing the same capture waits here instead of interleaving.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [id]);
      const replaced = await deleteCaptureRows(client, id);
      // MD5/SHA-1 may come from produce (committedHashes): '' until then, inside this transaction only.
      const inserted = await client.query<{ key: number }>(
        `INSERT INTO captures (id, md5, sha1, size, format, name, submitter, visibility, status, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'importing', $9) RETURNING key`,
        [id, encodeText(meta.md5 ?? ''), encodeText(meta.sha1 ?? ''), meta.size, meta.format === undefined ? null : encodeText(meta.format),
          encodeText(meta.name), meta.submitter === undefined ? null : encodeText(meta.submitter), meta.visibility ?? 'private',
          Date.now() / 1000]);
      sink = new PgImport(client, meta.id, Number(inserted.rows[0].key));
      await sink.start();
      const facts = (await produce(sink)) ?? {};
      await sink.finish();
      const { md5, sha1 } = committedHashes(meta, facts);
      await client.query(
        `UPDATE captures SET status = 'done', format = COALESCE($2, format), link_types = $3, first_ts = $4, last_ts = $5,
           packets = $6, stats = $7, record_count = $8, md5 = $9, sha1 = $10 WHERE id = $1`,
        [id, facts.format === undefined ? null : encodeText(facts.format),
          facts.linkTypes === undefined ? null : JSON.stringify(facts.linkTypes), finiteOrNull(facts.firstTs), finiteOrNull(facts.lastTs),
          finiteOrNull(facts.packets), facts.stats === undefined ? null : encodeJson(JSON.stringify(facts.stats)), sink.records,
          encodeText(md5), encodeText(sha1)]);
      await client.query('COMMIT');
      return { captureId: meta.id, records: sink.records, observables: sink.observables, replaced };
    } catch (err) {
      // The connection must be idle before ROLLBACK: let a batch in flight finish (or fail).
      if (sink) await sink.settled();
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw err;
    } finally {
      client.release(broken); // a connection that cannot even roll back is closed, not reused
    }
  }

  async captureCount(): Promise<number> {
    return Number((await this.pool.query<{ n: string | number }>('SELECT count(*) AS n FROM captures')).rows[0].n);
  }

  async captures(filter: CaptureFilter = {}): Promise<CaptureRow[]> {
    const { limit, offset } = pageOf(filter);
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.submitter !== undefined) { params.push(encodeText(filter.submitter)); where.push(`submitter = $${params.length}`); }
    if (filter.visibility !== undefined) { params.push(filter.visibility); where.push(`visibility = $${params.length}`); }
    where.push(...captureTimeConditions(filter, (v) => { params.push(v); return `$${params.length}`; }));
    const visible = visibleCaptureSql(filter.viewer, '', pgParam(params));
    if (visible !== undefined) where.push(visible);
    const order = filter.order === 'oldest' ? 'imported_at ASC, id' : 'imported_at DESC, id';
    params.push(limit, offset);
    const res = await this.pool.query<CaptureDbRow>(
      `SELECT * FROM captures ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
    return res.rows.map(captureFromRow);
  }

  async capture(idOrHash: string, viewer?: Viewer): Promise<CaptureRow | undefined> {
    const key = idOrHash.trim().toLowerCase();
    // Hex digits only from here on: nothing else can reach a query, nor a LIKE pattern.
    if (!/^[0-9a-f]{8,64}$/.test(key)) return undefined;
    const column = key.length === 64 ? 'id' : key.length === 40 ? 'sha1' : key.length === 32 ? 'md5' : undefined;
    // Captures the viewer may not see do not exist for it: not even as a second prefix match.
    const find = async (where: string, value: string): Promise<CaptureDbRow[]> => {
      const params: unknown[] = [value];
      const visible = visibleCaptureSql(viewer, '', pgParam(params));
      const and = visible === undefined ? '' : ` AND ${visible}`;
      return (await this.pool.query<CaptureDbRow>(`SELECT * FROM captures WHERE ${where}${and} LIMIT 2`, params)).rows;
    };
    let rows: CaptureDbRow[] = [];
    if (column) rows = await find(`${column} = $1`, key);
    if (rows.length === 0) rows = await find('id LIKE $1', key + '%');
    return rows.length === 1 ? captureFromRow(rows[0]) : undefined;
  }

  async deleteCapture(idOrHash: string): Promise<boolean> {
    const found = await this.capture(idOrHash);
    if (!found) return false;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [encodeText(found.id)]);
      const deleted = await deleteCaptureRows(client, encodeText(found.id));
      for (const t of INTEL_CAPTURE_TABLES) await client.query(`DELETE FROM ${t} WHERE capture_id = $1`, [encodeText(found.id)]);
      await client.query('COMMIT');
      return deleted;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async pivot(type: ObservableType, value: string, page?: PivotOptions): Promise<PivotHit[]> {
    const { limit, offset } = pageOf(page ?? {});
    const norm = normaliseObservable(type, value);
    if (norm === undefined) return [];
    const values: unknown[] = [type, indexKey(norm), limit, offset];
    // $5 (when there is a key) is used by both branches of the uid/community_id union.
    const visible = visibleCaptureSql(page?.viewer, 'c', pgParam(values));
    const andVisible = visible === undefined ? '' : ` AND ${visible}`;
    const select = `SELECT ${RECORD_SELECT}, c.name AS c_name, c.first_ts AS c_first_ts, c.last_ts AS c_last_ts, c.visibility AS c_visibility`;
    // One observables row holds every record of its capture with that value (observable-groups.ts):
    // the page of hits is found from the unnested ids first (a top-N sort of the ids, no record
    // read), then only its records are joined, on (capture_id, id): each lookup prunes to the
    // record's one hash partition.
    const captureCols = 'c.name AS c_name, c.first_ts AS c_first_ts, c.last_ts AS c_last_ts, c.visibility AS c_visibility';
    const fromObservables = `SELECT h.id AS hit, c.id AS capture_id, o.field, ${captureCols}
       FROM observables o CROSS JOIN LATERAL unnest(o.record_ids) AS h(id)
       JOIN captures c ON c.key = o.capture_key
       WHERE o.type = $1 AND o.value = $2${andVisible}`;
    let hits = `${fromObservables} ORDER BY hit DESC, o.field LIMIT $3 OFFSET $4`;
    if (type === 'uid' || type === 'community_id') {
      // A record's own uid / community_id are columns; other connections' uids (dhcp.uids, ...) are observables.
      const column = type === 'uid' ? 'uid' : 'community_id';
      hits = `SELECT * FROM (SELECT r.id AS hit, r.capture_id, '${column}' AS field, ${captureCols}
               FROM records r JOIN captures c ON c.id = r.capture_id WHERE r.${column} = $2${andVisible}
               UNION ALL ${fromObservables}) u
             ORDER BY hit DESC, field LIMIT $3 OFFSET $4`;
    }
    const sql = `WITH hits AS MATERIALIZED (${hits})
      SELECT ${RECORD_SELECT}, hits.field, hits.c_name, hits.c_first_ts, hits.c_last_ts, hits.c_visibility
      FROM hits JOIN records r ON r.capture_id = hits.capture_id AND r.id = hits.hit
      ORDER BY hits.hit DESC, hits.field`;
    type HitRow = RecordDbRow & { field: string; c_name: string | null; c_first_ts: number | null; c_last_ts: number | null; c_visibility: string };
    const client = await this.pool.connect();
    let res: pg.QueryResult<HitRow>;
    try {
      // A pivot reads one page through indexes: parallel workers only add their start-up (measured
      // 200 ms for a hot address on a busy machine). Named statements: planned once per connection.
      await client.query('BEGIN READ ONLY');
      await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
      // One prepared statement per shape: the viewer condition changes the text (none, public only, public or $5).
      const shape = visible === undefined ? 'all' : values.length > 4 ? 'key' : 'public';
      res = await client.query<HitRow>({ name: `${type === 'uid' || type === 'community_id' ? `capdex_pivot_${type}` : 'capdex_pivot'}_${shape}`,
        text: sql, values });
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    return res.rows.map((row) => {
      const capture: PivotHit['capture'] = {
        id: decodeText(row.capture_id), name: decodeText(row.c_name ?? ''), visibility: row.c_visibility === 'public' ? 'public' : 'private',
      };
      if (row.c_first_ts !== null) capture.firstTs = row.c_first_ts;
      if (row.c_last_ts !== null) capture.lastTs = row.c_last_ts;
      return { capture, log: decodeText(row.log), field: decodeText(row.field), record: recordFromRow(row) };
    });
  }

  search(query: string, opts?: SearchOptions): Promise<SearchResult> {
    return pgSearch(this.pool, query, pageOf(opts ?? {}), opts?.viewer);
  }

  async records(captureId: string, log: string, query: RecordQuery = {}): Promise<StoredRecord[]> {
    const { limit, offset } = pageOf(query);
    const params: unknown[] = [encodeText(captureId), encodeText(log)];
    const where = ['r.capture_id = $1', 'r.log = $2'];
    if (query.from !== undefined) { params.push(query.from); where.push(`r.ts >= $${params.length}`); }
    if (query.to !== undefined) { params.push(query.to); where.push(`r.ts <= $${params.length}`); }
    if (query.uid !== undefined) { params.push(indexKey(query.uid)); where.push(`r.uid = $${params.length}`); }
    const visible = notHiddenSql(query.viewer, 'r.capture_id', pgParam(params));
    if (visible !== undefined) where.push(visible);
    const order = query.sort === '-ts' ? 'r.ts DESC NULLS LAST, r.id DESC' : 'r.ts ASC NULLS FIRST, r.id ASC';
    params.push(limit, offset);
    const res = await this.pool.query<RecordDbRow>(
      `SELECT ${RECORD_SELECT} FROM records r WHERE ${where.join(' AND ')}
       ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
    return res.rows.map(recordFromRow);
  }

  private readonly logViews = new LogViewCache();
  private logRowsBackend?: LogRowsBackend;

  logRows(captureId: string, log: string, q: LogRowsQuery = {}): Promise<LogRowsResult> {
    this.logRowsBackend ??= pgLogRows(this.pool, RECORD_SELECT, this);
    return logRows(this.logRowsBackend, this.logViews, captureId, log, q);
  }

  logFields(...[captureId, log, paths, page]: Parameters<Store['logFields']>): ReturnType<Store['logFields']> {
    this.logRowsBackend ??= pgLogRows(this.pool, RECORD_SELECT, this);
    return logFields(this.logRowsBackend, captureId, log, paths, page);
  }

  async createKey(name: string, opts: { admin?: boolean } = {}): Promise<{ key: ApiKey; secret: string }> {
    const k = makeKey();
    const res = await this.pool.query<ApiKeyDbRow>(
      `INSERT INTO api_keys (id, name, secret_sha256, admin, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${API_KEY_COLUMNS}`,
      [k.id, encodeText(cleanKeyName(name)), k.secretSha256, opts.admin === true, Date.now() / 1000]);
    return { key: keyFromRow(res.rows[0]), secret: k.secret };
  }

  async keyBySecret(secret: string): Promise<ApiKey | undefined> {
    if (secret.length > KEY_SECRET_MAX_CHARS) return undefined;
    const res = await this.pool.query<ApiKeyDbRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE secret_sha256 = $1`, [hashSecret(secret)]);
    return res.rows.length === 1 ? keyFromRow(res.rows[0]) : undefined;
  }

  async keys(): Promise<ApiKey[]> {
    return (await this.pool.query<ApiKeyDbRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`)).rows.map(keyFromRow);
  }

  async revokeKey(id: string): Promise<boolean> {
    const res = await this.pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [Date.now() / 1000, encodeText(id)]);
    return (res.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.importQueue;
    await this.pool.end();
  }
}

/** A placeholder maker for visibility.ts: pushes the (escaped) value, answers `$n`. */
function pgParam(params: unknown[]): (value: string) => string {
  return (value) => { params.push(encodeText(value)); return `$${params.length}`; };
}

function keyFromRow(r: ApiKeyDbRow): ApiKey {
  return toApiKey({ ...r, name: decodeText(r.name) });
}

function finiteOrNull(n: number | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** Everything of one capture, inside the caller's transaction; true when the capture existed. */
async function deleteCaptureRows(client: pg.PoolClient, id: string): Promise<boolean> {
  const had = await client.query<{ key: number }>('DELETE FROM captures WHERE id = $1 RETURNING key', [id]);
  for (const r of had.rows) await client.query('DELETE FROM observables WHERE capture_key = $1', [r.key]);
  await client.query('DELETE FROM records WHERE capture_id = $1', [id]);
  const sightings = await client.query<{ sha256: string }>('DELETE FROM file_sightings WHERE capture_id = $1 RETURNING sha256', [id]);
  if (sightings.rows.length > 0) {
    // A file seen only in this capture goes with it.
    await client.query(
      `DELETE FROM files f WHERE f.sha256 = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM file_sightings s WHERE s.sha256 = f.sha256)`,
      [[...new Set(sightings.rows.map((r) => r.sha256))]]);
  }
  return (had.rowCount ?? 0) > 0;
}

