/**
 * The response cache (src/api/response-cache.ts) on a real server over a temp data dir, real
 * analysis workers and the SQLite store: repeated reads are served from the cache with a content
 * ETag (304 on If-None-Match), every kind of write empties it (an upload, a label, a job's
 * progress, a delete made by another connection as `capdex` would; a queue write only outdates
 * the answers that show jobs), and a private capture's
 * answers never reach another key or anonymous requests through it. The cache itself: LRU by
 * bytes, oversized answers and answers of another clock not kept. The DNS name searched for
 * comes from tshark.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi, type ApiOptions } from '../../src/api/app.js';
import { openStore } from '../../src/store/store.js';
import { ResponseCache, viewerClass } from '../../src/api/response-cache.js';
import type { Job } from '../../src/jobs/jobs.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
const PRIVATE_PCAP = 'dns-https-record.pcap';
const PUBLIC_PCAP = 'dns-tcp.pcap';
const OTHER_PCAP = 'dhcp-dora.pcap';

let dir: string;
let svc: Service;
const apps: FastifyInstance[] = [];
let base: string;
let keyA: string;
let keyB: string;
let admin: string;
let privateId: string;
let publicId: string;
let privateQuery: string;

const auth = (secret?: string): Record<string, string> => (secret ? { authorization: `Bearer ${secret}` } : {});

async function serve(opts: ApiOptions, service = svc): Promise<string> {
  const app = await buildApi(service, opts);
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

interface Answer { status: number; hit: boolean; etag: string | null; text: string; headers: Headers }

async function get(path: string, headers: Record<string, string> = {}, at = base): Promise<Answer> {
  const r = await fetch(at + path, { headers });
  return { status: r.status, hit: r.headers.get('x-capdex-cache') === 'hit', etag: r.headers.get('etag'), text: await r.text(), headers: r.headers };
}

async function upload(file: string, query: string, headers: Record<string, string>): Promise<string> {
  const r = await fetch(`${base}/api/captures${query}`, {
    method: 'POST', body: readFileSync(join(PCAPS, file)), headers: { 'content-type': 'application/octet-stream', ...headers },
  });
  assert.ok(r.status === 201 || r.status === 200, `upload ${file}: ${r.status}`);
  return ((await r.json()) as { id: string }).id;
}

async function waitDone(id: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const body = JSON.parse((await get(`/api/captures/${id}`, headers)).text) as { job: Job | null };
    if (body.job?.status === 'done') return;
    assert.notEqual(body.job?.status, 'failed');
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('job did not finish');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-cache-'));
  svc = await openService({ dataDir: dir });
  base = await serve({ rateLimit: false });
  keyA = (await svc.store.createKey('A')).secret;
  keyB = (await svc.store.createKey('B')).secret;
  admin = (await svc.store.createKey('ops', { admin: true })).secret;
  [privateQuery] = execFileSync('tshark', ['-r', join(PCAPS, PRIVATE_PCAP), '-Y', 'dns.flags.response == 0', '-T', 'fields', '-e', 'dns.qry.name'], { encoding: 'utf8' })
    .split('\n').filter((l) => l !== '');
  assert.ok(privateQuery, 'tshark read the private capture');
  privateId = await upload(PRIVATE_PCAP, '?visibility=private', auth(keyA));
  publicId = await upload(PUBLIC_PCAP, '', {});
  await waitDone(privateId, auth(keyA));
  await waitDone(publicId, {});
});

after(async () => {
  for (const app of apps) await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a repeated read is a hit with the same body and ETag; If-None-Match gets 304 without a body', async () => {
  const path = `/api/captures/${publicId}/logs/dns?limit=1`;
  const first = await get(path);
  assert.equal(first.status, 200);
  assert.equal(first.hit, false);
  assert.ok(first.etag, 'an ETag');
  assert.equal(first.headers.get('cache-control'), 'private, no-cache');
  assert.match(first.headers.get('vary') ?? '', /Authorization/);
  const second = await get(path);
  assert.equal(second.hit, true);
  assert.equal(second.text, first.text);
  assert.equal(second.etag, first.etag);
  assert.equal(JSON.parse(second.text).records.length, 1);

  const cached304 = await get(path, { 'if-none-match': first.etag! });
  assert.equal(cached304.status, 304);
  assert.equal(cached304.text, '');
  assert.equal(cached304.etag, first.etag);
  assert.equal((await get(path, { 'if-none-match': '"something-else"' })).status, 200);
  // A miss whose fresh answer has the ETag the client holds is a 304 too.
  const other = `/api/search?q=${encodeURIComponent('log:dns')}&limit=3`;
  const fresh = await get(other);
  assert.equal(fresh.hit, false);
  const viaMiss = await get(`${other}&offset=0`, { 'if-none-match': `W/${fresh.etag}` });
  assert.equal(viaMiss.hit, false);
  assert.equal(viaMiss.status, 304, 'same content, same ETag, computed again');
});

test('errors are not kept: a 404 and a 400 are computed every time', async () => {
  const missing = '/api/captures/0123456789abcdef/logs/dns';
  assert.equal((await get(missing)).status, 404);
  const again = await get(missing);
  assert.equal(again.status, 404);
  assert.equal(again.hit, false);
  const bad = `/api/search?q=${encodeURIComponent('dns.query:(')}`;
  assert.equal((await get(bad)).status, 400);
  assert.equal((await get(bad)).hit, false);
});

test('a private capture never crosses keys through the cache', async () => {
  const search = `/api/search?q=${encodeURIComponent(`dns.query:"${privateQuery}"`)}&limit=10`;
  const logs = `/api/captures/${privateId}/logs/dns?limit=10`;
  const detail = `/api/captures/${privateId}`;
  const list = '/api/captures?limit=100';
  // The owner fills the cache first, twice (the second a hit), for every URL.
  for (let i = 0; i < 2; i++) {
    const own = await get(search, auth(keyA));
    assert.equal(JSON.parse(own.text).rows.length > 0, true, 'the owner finds its capture');
    assert.equal((await get(logs, auth(keyA))).status, 200);
    assert.equal((await get(detail, auth(keyA))).status, 200);
    assert.ok((await get(list, auth(keyA))).text.includes(privateId));
  }
  assert.equal((await get(list, auth(keyA))).hit, true);
  for (const who of [undefined, keyB]) {
    for (let i = 0; i < 2; i++) {
      const s = await get(search, auth(who));
      assert.equal(s.status, 200);
      assert.deepEqual(JSON.parse(s.text).rows, [], 'no rows of the private capture');
      assert.equal((await get(logs, auth(who))).status, 404);
      assert.equal((await get(detail, auth(who))).status, 404);
      const l = await get(list, auth(who));
      assert.ok(l.text.includes(publicId));
      assert.ok(!l.text.includes(privateId), 'not listed');
    }
  }
  // Another key's answer and anonymous answers are cached apart: the owner still gets its own.
  assert.ok((await get(list, auth(keyA))).text.includes(privateId));
  const adm = await get(search, auth(admin));
  assert.equal(JSON.parse(adm.text).rows.length > 0, true, 'the admin finds it');
  // An ETag the owner got is no way in either.
  const ownEtag = (await get(logs, auth(keyA))).etag!;
  assert.equal((await get(logs, { 'if-none-match': ownEtag })).status, 404);
});

test('the visibility classes: anonymous shared, each key and admin its own', () => {
  assert.equal(viewerClass({}), 'anonymous');
  assert.equal(viewerClass({ keyId: 'key_1' }), 'key:key_1');
  assert.equal(viewerClass({ keyId: 'key_1', admin: true }), 'admin:key_1');
  assert.notEqual(viewerClass({ keyId: 'key_1' }), viewerClass({ keyId: 'key_2' }));
});

test('writes empty the cache: an upload and its job, a label, a delete by another connection', async () => {
  const list = '/api/captures?limit=100';
  await get(list);
  assert.equal((await get(list)).hit, true);

  // An upload: the new job is listed at once, not when the cache ages.
  const otherId = await upload(OTHER_PCAP, '', {});
  const afterUpload = await get(list);
  assert.equal(afterUpload.hit, false);
  assert.ok(afterUpload.text.includes(otherId), 'the new capture is listed (pending or done)');
  await waitDone(otherId, {});
  const done = JSON.parse((await get(`/api/captures/${otherId}`)).text) as { job: Job };
  assert.equal(done.job.status, 'done', 'the job\'s progress reached the detail answer');
  const listed = JSON.parse((await get(list)).text) as { captures: { id: string }[]; pending: Job[] };
  assert.ok(listed.captures.some((c) => c.id === otherId));
  assert.equal(listed.pending.length, 0);

  // A label through the API: a search on it changes.
  const byLabel = `/api/search?q=${encodeURIComponent('label:cachetest | count by capture')}`;
  assert.deepEqual(JSON.parse((await get(byLabel, auth(keyA))).text).aggregation, []);
  assert.equal((await get(byLabel, auth(keyA))).hit, true);
  const add = await fetch(`${base}/api/captures/${otherId}/labels`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...auth(keyA) }, body: JSON.stringify({ kind: 'family', value: 'cachetest' }),
  });
  assert.equal(add.status, 201);
  const labelled = await get(byLabel, auth(keyA));
  assert.equal(labelled.hit, false);
  assert.deepEqual(JSON.parse(labelled.text).aggregation.map((a: { key: string }) => a.key), [otherId]);

  // A delete from another connection (as `capdex` on the same data dir would): no stale list.
  const path = `/api/captures/${otherId}`;
  await get(path);
  assert.equal((await get(path)).hit, true);
  const outside = await openStore({ sqlite: join(dir, 'capdex.db') });
  try {
    assert.equal(await outside.deleteCapture(otherId), true);
  } finally {
    await outside.close();
  }
  const gone = JSON.parse((await get(path)).text) as { capture: unknown };
  assert.equal(gone.capture, null, 'the deleted capture is gone from its detail answer');
  assert.ok(!(JSON.parse((await get(list)).text) as { captures: { id: string }[] }).captures.some((c) => c.id === otherId));
});

test('a queue write (a job\'s progress) outdates answers that show jobs, not store-only ones', async () => {
  const search = `/api/search?q=${encodeURIComponent('log:dns')}&limit=2`;
  const detail = `/api/captures/${publicId}`;
  for (const p of [search, detail]) { await get(p); assert.equal((await get(p)).hit, true, p); }
  const queue = new Database(join(dir, 'jobs.db'));
  try {
    queue.exec('CREATE TABLE cache_test (x); DROP TABLE cache_test;');
  } finally {
    queue.close();
  }
  assert.equal((await get(search)).hit, true, 'search reads the store only');
  assert.equal((await get(detail)).hit, false, 'the detail shows the job');
});

test('cached answers still count against the rate limit', async () => {
  const at = await serve({ rateLimit: { max: 3, uploadMax: 1, windowMs: 60_000 } });
  const path = `/api/captures/${publicId}/logs/dns?limit=1`;
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await get(path, {}, at)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
});

test('no change clock (a PostgreSQL service), a clock that cannot be read, or a zero-byte cache: nothing is cached', async () => {
  const noClock = await serve({ rateLimit: false }, { ...svc, changes: undefined });
  const closed = { now: (): number => { throw new Error('The database connection is not open'); }, close: () => {} };
  const unreadable = await serve({ rateLimit: false }, { ...svc, changes: { store: closed, jobs: closed } });
  const off = await serve({ rateLimit: false, responseCacheBytes: 0 });
  for (const at of [noClock, unreadable, off]) {
    const path = `/api/captures/${publicId}/logs/dns?limit=2`;
    const a = await get(path, {}, at);
    const b = await get(path, {}, at);
    assert.equal(a.status, 200);
    assert.equal(b.hit, false);
    assert.equal(b.etag, null);
  }
});

test('ResponseCache: LRU by bytes, big answers and other clocks not kept', () => {
  const body = (n: number): Buffer => Buffer.alloc(n, 0x61);
  const c = new ResponseCache(1000, 400);
  const entry = (n: number, clock = 'c1') => ({ clock, body: body(n), etag: '"x"', type: 'application/json' });
  c.set('a', entry(300));
  c.set('b', entry(300));
  c.set('big', entry(401));
  assert.equal(c.get('big', 'c1'), undefined, 'over the entry cap');
  assert.ok(c.get('a', 'c1'), 'a used: b is now the least recent');
  c.set('c', entry(300));
  c.set('d', entry(300));
  assert.equal(c.get('b', 'c1'), undefined, 'b dropped first');
  assert.ok(c.get('a', 'c1'));
  assert.ok(c.usedBytes <= 1000, `${c.usedBytes} bytes kept`);
  assert.equal(c.get('a', 'c2'), undefined, 'a clock moved on: not served');
  assert.equal(c.get('a', 'c1'), undefined, 'and dropped');
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.usedBytes, 0);
});
