/**
 * The embedded job queue with real worker threads: a shared capture analysed into the store equals
 * what the engine writes; the same capture twice is one job; a crashing worker fails its job alone;
 * jobs left running by a dead process are queued again on open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openService, type Service } from '../../src/service.js';
import type { Job } from '../../src/jobs/jobs.js';
import { isFinished } from '../../src/jobs/jobs.js';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');

async function submitFile(svc: Service, file: string, name = file): Promise<Job> {
  const d = await svc.blobs.put(createReadStream(join(PCAPS, file)));
  return svc.jobs.submit({ captureId: d.sha256, name, visibility: 'public', md5: d.md5, sha1: d.sha1, size: d.size });
}

function finished(svc: Service, id: string): Promise<Job> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('job did not finish in 60 s')), 60_000);
    const check = (j: Job | undefined): void => { if (j && isFinished(j)) { clearTimeout(t); stop(); resolve(j); } };
    const stop = svc.jobs.watch(id, check);
    void svc.jobs.get(id).then(check);
  });
}

test('jobs: analysed in a worker into the store, same as the engine; dedupe; a crash fails alone; restart requeues', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-jobs-'));
  process.env.CAPDEX_TEST_WORKER_CRASH = 'crash-me.pcap';
  try {
    let svc = await openService({ dataDir: dir });
    const crash = await submitFile(svc, 'dns-tcp.pcap', 'crash-me.pcap');
    const job = await submitFile(svc, 'http-get-simple.pcap');
    const again = await submitFile(svc, 'http-get-simple.pcap');
    assert.equal(again.id, job.id);
    const crashed = await finished(svc, crash.id);
    assert.equal(crashed.status, 'failed');
    assert.match(crashed.error ?? '', /exited with code 70/);
    const done = await finished(svc, job.id);
    assert.equal(done.status, 'done', done.error);
    assert.equal(done.progress.stage, 'done');
    assert.equal(done.attempts, 1);

    const mem = new MemorySink();
    await analyze(join(PCAPS, 'http-get-simple.pcap'), mem);
    const http = await svc.store.records(job.captureId, 'http');
    const engineHttp = mem.get('http');
    assert.ok(engineHttp.length > 0);
    assert.deepEqual(http.map((r) => [r.doc.uid, r.doc.uri]), engineHttp.map((r) => [r.uid, r.uri]));
    assert.equal(done.progress.records, (await svc.store.capture(job.captureId))!.recordCount);
    await svc.close();

    // A process that died mid-job left it 'running': the next open queues it again and runs it.
    const db = new Database(join(dir, 'jobs.db'));
    db.prepare(`UPDATE jobs SET status = 'running' WHERE id = ?`).run(job.id);
    db.close();
    svc = await openService({ dataDir: dir });
    const rerun = await finished(svc, job.id);
    assert.equal(rerun.status, 'done');
    assert.equal(rerun.attempts, 2);
    assert.equal((await svc.store.records(job.captureId, 'http')).length, engineHttp.length);
    await svc.close();
  } finally {
    delete process.env.CAPDEX_TEST_WORKER_CRASH;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('jobs: one over its time limit is stopped and failed with the reason; the next job is still picked up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-jobs-'));
  try {
    const svc = await openService({ dataDir: dir }, { jobTimeoutS: 0.001 });
    const job = await submitFile(svc, 'dns-tcp.pcap');
    const failed = await finished(svc, job.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /longer than the 0\.001 s limit/);
    assert.equal(await svc.store.capture(job.captureId), undefined);
    const next = await submitFile(svc, 'http-get-simple.pcap');
    assert.equal((await finished(svc, next.id)).status, 'failed');
    await svc.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
