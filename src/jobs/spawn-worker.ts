/**
 * Starts the analysis worker thread (now, or ahead of its job: runner.ts). On Node 20 a worker cannot load .ts, so: from compiled code
 * (dist/) the worker is dist/jobs/analysis-worker.js; from sources run under tsx (tests, `npm run`
 * scripts) the worker first registers tsx's loader, then imports analysis-worker.ts.
 */
import { SHARE_ENV, Worker, type ResourceLimits, type WorkerOptions } from 'node:worker_threads';
import type { AnalysisTask } from './worker-protocol.js';

/**
 * `task` undefined: a worker started ahead of its job, which waits for the task as its first
 * message; it sees this process's environment as it is then (SHARE_ENV), not as it was at spawn.
 */
export function spawnAnalysisWorker(task: AnalysisTask | undefined, resourceLimits: ResourceLimits): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './analysis-worker.ts' : './analysis-worker.js', import.meta.url);
  const env: WorkerOptions = task === undefined ? { env: SHARE_ENV } : {};
  if (!fromSource) return new Worker(entry, { workerData: task, resourceLimits, ...env });
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { process.exitCode = 71; console.error(e); });`;
  return new Worker(boot, { eval: true, workerData: task, resourceLimits, ...env });
}
