/**
 * Migrations 7 (one observables row per value and capture, record ids packed) and 8 (rows name
 * their capture by an integer key) on both backends: a
 * store written in the previous layout (one row per record and value), with real captures in it,
 * is migrated on open and then answers every pivot and search exactly as a store written in the
 * new layout does; its rows hold the same references; a value seen in more records than one row
 * holds (in a log no search names) is cut into rows of OBSERVABLE_ROW_IDS_MAX ids; deleting a capture afterwards leaves nothing.
 *
 * The old layout is made from a new store by expanding its rows back (the SQL of migration 1's
 * observables table), so both sides hold the same captures byte for byte.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type ObservableType, type Store } from '../../src/store/store.js';
import { importCaptureFile } from '../../src/cli/capture-import.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { OBSERVABLE_ROW_IDS_MAX } from '../../src/store/limits.js';
import { pcap } from '../helpers.js';
import { testServer, type TestServer } from './pg-server.js';

const CAPTURES = ['link-ipv4-linktype228.pcap', 'link-raw-ipv6.pcap', 'mixed-arkime-synthetic-many-protocols.pcap'];
const SEARCHES = [
  'dns.query:*', 'dns.query:*.com', 'dns.query:example.com', 'id.resp_h:10.0.0.0/8', 'id.orig_h:192.168.0.0/16',
  'http.user_agent:*', 'ssl.server_name:* | count', 'log:dns | count by dns.query', 'id.resp_h:* | count by log',
  'http.host:* AND id.resp_h:[0.0.0.0 TO 255.255.255.255]', 'NOT dns.query:example.com AND log:dns | count',
];
/** Record ids of the synthetic value seen in more records than one row holds. */
const MANY = OBSERVABLE_ROW_IDS_MAX + 904;

interface Answers { pivots: unknown[]; searches: unknown[] }

/** Every distinct (type, value) pivoted (all hits, in order) and every search's rows or aggregation. */
async function answers(store: Store, values: readonly { type: string; value: string }[]): Promise<Answers> {
  const pivots: unknown[] = [];
  for (const { type, value } of values) {
    const hits = await store.pivot(type as ObservableType, value, { limit: 10_000 });
    pivots.push([type, value, hits.map((h) => [h.capture.id, h.log, h.field, h.record.id])]);
  }
  const searches: unknown[] = [];
  for (const q of SEARCHES) {
    const r = await store.search(q, { limit: 10_000 });
    assert.equal(r.error, undefined, q);
    searches.push([q, r.rows?.map((x) => x.id), r.aggregation]);
  }
  return { pivots, searches };
}

async function importAll(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (const f of CAPTURES) ids.push((await importCaptureFile(store, pcap(f))).captureId);
  return ids;
}

describe('observables migrations 7 and 8 on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-obs-mig-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('converts a store of one row per record into rows per value, answering the same pivots and searches', async () => {
    const fresh = join(dir, 'fresh', 'capdex.db');
    const old = join(dir, 'old', 'capdex.db');
    const store = await openStore({ sqlite: fresh });
    const ids = await importAll(store);
    await store.close();
    const db = new Database(fresh, { readonly: true });
    const values = db.prepare(`SELECT type, value FROM (SELECT DISTINCT type, value FROM observables)
      ORDER BY type, value`).all() as { type: string; value: string }[];
    const rowsOf = (d: Database.Database): unknown[] => d.prepare(`SELECT c.id AS capture_id, type, value, log, field, rvalue, ipkey, record_ids
      FROM observables o JOIN captures c ON c.key = o.capture_key
      WHERE value <> 'many.example' ORDER BY capture_id, type, value, log, field, record_ids`).all();
    const freshRows = rowsOf(db);
    db.close();
    assert.ok(values.length > 100, `${values.length} distinct values`);

    // The previous layout, with the same data: migration 1's table, one row per (record, value),
    // each capture's rows one rowid range; plus one value in MANY records of the last capture.
    mkdirSync(join(dir, 'old'));
    copyFileSync(fresh, old);
    const o = new Database(old);
    o.exec(`
      CREATE TABLE observables_v6 (
        type TEXT NOT NULL, value TEXT NOT NULL, capture_id TEXT NOT NULL, record_id INTEGER NOT NULL,
        log TEXT NOT NULL, field TEXT NOT NULL, rvalue TEXT, ipkey TEXT);
      INSERT INTO observables_v6 SELECT o.type, o.value, c.id, j.value, o.log, o.field, o.rvalue, o.ipkey
        FROM observables o JOIN captures c ON c.key = o.capture_key, json_each(o.record_ids) j ORDER BY o.rowid, j.key;
      DROP TABLE observables;
      DROP INDEX captures_key;
      ALTER TABLE captures DROP COLUMN key;
      ALTER TABLE observables_v6 RENAME TO observables;
      CREATE INDEX observables_type_value ON observables(type, value);
      CREATE INDEX observables_type_rvalue ON observables(type, rvalue) WHERE rvalue IS NOT NULL;
      CREATE INDEX observables_type_ipkey ON observables(type, ipkey) WHERE ipkey IS NOT NULL;
      UPDATE captures SET observable_lo = (SELECT min(rowid) FROM observables WHERE capture_id = captures.id),
        observable_hi = (SELECT max(rowid) FROM observables WHERE capture_id = captures.id);
      DELETE FROM schema_migrations WHERE version IN (7, 8);`);
    const last = ids[ids.length - 1];
    const insert = o.prepare(`INSERT INTO observables (type, value, capture_id, record_id, log, field, rvalue, ipkey)
      VALUES ('domain', 'many.example', ?, ?, 'synthetic', 'many', 'elpmaxe.ynam', NULL)`);
    o.transaction(() => { for (let i = MANY; i >= 1; i--) insert.run(last, i); })(); // out of order on purpose
    o.prepare('UPDATE captures SET observable_hi = (SELECT max(rowid) FROM observables) WHERE id = ?').run(last);
    const oldRefs = (o.prepare('SELECT count(*) AS n FROM observables').get() as { n: number }).n;
    o.close();

    const before = await openStore({ sqlite: fresh });
    const expected = await answers(before, values);
    await before.close();
    const migrated = await openStore({ sqlite: old });
    try {
      assert.deepEqual(await answers(migrated, values), expected);
      const m = new Database(old, { readonly: true });
      try {
        assert.deepEqual(rowsOf(m), freshRows, 'the same rows as a store written in the new layout');
        const refs = (m.prepare('SELECT count(*) AS n FROM observables o, json_each(o.record_ids)').get() as { n: number }).n;
        assert.equal(refs, oldRefs, 'every reference kept');
        const many = m.prepare(`SELECT record_ids FROM observables WHERE value = 'many.example' ORDER BY rowid`).all() as { record_ids: string }[];
        assert.deepEqual(many.map((r) => (JSON.parse(r.record_ids) as number[]).length), [OBSERVABLE_ROW_IDS_MAX, MANY - OBSERVABLE_ROW_IDS_MAX]);
        assert.deepEqual(many.flatMap((r) => JSON.parse(r.record_ids) as number[]), Array.from({ length: MANY }, (_, i) => i + 1), 'ids ascending, none lost');
        const versions = (m.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
        assert.ok(versions.includes(7) && versions.includes(8));
      } finally {
        m.close();
      }
      // The recomputed ranges delete each capture's rows, the long value's included.
      for (const id of ids) assert.equal(await migrated.deleteCapture(id), true);
    } finally {
      await migrated.close();
    }
    const m = new Database(old, { readonly: true });
    assert.equal((m.prepare('SELECT count(*) AS n FROM observables').get() as { n: number }).n, 0);
    m.close();
  });
});

describe('observables migrations 7 and 8 on PostgreSQL', () => {
  let server: TestServer | undefined;
  after(async () => { await server?.release(); });

  it('converts a store of one row per record into rows per value, answering the same pivots and searches', async () => {
    server = await testServer();
    const url = await server.database();
    const store = await PgStore.open(url);
    const pool = store.pool;
    let reopened: PgStore | undefined;
    try {
      const ids = await importAll(store);
      const values = (await pool.query<{ type: string; value: string }>(
        'SELECT DISTINCT type, value FROM observables ORDER BY type, value')).rows;
      const expected = await answers(store, values);
      const rowsSql = `SELECT c.id AS capture_id, type, value, log, field, rvalue, ipkey, record_ids::text AS ids
        FROM observables o JOIN captures c ON c.key = o.capture_key
        WHERE value <> 'many.example' ORDER BY capture_id, type, value, log, field, record_ids`;
      const rowsOf = async (): Promise<unknown[]> => (await pool.query(rowsSql)).rows;
      const freshRows = await rowsOf();
      // Back to migration 1's layout (one row per record and value), plus one value in MANY records.
      await pool.query(`
        CREATE TABLE observables_v6 (type text NOT NULL, value text COLLATE "C" NOT NULL, capture_id text NOT NULL,
          record_id bigint NOT NULL, log text NOT NULL, field text NOT NULL, rvalue text COLLATE "C", ipkey text COLLATE "C");
        INSERT INTO observables_v6 SELECT o.type, o.value, c.id, h.id, o.log, o.field, o.rvalue, o.ipkey
          FROM observables o JOIN captures c ON c.key = o.capture_key CROSS JOIN LATERAL unnest(o.record_ids) AS h(id);
        DROP TABLE observables;
        ALTER TABLE captures DROP COLUMN key;
        DROP SEQUENCE captures_key_seq;
        ALTER TABLE observables_v6 RENAME TO observables;
        CREATE INDEX observables_type_value ON observables (type, value, record_id);
        CREATE INDEX observables_capture ON observables USING brin (capture_id);
        DELETE FROM schema_migrations WHERE version IN (7, 8);`);
      await pool.query(`INSERT INTO observables (type, value, capture_id, record_id, log, field, rvalue, ipkey)
        SELECT 'domain', 'many.example', $1, i, 'synthetic', 'many', 'elpmaxe.ynam', NULL FROM generate_series($2::int, 1, -1) AS i`, [ids[0], MANY]);
      const oldRefs = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM observables')).rows[0].n);
      await store.close();

      reopened = await PgStore.open(url);
      const p = reopened.pool;
      assert.deepEqual(await answers(reopened, values), expected);
      const migratedRows = (await p.query(rowsSql)).rows;
      assert.deepEqual(migratedRows, freshRows, 'the same rows as a store written in the new layout');
      const refs = Number((await p.query<{ n: string }>('SELECT coalesce(sum(cardinality(record_ids)), 0) AS n FROM observables')).rows[0].n);
      assert.equal(refs, oldRefs, 'every reference kept');
      const many = (await p.query<{ ids: number[] }>(`SELECT record_ids AS ids FROM observables WHERE value = 'many.example'
        ORDER BY record_ids[1]`)).rows.map((r) => r.ids.map(Number));
      assert.deepEqual(many.map((r) => r.length), [OBSERVABLE_ROW_IDS_MAX, MANY - OBSERVABLE_ROW_IDS_MAX]);
      assert.deepEqual(many.flat(), Array.from({ length: MANY }, (_, i) => i + 1), 'ids ascending, none lost');
      for (const id of ids) assert.equal(await reopened.deleteCapture(id), true);
      assert.equal(Number((await p.query<{ n: string }>('SELECT count(*) AS n FROM observables')).rows[0].n), 0);
    } finally {
      await (reopened ?? store).close().catch(() => {});
    }
  });
});
