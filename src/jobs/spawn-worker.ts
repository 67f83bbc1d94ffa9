/**
 * Starts worker threads of src/jobs/ (the analysis worker, now or ahead of its job: runner.ts; the
 * per-flow slicer: slice.ts). On Node 20 a worker cannot load .ts, so: from compiled code (dist/)
 * the worker is dist/jobs/<name>.js; from sources run under tsx (tests, `npm run` scripts) the
 * worker first registers tsx's loader, then imports <name>.ts.
 */
import { SHARE_ENV, Worker, type ResourceLimits, type WorkerOptions } from 'node:worker_threads';
import type { AnalysisTask } from './worker-protocol.js';

/**
 * `task` undefined: a worker started ahead of its job, which waits for the task as its first
 * message. A worker may run several jobs (runner.ts), so it sees this process's environment as it
 * is when each job comes (SHARE_ENV), not as it was at spawn.
 */
export function spawnAnalysisWorker(task: AnalysisTask | undefined, resourceLimits: ResourceLimits): Worker {
  return spawnJobWorker('analysis-worker', { workerData: task, resourceLimits, env: SHARE_ENV });
}

/** The worker thread whose entry is src/jobs/<name>.ts (dist/jobs/<name>.js compiled). */
export function spawnJobWorker(name: string, opts: WorkerOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, import.meta.url);
  if (!fromSource) return new Worker(entry, opts);
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { process.exitCode = 71; console.error(e); });`;
  return new Worker(boot, { ...opts, eval: true });
}
