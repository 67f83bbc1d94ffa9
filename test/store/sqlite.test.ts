/**
 * The shared store suite (suite.ts) on SQLite: a real database file in a temp directory per test,
 * plus checks below the interface (orphan rows in observables, the FTS index, files) and the
 * SQLite-specific set-up (WAL, migrations recorded).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type Store } from '../../src/store/store.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { storeSuite } from './suite.js';
import { analyze } from '../../src/engine/pipeline.js';
import { pcap } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'capdex-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const paths = new WeakMap<Store, string>();

async function open(): Promise<Store> {
  const path = join(dir, `store-${++n}`, 'capdex.db');
  const store = await openStore({ sqlite: path });
  paths.set(store, path);
  return store;
}

/** Rows of the capture, and rows pointing at records that no longer exist, straight from the file. */
async function rowsOf(store: Store, captureId: string): Promise<Record<string, number>> {
  const db = new Database(paths.get(store)!, { readonly: true });
  try {
    const count = (sql: string, ...p: unknown[]): number => (db.prepare(sql).get(...p) as { n: number }).n;
    return {
      records: count('SELECT count(*) AS n FROM records WHERE capture_id = ?', captureId),
      observables: count('SELECT count(*) AS n FROM observables o JOIN captures c ON c.key = o.capture_key WHERE c.id = ?', captureId),
      file_sightings: count('SELECT count(*) AS n FROM file_sightings WHERE capture_id = ?', captureId),
      captures: count('SELECT count(*) AS n FROM captures WHERE id = ?', captureId),
      orphan_observables: count(`SELECT count(*) AS n FROM observables o, json_each(o.record_ids) j
        WHERE j.value NOT IN (SELECT id FROM records) OR o.capture_key NOT IN (SELECT key FROM captures)`),
      orphan_fts: count('SELECT count(*) AS n FROM records_fts WHERE rowid NOT IN (SELECT id FROM records)'),
      orphan_files: count('SELECT count(*) AS n FROM files WHERE sha256 NOT IN (SELECT sha256 FROM file_sightings)'),
    };
  } finally {
    db.close();
  }
}

storeSuite('SQLite', open, { rowsOf });

describe('SQLite specifics', () => {
  it('opens in WAL mode with every migration recorded, and reopens without migrating again', async () => {
    const store = await open();
    const path = paths.get(store)!;
    await store.close();
    const again = await openStore({ sqlite: path });
    await again.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
      const fts = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'records_fts'").get() as { sql: string };
      assert.match(fts.sql, /fts5/);
    } finally {
      db.close();
    }
  });

  it('keeps each capture\'s observables rowid range through a VACUUM and a .dump-style copy', async () => {
    const store = await open();
    const path = paths.get(store)!;
    const ids = ['dns-tcp.pcap', 'http-gzip-content-encoding.pcap', 'dhcp-dora.pcap'].map((f, i) => ({ f, id: String(i + 1).repeat(64) }));
    for (const { f, id } of ids) {
      await store.importCapture({ id, md5: '1'.repeat(32), sha1: '2'.repeat(40), size: 1, name: f }, async (sink) => {
        const r = await analyze(pcap(f), sink);
        return { packets: r.stats.packets, firstTs: 1, lastTs: 2 };
      });
    }
    await store.deleteCapture(ids[1].id); // a gap in the rowids
    await store.close();
    const db = new Database(path);
    try {
      // The id column is the rowid (an INTEGER PRIMARY KEY): what VACUUM and .dump both keep.
      const pk = (db.pragma('table_info(observables)') as { name: string; type: string; pk: number }[]).find((c) => c.pk === 1);
      assert.deepEqual(pk && { name: pk.name, type: pk.type }, { name: 'id', type: 'INTEGER' });
      const before = db.prepare('SELECT rowid, capture_key FROM observables ORDER BY rowid').all();
      db.exec('VACUUM');
      // What restoring a `.dump` does: a new table filled from the rows' columns alone.
      db.exec(`CREATE TABLE copy AS SELECT * FROM observables WHERE 0;
        INSERT INTO copy SELECT * FROM observables; DELETE FROM observables; INSERT INTO observables SELECT * FROM copy; DROP TABLE copy;`);
      assert.deepEqual(db.prepare('SELECT rowid, capture_key FROM observables ORDER BY rowid').all(), before);
    } finally {
      db.close();
    }
    const again = await openStore({ sqlite: path });
    paths.set(again, path);
    await again.deleteCapture(ids[0].id);
    const rows = await rowsOf(again, ids[0].id);
    assert.equal(rows.observables, 0);
    assert.equal(rows.orphan_observables, 0);
    assert.ok((await rowsOf(again, ids[2].id)).observables > 0);
    await again.close();
  });
});
