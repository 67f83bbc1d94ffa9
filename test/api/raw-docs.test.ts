/**
 * Pages of stored records sent with each document's stored JSON text (src/api/raw-docs.ts), on a
 * real server (127.0.0.1, port 0) over the SQLite service and a real capture: a log page and
 * search rows hold the stored text verbatim, parse to exactly what the store returns (every
 * field), and responses without records (aggregations, errors, captures) are as before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { isFinished, type Job } from '../../src/jobs/jobs.js';
import { ANONYMOUS } from '../../src/store/store.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;
let id: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-raw-docs-'));
  svc = await openService({ dataDir: join(dir, 'data') });
  app = await buildApi(svc);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  const up = await fetch(`${base}/api/captures?name=emotet.pcap`, {
    method: 'POST', body: readFileSync(join(PCAPS, 'malware-emotet.pcap')), headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(up.status, 201);
  id = ((await up.json()) as { id: string }).id;
  for (let i = 0; ; i++) {
    assert.ok(i < 600, 'the job did not finish in 60 s');
    const job = ((await (await fetch(`${base}/api/captures/${id}`)).json()) as { job: Job }).job;
    if (isFinished(job)) { assert.equal(job.status, 'done', job.error); break; }
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The documents' text as SQLite holds it, by record id, after giving every document a space after
 * its brace: still the same JSON, but text no serializer writes, so finding it in a body proves the
 * body was spliced from the store.
 */
function respacedStoredText(): Map<number, string> {
  const db = new Database(join(dir, 'data', 'capdex.db'));
  try {
    db.prepare(`UPDATE records SET doc = '{ ' || substr(doc, 2) WHERE substr(doc, 1, 2) <> '{ '`).run();
    return new Map((db.prepare('SELECT id, doc FROM records').all() as { id: number; doc: string }[]).map((r) => [r.id, r.doc]));
  } finally {
    db.close();
  }
}

test('a log page and search rows carry the stored text and equal the store\'s records', async () => {
  const text = respacedStoredText();
  for (const [path, key, expected] of [
    [`/api/captures/${id}/logs/conn?limit=100`, 'records', await svc.store.records(id, 'conn', { limit: 100, viewer: ANONYMOUS })],
    [`/api/search?q=${encodeURIComponent('log:http')}&limit=50`, 'rows', (await svc.store.search('log:http', { limit: 50, viewer: ANONYMOUS })).rows!],
  ] as const) {
    const res = await fetch(base + path);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = await res.text();
    const page = JSON.parse(body) as Record<string, unknown>;
    assert.ok(expected.length > 0, path);
    assert.deepEqual(page[key], JSON.parse(JSON.stringify(expected)), path);
    for (const r of expected) {
      assert.ok(text.get(r.id)!.startsWith('{ '));
      assert.ok(body.includes(`"doc":${text.get(r.id)!}}`), `${path}: record ${r.id} sent as stored`);
    }
  }
  const logPage = (await (await fetch(`${base}/api/captures/${id}/logs/conn?limit=100`)).json()) as Record<string, unknown>;
  assert.equal(logPage.captureId, id);
  assert.equal(logPage.partial, false);
});

test('responses without stored records are serialized as before', async () => {
  const agg = (await (await fetch(`${base}/api/search?q=${encodeURIComponent('log:conn | count by conn.service')}`)).json()) as { aggregation: unknown[] };
  assert.deepEqual(agg.aggregation, (await svc.store.search('log:conn | count by conn.service', { viewer: ANONYMOUS })).aggregation);
  const empty = (await (await fetch(`${base}/api/captures/${id}/logs/no_such_log?limit=10`)).json()) as { records: unknown[] };
  assert.deepEqual(empty.records, []);
  const bad = await fetch(`${base}/api/search?q=${encodeURIComponent('conn.service:(')}`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'BAD_QUERY');
});
