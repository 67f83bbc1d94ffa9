/**
 * What one `capdex serve` analysis job costs before and around the analysis itself: a fresh
 * analysis worker thread (dist/jobs/analysis-worker.js, as `npm run build` made it) is started,
 * given a small capture and a fresh SQLite store, and timed until its outcome; wall and CPU
 * (this process, worker threads included) per run.
 *
 *   node --import tsx bench/job-start.ts [DIST] [CAPTURE] [--runs K]
 *
 * DIST defaults to this checkout's dist/, CAPTURE to the shared ftp-login.pcap (10 packets), so
 * the figure is mostly start-up: module loading, store opening, the job's own bookkeeping.
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './build-capture.js';
import type { AnalysisTask, WorkerMessage } from '../src/jobs/worker-protocol.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
const dist = resolve(args[0] ?? join(REPO_ROOT, 'dist'));
const capture = resolve(args[1] ?? join(REPO_ROOT, '..', 'shared', 'pcaps', 'ftp-login.pcap'));

const bytes = readFileSync(capture);
const digest = (alg: string): string => createHash(alg).update(bytes).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'capdex-job-start-'));
const cpus: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const store = join(work, `run-${i}`, 'capdex.db');
    const task: AnalysisTask = {
      store: { sqlite: store }, capturePath: capture, name: 'job-start.pcap', visibility: 'public',
      digest: { sha256: digest('sha256'), md5: digest('md5'), sha1: digest('sha1'), size: bytes.length },
    };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    // execArgv: [] — as under `capdex serve`: the worker must not inherit this script's tsx loader.
    const w = new Worker(pathToFileURL(join(dist, 'jobs', 'analysis-worker.js')), { execArgv: [] });
    const outcome = await new Promise<WorkerMessage>((res, rej) => {
      w.on('message', (m: WorkerMessage) => { if (m.type === 'done' || m.type === 'failed') res(m); });
      w.on('error', rej);
      w.postMessage(task);
    });
    await w.terminate();
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    process.stdout.write(`run ${i + 1}: ${outcome.type}, ${(performance.now() - t0).toFixed(0)} ms wall, ${cpus[i].toFixed(0)} ms CPU\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const sorted = [...cpus].sort((a, b) => a - b);
process.stdout.write(`median ${sorted[sorted.length >> 1].toFixed(0)} ms CPU per job (${dist})\n`);
