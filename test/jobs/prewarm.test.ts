/**
 * Analysis workers started ahead of their job (runner.ts prewarmAnalysis) and kept after it: an
 * idle queue keeps one waiting, a job handed to it stores what the engine writes, the worker that
 * finished a job waits for the next and runs it (a warm isolate) with the same results as a new
 * one, the crash hook set after the worker started still applies (the worker sees the environment
 * as it is when its job comes), a crashed worker is replaced once the queue has been idle a moment
 * (PREWARM_AFTER_JOB_MS), and closing the queue stops the waiting worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openService, type Service } from '../../src/service.js';
import { isFinished, type Job } from '../../src/jobs/jobs.js';
import { analysisWorkerCounts, prewarmedWorkers } from '../../src/jobs/runner.js';
import { SERVICE_ENGINE } from '../helpers.js';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');

async function submitFile(svc: Service, file: string, name = file): Promise<Job> {
  const d = await svc.blobs.put(createReadStream(join(PCAPS, file)));
  return svc.jobs.submit({ captureId: d.sha256, name, visibility: 'public', md5: d.md5, sha1: d.sha1, size: d.size });
}

/** What tells one record from another: its time (µs), connection, file, note and message. */
const identity = (r: Record<string, unknown>): string =>
  [Math.round(Number(r.ts) * 1e6), r.uid, r.fuid, r.fingerprint, r.note, r.msg, r.query, r.uri].map((v) => String(v ?? '')).join(' ');

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
    const started = analysisWorkerCounts().started;
    for (let i = 0; i < 100 && prewarmedWorkers() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(prewarmedWorkers(), 1, 'the job\'s worker waits for the next one');
    // Every log of a job on the warm worker equals the engine's, byte for byte (nothing of the last job leaks in).
    const reusedBefore = analysisWorkerCounts().reused;
    for (const [file, j] of [['malware-emotet.pcap', job], ['http-pe-download-disguised-as-png.pcap', await submitFile(svc, 'http-pe-download-disguised-as-png.pcap')]] as const) {
      assert.equal((await finished(svc, j.id)).status, 'done');
      const mem = new MemorySink();
      await analyze(join(PCAPS, file), mem, { engine: SERVICE_ENGINE });
      // Each log's records by identity (the logs' text formatting is the store's business, tested elsewhere).
      for (const log of ['conn', 'http', 'files', 'dns', 'smtp', 'ssl', 'x509', 'notice']) {
        const stored = (await svc.store.records(j.captureId, log, { limit: 10_000 })).map((r) => identity(r.doc));
        assert.deepEqual(stored.sort(), mem.get(log).map(identity).sort(), `${file} ${log}`);
      }
      const alerts = (await svc.store.records(j.captureId, 'alert', { limit: 10_000 })).map((r) => (r.doc.alert as { signature_id: number }).signature_id);
      assert.deepEqual(alerts.sort(), mem.get('eve').map((r) => (r.alert as { signature_id: number }).signature_id).sort(), `${file} alerts`);
    }
    assert.equal(analysisWorkerCounts().reused, reusedBefore + 1, 'the second job ran on the first one\'s worker');
    assert.equal(analysisWorkerCounts().started, started, 'no worker started for it');
    for (let i = 0; i < 100 && prewarmedWorkers() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(prewarmedWorkers(), 1);

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
