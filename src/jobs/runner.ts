/**
 * Runs one analysis in its own worker thread, under a time limit and a V8 heap limit, and turns
 * whatever happens to the thread into one outcome: done, failed (with a reason a person can act
 * on) or interrupted (this process is shutting down; the job must run again elsewhere). Both job
 * queues (sqlite-queue.ts, pgboss-queue.ts) use it, so a crash, a timeout or an out-of-memory
 * fails the job the same way whichever queue holds it.
 */
import type { Worker } from 'node:worker_threads';
import type { JobProgress } from './jobs.js';
import { spawnAnalysisWorker } from './spawn-worker.js';
import type { AnalysisTask, PreviewRecord, WorkerMessage } from './worker-protocol.js';

export interface RunLimits {
  /** Seconds the analysis may take before its worker is stopped and the job failed. */
  timeoutS: number;
  /** V8 old-generation heap limit of the worker, MB. */
  memoryMb: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = { timeoutS: 3600, memoryMb: 2048 };

export type RunOutcome =
  | { status: 'done'; progress: JobProgress }
  | { status: 'failed'; error: string; progress: JobProgress }
  | { status: 'interrupted' };

export interface RunListener {
  progress(p: JobProgress): void;
  preview(records: PreviewRecord[]): void;
}

export interface RunningAnalysis {
  outcome: Promise<RunOutcome>;
  /** Stops the worker for a shutdown: the outcome becomes 'interrupted'. */
  stop(): Promise<void>;
}

/**
 * Workers started ahead of the next job, by heap limit (set at spawn). A worker spends ~0.5 s of
 * CPU loading the engine's modules before it reads a byte: done while the queue is idle, a job
 * starts analysing (and shows first results) that much sooner. Unreferenced: a waiting worker
 * never keeps the process alive.
 */
const warm = new Map<number, Worker>();

/** Starts a worker for the next job with these limits, unless one is waiting already (queues call it when idle). */
export function prewarmAnalysis(limits: RunLimits): void {
  if (warm.has(limits.memoryMb)) return;
  const w = spawnAnalysisWorker(undefined, { maxOldGenerationSizeMb: limits.memoryMb });
  w.unref();
  const drop = (): void => { if (warm.get(limits.memoryMb) === w) warm.delete(limits.memoryMb); };
  w.once('error', drop);
  w.once('exit', drop);
  warm.set(limits.memoryMb, w);
}

/** Workers waiting for a job (for tests and /metrics-style introspection). */
export function prewarmedWorkers(): number {
  return warm.size;
}

/** Stops the waiting workers (a queue closing). */
export async function discardPrewarmed(): Promise<void> {
  const ws = [...warm.values()];
  warm.clear();
  await Promise.all(ws.map((w) => w.terminate()));
}

/** The waiting worker, handed its task, or a new one. */
function workerFor(task: AnalysisTask, limits: RunLimits): Worker {
  const w = warm.get(limits.memoryMb);
  if (!w) return spawnAnalysisWorker(task, { maxOldGenerationSizeMb: limits.memoryMb });
  warm.delete(limits.memoryMb);
  w.ref();
  w.postMessage(task);
  return w;
}

export function runAnalysis(task: AnalysisTask, limits: RunLimits, initial: JobProgress, on: RunListener): RunningAnalysis {
  const worker = workerFor(task, limits);
  let progress = initial;
  let stopping = false;
  let settle!: (o: RunOutcome) => void;
  const outcome = new Promise<RunOutcome>((resolve) => { settle = resolve; });
  let settled = false;
  const finish = (o: RunOutcome): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    settle(o);
    void worker.terminate();
  };
  const fail = (error: string): void => finish({ status: 'failed', error, progress });
  const timer = setTimeout(() => fail(`analysis took longer than the ${limits.timeoutS} s limit`), limits.timeoutS * 1000);
  worker.on('message', (m: WorkerMessage) => {
    if (settled) return;
    if (m.type === 'progress') { progress = m.progress; on.progress(progress); }
    else if (m.type === 'preview') on.preview(m.records);
    else if (m.type === 'done') finish({ status: 'done', progress: m.progress });
    else fail(m.error);
  });
  worker.on('error', (e) => {
    if (stopping) finish({ status: 'interrupted' });
    else fail(/memory/i.test(e.message) ? `analysis ran out of memory (limit ${limits.memoryMb} MB)` : `analysis crashed: ${e.message}`);
  });
  worker.on('exit', (code) => {
    if (stopping) finish({ status: 'interrupted' });
    else fail(`analysis worker exited with code ${code} before finishing`);
  });
  return {
    outcome,
    async stop() {
      stopping = true;
      await worker.terminate();
      finish({ status: 'interrupted' });
    },
  };
}
