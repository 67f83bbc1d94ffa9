/**
 * Analysis workers started ahead of their job (runner.ts prewarmAnalysis): an idle queue keeps
 * one waiting, a job handed to it stores what the engine writes, the next one is started once the
 * queue has been idle a moment (PREWARM_AFTER_JOB_MS: not while the job's results are first read), the crash hook set after the worker started still applies (the worker sees
 * the environment as it is when its job comes), and closing the queue stops the waiting worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openService, type Service } from '../../src/service.js';
import { isFinished, type Job } from '../../src/jobs/jobs.js';
import { prewarmedWorkers } from '../../src/jobs/runner.js';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');

async function submitFile(svc: Service, file: string, name = file): Promise<Job> {
  const d = await svc.blobs.put(createReadStream(join(PCAPS, file)));
  return svc.jobs.submit({ captureId: d.sha256, name, visibility: 'public', md5: d.md5, sha1: d.sha1, size: d.size });
}

async function finished(svc: Service, id: string): Promise<Job> {
  for (let i = 0; i < 1200; i++) {
    const j = await svc.jobs.get(id);
    if (j && isFinished(j)) return j;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish in 60 s');
}

test('an idle queue keeps a worker waiting; jobs run on it as on a new one; closing stops it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-prewarm-'));
  t.after(() => { delete process.env.CAPDEX_TEST_WORKER_CRASH; rmSync(dir, { recursive: true, force: true }); });
  const svc = await openService({ dataDir: dir });
  try {
    assert.equal(prewarmedWorkers(), 1, 'started when the queue opened idle');
    const job = await submitFile(svc, 'malware-emotet.pcap');
    assert.equal(prewarmedWorkers(), 0, 'handed to the job');
    const done = await finished(svc, job.id);
    assert.equal(done.status, 'done', done.error);
    // Not at once: the finished job's results are being opened then (PREWARM_AFTER_JOB_MS later).
    assert.equal(prewarmedWorkers(), 0, 'none while the finished job\'s results are first read');
    const mem = new MemorySink();
    await analyze(join(PCAPS, 'malware-emotet.pcap'), mem);
    const http = await svc.store.records(job.captureId, 'http');
    assert.ok(mem.get('http').length > 0);
    assert.deepEqual(http.map((r) => [r.doc.uid, r.doc.uri]), mem.get('http').map((r) => [r.uid, r.uri]));
    for (let i = 0; i < 200 && prewarmedWorkers() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(prewarmedWorkers(), 1, 'the next one waits once the queue has been idle a moment');

    // Set after the waiting worker started: it reads the environment when its job comes.
    process.env.CAPDEX_TEST_WORKER_CRASH = 'crash-me.pcap';
    const crashed = await finished(svc, (await submitFile(svc, 'dns-tcp.pcap', 'crash-me.pcap')).id);
    assert.equal(crashed.status, 'failed');
    assert.match(crashed.error ?? '', /exited with code 70/);
  } finally {
    await svc.close();
  }
  assert.equal(prewarmedWorkers(), 0, 'closing the queue stops the waiting worker');
});
