/**
 * Starts the analysis worker thread. On Node 20 a worker cannot load .ts, so: from compiled code
 * (dist/) the worker is dist/jobs/analysis-worker.js; from sources run under tsx (tests, `npm run`
 * scripts) the worker first registers tsx's loader, then imports analysis-worker.ts.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { AnalysisTask } from './worker-protocol.js';

export function spawnAnalysisWorker(task: AnalysisTask, resourceLimits: ResourceLimits): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './analysis-worker.ts' : './analysis-worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: task, resourceLimits });
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { process.exitCode = 71; console.error(e); });`;
  return new Worker(boot, { eval: true, workerData: task, resourceLimits });
}
