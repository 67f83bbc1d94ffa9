/**
 * The API end to end: a real server on 127.0.0.1 (port 0) over a temp data dir, real worker
 * threads and the SQLite store. Shared captures go in by raw body and by multipart; their logs
 * via the API equal the engine's; bad uploads get their catalogued errors; every path of
 * /openapi.json is called at least once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { zipSync } from 'fflate';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';
import type { Job } from '../../src/jobs/jobs.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
const MAX_UPLOAD = 200_000;
const CRASH_NAME = 'api-crash-me.pcap';

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;
/** Route patterns called by the tests, checked against /openapi.json at the end. */
const called = new Set<string>();

async function call(method: string, pattern: string, path: string, init: RequestInit = {}): Promise<Response> {
  called.add(`${method} ${pattern}`);
  return fetch(base + path, { method, ...init });
}

async function upload(bytes: Uint8Array, query = ''): Promise<Response> {
  return call('post', '/api/captures', `/api/captures${query}`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
}

async function waitDone(id: string): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const r = await call('get', '/api/captures/{id}', `/api/captures/${id}`);
    const body = (await r.json()) as { job: Job };
    if (body.job.status === 'done' || body.job.status === 'failed') return body.job;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('job did not finish');
}

async function engineRecords(file: string): Promise<MemorySink> {
  const mem = new MemorySink();
  await analyze(join(PCAPS, file), mem);
  return mem;
}

async function expectError(r: Response, status: number, code: string, message?: RegExp): Promise<void> {
  const body = (await r.json()) as { error: { code: string; message: string } };
  assert.equal(r.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  if (message) assert.match(body.error.message, message);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-api-'));
  process.env.CAPDEX_TEST_WORKER_CRASH = CRASH_NAME;
  svc = await openService({ dataDir: dir });
  app = await buildApi(svc, { maxUploadBytes: MAX_UPLOAD });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app.close();
  await svc.close();
  delete process.env.CAPDEX_TEST_WORKER_CRASH;
  rmSync(dir, { recursive: true, force: true });
});

test('raw upload → SSE to done → logs equal the engine; same upload again → same capture, one job; pcap download', async () => {
  const bytes = readFileSync(join(PCAPS, 'http-get-simple.pcap'));
  const hex = (alg: string): string => createHash(alg).update(bytes).digest('hex');
  const r = await upload(bytes, '?name=http-get-simple.pcap');
  assert.equal(r.status, 201);
  const up = (await r.json()) as { id: string; job: Job; existing: boolean; md5?: string; sha1?: string; size: number };
  assert.equal(up.existing, false);
  assert.equal(up.id, hex('sha256'));
  assert.equal(up.size, bytes.length);
  // The upload hashes SHA-256 only; MD5 and SHA-1 are the job's (asserted below, once it is done).
  assert.equal(up.md5, undefined);
  assert.equal(up.sha1, undefined);

  const sse = await call('get', '/api/captures/{id}/events', `/api/captures/${up.id}/events`);
  assert.equal(sse.headers.get('content-type'), 'text/event-stream');
  const events = [...(await sse.text()).matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1], job: JSON.parse(m[2]) as Job }));
  assert.ok(events.length >= 1);
  const last = events[events.length - 1];
  assert.equal(last.event, 'done');
  assert.equal(last.job.progress.stage, 'done');
  assert.ok(events.slice(0, -1).every((e) => e.event === 'progress'));

  const mem = await engineRecords('http-get-simple.pcap');
  for (const log of ['conn', 'http', 'files']) {
    const lr = await call('get', '/api/captures/{id}/logs/{log}', `/api/captures/${up.id}/logs/${log}?limit=1000`);
    const body = (await lr.json()) as { records: { doc: Record<string, unknown> }[] };
    assert.equal(lr.status, 200);
    const engine = mem.get(log);
    assert.ok(engine.length > 0, log);
    assert.deepEqual(body.records.map((x) => x.doc.uid ?? x.doc.fuid).sort(), engine.map((x) => x.uid ?? x.fuid).sort(), log);
  }

  const again = await upload(bytes);
  assert.equal(again.status, 200);
  const second = (await again.json()) as { id: string; job: Job; existing: boolean; md5?: string; sha1?: string };
  assert.equal(second.id, up.id);
  assert.equal(second.job.id, up.job.id);
  assert.equal(second.existing, true);
  assert.equal(second.md5, hex('md5'));
  assert.equal(second.sha1, hex('sha1'));

  const dl = await call('get', '/api/captures/{id}/pcap', `/api/captures/${up.id}/pcap`);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-disposition'), `attachment; filename="${up.id}.pcap"`);
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), bytes);

  const one = (await (await call('get', '/api/captures/{id}', `/api/captures/${up.id.slice(0, 12)}`)).json()) as
    { id: string; capture: { name: string; recordCount: number; md5: string; sha1: string } };
  assert.equal(one.id, up.id);
  assert.equal(one.capture.md5, hex('md5'));
  assert.equal(one.capture.sha1, hex('sha1'));
  // …and the capture is found by them.
  assert.equal(((await (await call('get', '/api/captures/{id}', `/api/captures/${hex('md5')}`)).json()) as { id: string }).id, up.id);
  assert.equal(one.capture.name, 'http-get-simple.pcap');
  assert.equal(one.capture.recordCount, last.job.progress.records);
});

test('multipart upload of dns-tcp.pcap: its dns log equals the engine; list, search and pivot find it', async () => {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(join(PCAPS, 'dns-tcp.pcap'))]), 'dns-tcp.pcap');
  const r = await call('post', '/api/captures', '/api/captures', { body: form });
  assert.equal(r.status, 201);
  const up = (await r.json()) as { id: string };
  assert.equal((await waitDone(up.id)).status, 'done');
  const mem = await engineRecords('dns-tcp.pcap');
  const body = (await (await call('get', '/api/captures/{id}/logs/{log}', `/api/captures/${up.id}/logs/dns`)).json()) as { records: { doc: Record<string, unknown> }[] };
  assert.deepEqual(body.records.map((x) => [x.doc.uid, x.doc.query, x.doc.answers]), mem.get('dns').map((x) => [x.uid, x.query, x.answers]));

  const list = (await (await call('get', '/api/captures', '/api/captures')).json()) as { captures: { id: string; name: string }[] };
  assert.ok(list.captures.some((c) => c.id === up.id && c.name === 'dns-tcp.pcap'));

  const query = String(mem.get('dns')[0].query);
  const s = await call('get', '/api/search', `/api/search?q=${encodeURIComponent(`dns.query:"${query}"`)}`);
  const found = (await s.json()) as { rows: { captureId: string }[] };
  assert.equal(s.status, 200, JSON.stringify(found));
  assert.ok(found.rows.some((x) => x.captureId === up.id));
  await expectError(await call('get', '/api/search', '/api/search?q=' + encodeURIComponent('dns.query:(')), 400, 'BAD_QUERY');

  const p = await call('get', '/api/pivot/{type}/{value}', `/api/pivot/domain/${encodeURIComponent(query)}`);
  const hits = (await p.json()) as { hits: { capture: { id: string } }[] };
  assert.ok(hits.hits.some((h) => h.capture.id === up.id));
  await expectError(await call('get', '/api/pivot/{type}/{value}', '/api/pivot/colour/blue'), 400, 'BAD_OBSERVABLE_TYPE', /ip, domain/);
});

const blobFiles = (): string[] => readdirSync(join(dir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

test('bad uploads get their catalogued errors and leave no capture behind', async () => {
  const blobsBefore = blobFiles();
  await expectError(await upload(new Uint8Array(0)), 400, 'EMPTY_UPLOAD');
  await expectError(await upload(Buffer.from('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n')), 415, 'NOT_A_CAPTURE', /text/);
  await expectError(await upload(zipSync({ 'a.pcap': readFileSync(join(PCAPS, 'dns-tcp.pcap')) })), 415, 'NOT_A_CAPTURE', /zip archive/);
  await expectError(await upload(readFileSync(join(PCAPS, 'dns-tcp.pcap')).subarray(0, 10)), 415, 'TRUNCATED_CAPTURE', /10 bytes of a pcap/);
  const big = Buffer.alloc(MAX_UPLOAD + 5000);
  readFileSync(join(PCAPS, 'dns-tcp.pcap')).copy(big);
  await expectError(await upload(big), 413, 'UPLOAD_TOO_LARGE', /limit 200000 bytes/);
  const form = new FormData();
  form.append('note', 'no file here');
  await expectError(await call('post', '/api/captures', '/api/captures', { body: form }), 400, 'NO_FILE_FIELD');
  await expectError(await call('get', '/api/captures/{id}', `/api/captures/${'ab'.repeat(32)}`), 404, 'CAPTURE_NOT_FOUND');
  await expectError(await call('get', '/api/captures/{id}', '/api/captures/..%2F..%2Fetc'), 400, 'BAD_REQUEST');
  await expectError(await fetch(base + '/api/nothing'), 404, 'NOT_FOUND');
  assert.deepEqual(blobFiles(), blobsBefore);
});

test('a capture cut short mid-record is analysed (weird.log says so); a crashing worker fails only its own job', async () => {
  const cut = await upload(readFileSync(join(PCAPS, 'bad-cut-short-last-record.pcap')));
  assert.equal(cut.status, 201);
  const cutId = ((await cut.json()) as { id: string }).id;
  const crash = await upload(readFileSync(join(PCAPS, 'dhcp-dora.pcap')), `?name=${CRASH_NAME}`);
  const crashId = ((await crash.json()) as { id: string }).id;
  const failed = await waitDone(crashId);
  assert.equal(failed.status, 'failed');
  assert.match(failed.error ?? '', /exited with code 70/);
  const sse = await (await call('get', '/api/captures/{id}/events', `/api/captures/${crashId}/events`)).text();
  assert.match(sse, /^event: failed\n/);
  assert.equal((await waitDone(cutId)).status, 'done');
  const weird = (await (await call('get', '/api/captures/{id}/logs/{log}', `/api/captures/${cutId}/logs/weird`)).json()) as { records: unknown[] };
  assert.ok(weird.records.length > 0);
});

test('SSE opened while the job waits in the queue: progress events, then done, then the stream ends', async () => {
  await upload(readFileSync(join(PCAPS, 'dns-exfiltration.pcap')));
  const r = await upload(readFileSync(join(PCAPS, 'dns-tunnel-iodine.pcap')));
  const { id, job } = (await r.json()) as { id: string; job: Job };
  assert.equal(job.status, 'queued');
  const text = await (await call('get', '/api/captures/{id}/events', `/api/captures/${id}/events`)).text();
  const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1], job: JSON.parse(m[2]) as Job }));
  assert.equal(events[0].event, 'progress');
  assert.equal(events.at(-1)!.event, 'done');
  assert.equal(events.at(-1)!.job.progress.stage, 'done');
  assert.ok(events.at(-1)!.job.progress.records > 0);
});

test('health, readiness, and every path in /openapi.json was exercised', async () => {
  assert.deepEqual(await (await call('get', '/healthz', '/healthz')).json(), { status: 'ok' });
  assert.deepEqual(await (await call('get', '/readyz', '/readyz')).json(), { status: 'ready' });
  assert.match(await (await call('get', '/metrics', '/metrics')).text(), /^capdex_jobs\{status="done"\} \d+$/m);
  // The console's summary is checked by test/web/console.test.ts; here only that it answers.
  assert.equal((await call('get', '/api/captures/{id}/summary', '/api/captures/00000000/summary')).status, 404);
  // GeoIP is checked in depth by test/api/geo.test.ts; here only that it answers.
  assert.deepEqual(await (await call('get', '/api/geo/{ip}', '/api/geo/10.0.0.1')).json(), { ip: '10.0.0.1', private: true });
  assert.equal((await call('post', '/api/geo', '/api/geo', { method: 'post', body: '{"ips":[]}', headers: { 'content-type': 'application/json' } })).status, 200);
  // Whois and the field catalog are checked in depth by test/api/whois.test.ts; here only that they answer (no whois server is asked for a private address).
  assert.equal((await call('get', '/api/whois/{value}', '/api/whois/10.0.0.1')).status, 400);
  assert.equal((await call('get', '/api/fields', '/api/fields')).status, 200);
  // Downloads are checked in depth by test/api/downloads.test.ts; here only that they answer.
  for (const p of ['/api/captures/{id}/files', '/api/captures/{id}/files.zip', '/api/captures/{id}/logs.zip']) assert.equal((await call('get', p, p.replace('{id}', '00000000'))).status, 404);
  assert.equal((await call('get', '/api/files/{sha256}', `/api/files/${'0'.repeat(64)}`)).status, 404);
  const doc = (await (await fetch(base + '/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  assert.match(doc.openapi, /^3\./);
  // Operations tagged intel are exercised, each of them, by test/api/intel.test.ts.
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops)
    .filter(([, op]) => !(op as { tags?: string[] }).tags?.includes('intel')).map(([m]) => `${m} ${path}`)).sort();
  assert.ok(documented.length >= 10);
  assert.deepEqual(documented.filter((p) => !called.has(p)), []);
});
