/**
 * PostgreSQL change clocks (src/store/postgres/change-clock.ts) on a real server: a commit to any
 * store table moves the store clock, a job queue write moves the jobs clock, a rolled-back write
 * moves nothing, and a listener that lost its connection moves its clocks on every read until it
 * is back. Then the API over a scaled-out service: repeated reads are cache hits until a write.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { CHANGED_STORE, pgChangeClocks, type PgChangeClocks } from '../../src/store/postgres/change-clock.js';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { testServer, type TestServer } from './pg-server.js';

let server: TestServer;
let url: string;
let store: PgStore;
let clocks: PgChangeClocks;
const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');

before(async () => {
  server = await testServer();
  url = await server.database();
  store = await PgStore.open(url);
  clocks = await pgChangeClocks(url);
});
after(async () => {
  await clocks?.stop();
  await store?.close();
  await server?.release();
});

/** Resolves once `clock` reads something other than `from` (a notification is asynchronous). */
async function moved(clock: { now(): number }, from: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (clock.now() !== from) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('the clock did not move');
}

/** Waits well beyond a notification's delivery on loopback (~1 ms), then says whether `clock` still reads `from`. */
async function stillAt(clock: { now(): number }, from: number): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 300));
  return clock.now() === from;
}

test('clocks stand still while nothing is written', async () => {
  const s = clocks.store.now();
  const j = clocks.jobs.now();
  assert.equal(await stillAt(clocks.store, s), true);
  assert.equal(clocks.jobs.now(), j);
});

test('a committed store write moves the store clock, not the jobs clock; a rolled-back one moves nothing', async () => {
  const j = clocks.jobs.now();
  let s = clocks.store.now();
  await store.createKey('clock-test');
  await moved(clocks.store, s);
  assert.equal(clocks.jobs.now(), j);

  s = clocks.store.now();
  const c = await store.pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(`UPDATE api_keys SET name = 'renamed'`);
    await c.query('ROLLBACK');
  } finally {
    c.release();
  }
  assert.equal(await stillAt(clocks.store, s), true);

  // A capture's records, written by COPY into the partitioned table.
  s = clocks.store.now();
  await store.importCapture({ id: 'c'.repeat(64), md5: '1'.repeat(32), sha1: '2'.repeat(40), size: 1, name: 'x.pcap' },
    async (sink) => { sink.write({ path: 'clock', doc: 'test', fields: [], document: true }, { ts: 1 }); });
  await moved(clocks.store, s);
});

test('a lost listener moves its clocks on every read until it listens again', async () => {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND query LIKE $1`, [`%LISTEN ${CHANGED_STORE}%`]);
  } finally {
    await admin.end();
  }
  await new Promise((r) => setTimeout(r, 100));
  const a = clocks.store.now();
  assert.notEqual(clocks.store.now(), a, 'while not listening, no two reads agree');
  // Back within the reconnect delay (1 s), and steady again.
  for (let i = 0; i < 100; i++) {
    const x = clocks.store.now();
    if (clocks.store.now() === x) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const b = clocks.store.now();
  assert.equal(await stillAt(clocks.store, b), true);
  const s = clocks.store.now();
  await store.createKey('after-reconnect');
  await moved(clocks.store, s);
});

test('a scaled-out API caches repeated reads until a write, from any process', async () => {
  const blobs = mkdtempSync(join(tmpdir(), 'capdex-pg-cache-'));
  const svc: Service = await openService({ pg: url, blobsDir: blobs }, { worker: false });
  const app = await buildApi(svc, { rateLimit: false });
  try {
    assert.ok(svc.changes, 'a PostgreSQL service watches its database');
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const get = async (path: string): Promise<{ hit: boolean; text: string }> => {
      const r = await fetch(base + path);
      assert.equal(r.status, 200);
      return { hit: r.headers.get('x-capdex-cache') === 'hit', text: await r.text() };
    };
    await get('/api/captures?limit=5');
    assert.equal((await get('/api/captures?limit=5')).hit, true);
    // An upload through this API: a job row (jobs clock) and, once analysed elsewhere, captures.
    const up = await fetch(`${base}/api/captures`, { method: 'POST', body: readFileSync(join(PCAPS, 'dns-tcp.pcap')), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(up.status, 201);
    // The upload's own commits notify asynchronously: a notification landing between the two reads
    // below would rightly make the second one a miss. Wait until both clocks stand still.
    const changes = svc.changes;
    for (let i = 0; i < 20; i++) {
      const [st, jb] = [changes.store.now(), changes.jobs.now()];
      if ((await stillAt(changes.store, st)) && changes.jobs.now() === jb) break;
    }
    // A write by another connection (as another API process or `capdex import --pg` would).
    const before = (await get('/api/captures?limit=5')).text;
    assert.equal((await get('/api/captures?limit=5')).hit, true);
    const s = svc.changes.store.now();
    await store.createKey('elsewhere');
    await moved(svc.changes.store, s);
    const after = await get('/api/captures?limit=5');
    assert.equal(after.hit, false);
    assert.equal(after.text, before); // keys are not in the list: same answer, computed again
  } finally {
    await app.close();
    await svc.close();
    rmSync(blobs, { recursive: true, force: true });
  }
});
