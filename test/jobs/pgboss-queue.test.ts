/**
 * The pg-boss queue with real worker threads over a real PostgreSQL (scripts/pg.sh's cluster, a
 * fresh database): a shared capture analysed into the PostgreSQL store equals what the engine
 * writes; the same capture twice is one job; a crashing worker fails its job alone; an API-only
 * queue (no workers) sees the worker queue's progress; a job left running by a dead worker (stale
 * heartbeat) is queued again by the next worker's sweep and runs once more without doubling.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openService, type Service } from '../../src/service.js';
import { isFinished, type Job } from '../../src/jobs/jobs.js';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';
import { testServer, type TestServer } from '../store/pg-server.js';
import { bigCapture } from './big-capture.js';
import { PREVIEW_RECORDS_PER_LOG } from '../../src/jobs/limits.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
let server: TestServer;
let dir: string;

before(async () => {
  server = await testServer();
  dir = mkdtempSync(join(tmpdir(), 'capdex-pgjobs-'));
});
after(async () => {
  await server.release();
  rmSync(dir, { recursive: true, force: true });
});

async function submitFile(svc: Service, file: string, name = file): Promise<Job> {
  const d = await svc.blobs.put(createReadStream(join(PCAPS, file)));
  return svc.jobs.submit({ captureId: d.sha256, name, visibility: 'public', md5: d.md5, sha1: d.sha1, size: d.size });
}

function finished(svc: Service, id: string, timeoutMs = 90_000): Promise<Job> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`job did not finish in ${timeoutMs} ms`)), timeoutMs);
    const check = (j: Job | undefined): void => { if (j && isFinished(j)) { clearTimeout(t); stop(); resolve(j); } };
    const stop = svc.jobs.watch(id, check);
    void svc.jobs.get(id).then(check);
  });
}

test('pg-boss queue: API-only process submits, a worker process analyses into PostgreSQL; dedupe; a crash fails alone; a dead worker\'s job runs again', async () => {
  const url = await server.database();
  const blobsDir = join(dir, 'blobs');
  process.env.CAPDEX_TEST_WORKER_CRASH = 'crash-me.pcap';
  const api = await openService({ pg: url, blobsDir }, { worker: false });
  let worker: Service | undefined;
  try {
    const crash = await submitFile(api, 'dns-tcp.pcap', 'crash-me.pcap');
    const job = await submitFile(api, 'http-get-simple.pcap');
    assert.equal((await submitFile(api, 'http-get-simple.pcap')).id, job.id);
    assert.equal((await api.jobs.stats()).byStatus.queued, 2);
    // Nothing runs them until a worker exists.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await api.jobs.get(job.id))?.status, 'queued');

    worker = await openService({ pg: url, blobsDir }, { worker: true });
    const crashed = await finished(api, crash.id);
    assert.equal(crashed.status, 'failed');
    assert.match(crashed.error ?? '', /exited with code 70/);
    const done = await finished(api, job.id);
    assert.equal(done.status, 'done', done.error);
    assert.equal(done.attempts, 1);

    const mem = new MemorySink();
    await analyze(join(PCAPS, 'http-get-simple.pcap'), mem);
    const http = await api.store.records(job.captureId, 'http');
    assert.ok(mem.get('http').length > 0);
    assert.deepEqual(http.map((r) => [r.doc.uid, r.doc.uri]), mem.get('http').map((r) => [r.uid, r.uri]));
    const recordCount = (await api.store.capture(job.captureId))!.recordCount;
    assert.equal(done.progress.records, recordCount);
    const stats = await api.jobs.stats();
    assert.deepEqual(stats.byStatus, { queued: 0, running: 0, done: 1, failed: 1 });
    assert.equal(stats.durations.count, 2);
    assert.equal(await api.jobs.partial(job.captureId, 'http', { limit: 10, offset: 0 }), undefined);
    await worker.close();
    worker = undefined;

    // A worker killed mid-job leaves its row running with a heartbeat that stops: the next worker's sweep queues it again.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`UPDATE capdex_jobs SET status = 'running', heartbeat_at = now() - interval '1 hour', claim = gen_random_uuid() WHERE id = $1`, [job.id]);
    await c.end();
    worker = await openService({ pg: url, blobsDir }, { worker: true });
    const rerun = await finished(api, job.id);
    assert.equal(rerun.status, 'done', rerun.error);
    assert.equal(rerun.attempts, 2);
    assert.equal((await api.store.capture(job.captureId))!.recordCount, recordCount);
    assert.equal((await api.store.records(job.captureId, 'http')).length, http.length);
  } finally {
    delete process.env.CAPDEX_TEST_WORKER_CRASH;
    await worker?.close();
    await api.close();
  }
});

test('pg-boss queue: partial results of a running job from another process (the first records per log, bounded), gone once done', async () => {
  const url = await server.database();
  const blobsDir = join(dir, 'blobs-partial');
  const api = await openService({ pg: url, blobsDir }, { worker: false });
  const worker = await openService({ pg: url, blobsDir }, { worker: true });
  try {
    const big = bigCapture(dir);
    const d = await api.blobs.put(createReadStream(big.path));
    const job = await api.jobs.submit({ captureId: d.sha256, name: 'big.pcap', visibility: 'public', md5: d.md5, sha1: d.sha1, size: d.size });
    let seen = 0;
    let progressEvents = 0;
    const stop = api.jobs.watch(job.id, (j) => { if (j.status === 'running') progressEvents++; });
    for (;;) {
      const p = await api.jobs.partial(d.sha256, 'conn', { limit: 10_000, offset: 0 });
      if (p) {
        assert.ok(p.length <= PREVIEW_RECORDS_PER_LOG);
        for (const r of p) assert.equal(r.log, 'conn');
        seen = Math.max(seen, p.length);
        if (p.length > 0) assert.equal(p[0].uid, p[0].doc.uid);
      }
      const j = await api.jobs.get(job.id);
      if (j && isFinished(j)) { assert.equal(j.status, 'done', j.error); break; }
      await new Promise((r) => setTimeout(r, 100));
    }
    stop();
    assert.ok(seen > 0, 'no partial conn records while the job ran');
    assert.ok(progressEvents > 0, 'the API process heard no progress from the worker process');
    assert.equal(await api.jobs.partial(d.sha256, 'conn', { limit: 10, offset: 0 }), undefined);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    assert.equal((await c.query('SELECT count(*)::int AS n FROM capdex_job_preview')).rows[0].n, 0);
    await c.end();
  } finally {
    await worker.close();
    await api.close();
  }
});
