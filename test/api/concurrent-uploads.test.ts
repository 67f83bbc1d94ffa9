/**
 * Twenty users at once: twenty different shared captures uploaded concurrently to a real server
 * (with two analysis workers), plus the same capture sent twice at the same moment. Every upload
 * is answered, every capture is analysed exactly once into the store with the engine's own record
 * count, and the simultaneous duplicate shares one job.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';
import type { Job } from '../../src/jobs/jobs.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
const UPLOADS = 20;

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-concurrent-'));
  svc = await openService({ dataDir: dir }, { workers: 2 });
  app = await buildApi(svc, { rateLimit: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The 20 smallest well-formed shared captures (the bad-* ones are tested elsewhere). */
function captures(): string[] {
  return readdirSync(PCAPS)
    .filter((f) => /\.(pcap|pcapng)$/.test(f) && !f.startsWith('bad-'))
    .map((f) => ({ f, size: statSync(join(PCAPS, f)).size }))
    .filter((x) => x.size > 0)
    .sort((a, b) => a.size - b.size || a.f.localeCompare(b.f))
    .slice(0, UPLOADS)
    .map((x) => x.f);
}

async function waitDone(id: string): Promise<Job> {
  for (let i = 0; i < 1200; i++) {
    const body = (await (await fetch(`${base}/api/captures/${id}`)).json()) as { job: Job };
    if (body.job.status === 'done' || body.job.status === 'failed') return body.job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job of ${id} did not finish`);
}

test('20 concurrent uploads: each answered, analysed once, stored with the engine\'s record count', async () => {
  const files = captures();
  assert.equal(files.length, UPLOADS);
  const answers = await Promise.all(files.map(async (f) => {
    const r = await fetch(`${base}/api/captures?name=${encodeURIComponent(f)}`, {
      method: 'POST', body: readFileSync(join(PCAPS, f)), headers: { 'content-type': 'application/octet-stream' },
    });
    return { f, status: r.status, body: (await r.json()) as { id: string; job: Job } };
  }));
  for (const a of answers) assert.equal(a.status, 201, `${a.f}: ${JSON.stringify(a.body)}`);
  assert.equal(new Set(answers.map((a) => a.body.id)).size, UPLOADS, 'distinct captures');

  const jobs = await Promise.all(answers.map((a) => waitDone(a.body.id)));
  for (const [i, j] of jobs.entries()) {
    assert.equal(j.status, 'done', `${answers[i].f}: ${j.error ?? ''}`);
    assert.equal(j.attempts, 1, `${answers[i].f} analysed once`);
  }
  const stored = await svc.store.captures({ limit: 100 });
  assert.equal(stored.length, UPLOADS);
  // Each stored capture holds exactly what the engine writes for its file.
  for (const a of answers.slice(0, 5)) {
    const mem = new MemorySink();
    await analyze(join(PCAPS, a.f), mem);
    let engineRecords = 0;
    for (const records of mem.records.values()) engineRecords += records.length;
    const row = stored.find((c) => c.id === a.body.id)!;
    assert.equal(row.recordCount, engineRecords, a.f);
  }
});

test('the same capture sent twice at the same moment: one capture, one job', async () => {
  const bytes = readFileSync(join(PCAPS, 'http-get-simple.pcap'));
  const send = () => fetch(`${base}/api/captures?reanalyse=false`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
    .then(async (r) => ({ status: r.status, body: (await r.json()) as { id: string; job: Job } }));
  const [a, b] = await Promise.all([send(), send()]);
  assert.deepEqual([a.status, b.status].sort(), [200, 201]);
  assert.equal(a.body.id, b.body.id);
  assert.equal(a.body.job.id, b.body.job.id);
  assert.equal((await waitDone(a.body.id)).status, 'done');
});
