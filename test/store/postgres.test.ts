/**
 * The PostgreSQL backend on a real server (scripts/pg.sh's private cluster, a fresh database per
 * run): what only PostgreSQL can get wrong — COPY escaping, JSONB's refusals (NUL, lone surrogates),
 * migrations, hash partitions — on real captures and hostile strings.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { MIGRATIONS, RECORD_PARTITIONS } from '../../src/store/postgres/migrations.js';
import { jsonLine } from '../../src/engine/logs/json-writer.js';
import type { LogSchema, RecordSink } from '../../src/engine/logs/schema.js';
import { CONN_LOG } from '../../src/engine/logs/conn-log.js';
import type { CaptureMeta } from '../../src/store/store.js';
import { pcap, run } from '../helpers.js';
import { analyze } from '../../src/engine/pipeline.js';
import { testServer, type TestServer } from './pg-server.js';
import { PgImport, PG_BATCH_RECORDS } from '../../src/store/postgres/pg-import.js';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { storeSuite } from './suite.js';
import type { Store } from '../../src/store/store.js';

const spillDirsBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('capdex-pg-spill-'));
let server: Promise<TestServer> | undefined;
const cluster = (): Promise<TestServer> => (server ??= testServer());
after(async () => { if (server) await (await server).release(); });

/** A fresh store: a new database on the test cluster. */
async function open(): Promise<PgStore> {
  return PgStore.open(await (await cluster()).database());
}

/** Rows of the capture, and rows pointing at records that no longer exist, straight from the tables. */
async function rowsOf(store: Store, captureId: string): Promise<Record<string, number>> {
  const pool = (store as PgStore).pool;
  const count = async (sql: string, ...p: unknown[]): Promise<number> => (await pool.query<{ n: number }>(sql, p)).rows[0].n;
  return {
    records: await count('SELECT count(*)::int AS n FROM records WHERE capture_id = $1', captureId),
    observables: await count('SELECT count(*)::int AS n FROM observables o JOIN captures c ON c.key = o.capture_key WHERE c.id = $1', captureId),
    file_sightings: await count('SELECT count(*)::int AS n FROM file_sightings WHERE capture_id = $1', captureId),
    captures: await count('SELECT count(*)::int AS n FROM captures WHERE id = $1', captureId),
    orphan_observables: await count(
      `SELECT count(*)::int AS n FROM observables o CROSS JOIN LATERAL unnest(o.record_ids) AS h(id)
       WHERE NOT EXISTS (SELECT 1 FROM records r JOIN captures c ON c.id = r.capture_id WHERE c.key = o.capture_key AND r.id = h.id)`),
    orphan_files: await count('SELECT count(*)::int AS n FROM files WHERE sha256 NOT IN (SELECT sha256 FROM file_sightings)'),
  };
}

storeSuite('PostgreSQL', open, { rowsOf });

const DOC_LOG: LogSchema = { path: 'hostile', doc: 'test documents', fields: [], document: true };

function meta(id: string, name = `${id}.pcap`): CaptureMeta {
  return { id: id.padEnd(64, '0'), md5: id.padEnd(32, '1'), sha1: id.padEnd(40, '2'), size: 1234, name };
}

describe('PostgreSQL store (PG specifics)', () => {
  let url: string;
  let store: PgStore;
  before(async () => {
    url = await (await cluster()).database();
    store = await PgStore.open(url);
  });
  after(async () => {
    await store?.close();
  });

  it('runs its migrations once and partitions records by capture', async () => {
    const again = await PgStore.open(url); // a second open finds the schema current
    await again.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const v = await c.query('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(v.rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
      const parts = await c.query("SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'records'::regclass");
      assert.equal(parts.rows[0].n, RECORD_PARTITIONS);
    } finally {
      await c.end();
    }
  });

  it('stores every record of a real capture and gives each back as the engine wrote it', async () => {
    const file = pcap('mixed-arkime-synthetic-many-protocols.pcap');
    const expected = await run(file);
    const res = await store.importCapture(meta('aa01'), async (sink) => {
      const r = await analyze(file, sink);
      return { packets: r.stats.packets, firstTs: 1, lastTs: 2 };
    });
    let total = 0;
    for (const [path, recs] of expected.sink.records) {
      total += recs.length;
      const back = await store.records(meta('aa01').id, path, { limit: 10_000 });
      assert.equal(back.length, recs.length, `${path}: record count`);
      // Same order (ts, then insertion): compare each document with the engine's own JSON.
      if (path === 'conn') {
        const want = recs.map((r) => JSON.parse(jsonLine(CONN_LOG, r)) as unknown).sort(byTsUid);
        assert.deepEqual(back.map((r) => r.doc).sort(byTsUid), want);
      }
    }
    assert.equal(res.records, total);
    const row = await store.capture(meta('aa01').id);
    assert.equal(row?.recordCount, total);
    assert.equal(row?.status, 'done');
  });

  it('reads a page of a log, either direction, as an index range: no sort of the whole log', async () => {
    // The statements store.records really sends (captured), explained on the capture imported above.
    const sent: { text: string; values: unknown[] }[] = [];
    const pool = store.pool;
    const query = pool.query.bind(pool);
    pool.query = ((text: string, values: unknown[]) => { sent.push({ text, values }); return query(text, values); }) as typeof pool.query;
    try {
      await store.records(meta('aa01').id, 'conn', { limit: 10, offset: 20 });
      await store.records(meta('aa01').id, 'conn', { limit: 10, offset: 20, sort: '-ts' });
    } finally {
      pool.query = query;
    }
    assert.equal(sent.length, 2);
    for (const { text, values } of sent) {
      const plan = JSON.stringify((await pool.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows[0]['QUERY PLAN']);
      assert.doesNotMatch(plan, /"Node Type":"Sort"/, text);
      assert.match(plan, /"Index Name":"records_p\d+_capture_id_log_ts_id_idx"/, text);
    }
  });

  it('keeps NUL, lone surrogates, quotes, tabs, backslashes, 1 MB values and U+E000 unchanged', async () => {
    const hostile = [
      'a\u0000b', '\u0000', 'x\ud800y', '\udc00', '\ud83d\ude00 ok', "'; DROP TABLE records; --", 'tab\there\nnl\r\\N',
      '\\u0000 literally', '\uE000', '\uE0000', 'é中文', 'q"uote', 'x'.repeat(1024 * 1024),
    ];
    await store.importCapture(meta('bb02'), async (sink) => {
      hostile.forEach((s, i) => sink.write(DOC_LOG, { ts: 100 + i, uid: s, community_id: s, [s.slice(0, 50)]: s, nested: { v: [s] } }));
    });
    const back = await store.records(meta('bb02').id, 'hostile');
    assert.equal(back.length, hostile.length);
    back.forEach((r, i) => {
      assert.deepEqual(r.doc, { ts: 100 + i, uid: hostile[i], community_id: hostile[i], [hostile[i].slice(0, 50)]: hostile[i], nested: { v: [hostile[i]] } });
    });
    // The uid column: NUL kept; a 1 MB uid is cut to the indexable prefix and still found by it.
    assert.equal(back[0].uid, 'a\u0000b');
    const big = hostile[hostile.length - 1];
    const byUid = await store.records(meta('bb02').id, 'hostile', { uid: big });
    assert.equal(byUid.length, 1);
    assert.equal(byUid[0].doc.uid, big);
  });

  it('replaces on re-import and keeps the earlier import when a new one fails midway', async () => {
    const m = meta('cc03');
    const write = (n: number, tag: string) => async (sink: RecordSink) => {
      for (let i = 0; i < n; i++) sink.write(DOC_LOG, { ts: i, tag });
    };
    const first = await store.importCapture(m, write(40_000, 'one')); // more than one COPY batch
    assert.equal(first.replaced, false);
    const second = await store.importCapture(m, write(30_000, 'two'));
    assert.equal(second.replaced, true);
    assert.equal((await store.capture(m.id))?.recordCount, 30_000);
    await assert.rejects(store.importCapture(m, async (sink) => {
      for (let i = 0; i < 50_000; i++) sink.write(DOC_LOG, { ts: i, tag: 'three' });
      await new Promise((r) => setTimeout(r, 50)); // let batches reach the server before failing
      throw new Error('analysis failed');
    }), /analysis failed/);
    const rows = await store.records(m.id, 'hostile', { limit: 10_000 });
    assert.equal(rows.length, 10_000);
    assert.ok(rows.every((r) => r.doc.tag === 'two'));
    assert.equal((await store.capture(m.id))?.recordCount, 30_000);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const n = await c.query('SELECT count(*)::int AS n FROM records WHERE capture_id = $1', [m.id]);
    await c.end();
    assert.equal(n.rows[0].n, 30_000);
  });

  it('deletes a capture with everything of it', async () => {
    const m = meta('dd04');
    await store.importCapture(m, async (sink) => { sink.write(DOC_LOG, { ts: 1 }); });
    assert.equal(await store.deleteCapture(m.id.slice(0, 10)), true);
    assert.equal(await store.capture(m.id), undefined);
    assert.deepEqual(await store.records(m.id, 'hostile'), []);
    assert.equal(await store.deleteCapture(m.id), false);
  });
});

function byTsUid(a: unknown, b: unknown): number {
  const x = a as { ts: number; uid?: string };
  const y = b as { ts: number; uid?: string };
  return x.ts - y.ts || String(x.uid).localeCompare(String(y.uid));
}

describe('PostgreSQL import queue', () => {
  it('queues batches on disk past its memory bound and still stores every record once, in one transaction', async () => {
    const store = await open();
    const client = await store.pool.connect();
    try {
      const id = 'e'.repeat(64);
      await client.query('BEGIN');
      const sink = new PgImport(client, id, 1, 1); // a 1-byte memory bound: every batch waits on disk
      await sink.start();
      const n = PG_BATCH_RECORDS * 3 + 5;
      for (let i = 0; i < n; i++) sink.write(DOC_LOG, { ts: i, n: i, v: 'x'.repeat(i % 50) });
      await sink.finish();
      await client.query('COMMIT');
      assert.ok(sink.spilledBatches >= 2, `spilled ${sink.spilledBatches}`);
      const r = await client.query<{ n: number; distinct_n: number; sum: string }>(
        "SELECT count(*)::int AS n, count(DISTINCT (doc->>'n'))::int AS distinct_n, sum((doc->>'n')::bigint)::text AS sum FROM records WHERE capture_id = $1", [id]);
      assert.equal(r.rows[0].n, n);
      assert.equal(r.rows[0].distinct_n, n);
      assert.equal(r.rows[0].sum, String((n * (n - 1)) / 2));
      assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith('capdex-pg-spill-') && spillDirsBefore.indexOf(f) < 0), [], 'spill file removed');
    } finally {
      client.release();
      await store.close();
    }
  });
});
