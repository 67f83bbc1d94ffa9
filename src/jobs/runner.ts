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
 * Workers waiting for a job, by heap limit (set at spawn): started ahead of the next job, or back
 * from one they finished. A new worker spends ~0.5 s of CPU loading the engine's modules before it
 * reads a byte, so one is started while the queue is idle. A worker that finished a job is kept
 * for the next (analysis-worker.ts says when it retires instead): V8 has compiled the engine's hot
 * code and learnt its types by then, and analysing in a warm isolate takes about half the CPU of a
 * cold one (bench-32m in one process: 1.58 s first, 0.87 s second, 0.57 s third run). Unreferenced:
 * a waiting worker never keeps the process alive.
 */
const warm = new Map<number, Worker[]>();
/** Waiting workers kept per heap limit; a finished job's worker beyond that retires. */
const WARM_MAX_PER_LIMIT = 4;
/** How each waiting worker leaves the pool if it dies while it waits. */
const leaveOnDeath = new WeakMap<Worker, () => void>();
const counts = { started: 0, reused: 0 };
/** Workers that have finished a job (a job on one of them counts as reused). */
const warmedByAJob = new WeakSet<Worker>();

function park(w: Worker, memoryMb: number): void {
  const list = warm.get(memoryMb) ?? [];
  if (list.length >= WARM_MAX_PER_LIMIT) { void w.terminate(); return; }
  w.unref();
  const leave = (): void => {
    const l = warm.get(memoryMb);
    const i = l?.indexOf(w) ?? -1;
    if (i >= 0) l!.splice(i, 1);
  };
  w.once('error', leave);
  w.once('exit', leave);
  leaveOnDeath.set(w, leave);
  list.push(w);
  warm.set(memoryMb, list);
}

/** Starts a worker for the next job with these limits, unless one is waiting already (queues call it when idle). */
export function prewarmAnalysis(limits: RunLimits): void {
  if (warm.get(limits.memoryMb)?.length) return;
  counts.started++;
  park(spawnAnalysisWorker(undefined, { maxOldGenerationSizeMb: limits.memoryMb }), limits.memoryMb);
}

/** Workers waiting for a job (for tests and /metrics-style introspection). */
export function prewarmedWorkers(): number {
  let n = 0;
  for (const l of warm.values()) n += l.length;
  return n;
}

/** Analysis workers this process started, and jobs that ran on a worker another job had warmed. */
export function analysisWorkerCounts(): { started: number; reused: number } {
  return { ...counts };
}

/** Stops the waiting workers (a queue closing). */
export async function discardPrewarmed(): Promise<void> {
  const ws = [...warm.values()].flat();
  warm.clear();
  await Promise.all(ws.map((w) => w.terminate()));
}

/** A waiting worker, handed its task, or a new one. */
function workerFor(task: AnalysisTask, limits: RunLimits): Worker {
  const w = warm.get(limits.memoryMb)?.pop();
  if (!w) {
    counts.started++;
    return spawnAnalysisWorker(task, { maxOldGenerationSizeMb: limits.memoryMb });
  }
  if (warmedByAJob.has(w)) counts.reused++;
  const leave = leaveOnDeath.get(w);
  if (leave) { w.off('error', leave); w.off('exit', leave); }
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
  /** `keep`: the worker finished well and may take another job (it said so); otherwise it is stopped. */
  const finish = (o: RunOutcome, keep = false): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    if (keep) { warmedByAJob.add(worker); park(worker, limits.memoryMb); }
    else void worker.terminate();
    settle(o);
  };
  const fail = (error: string): void => finish({ status: 'failed', error, progress });
  const timer = setTimeout(() => fail(`analysis took longer than the ${limits.timeoutS} s limit`), limits.timeoutS * 1000);
  const onMessage = (m: WorkerMessage): void => {
    if (settled) return;
    if (m.type === 'progress') { progress = m.progress; on.progress(progress); }
    else if (m.type === 'preview') on.preview(m.records);
    else if (m.type === 'done') finish({ status: 'done', progress: m.progress }, m.reusable === true && !stopping);
    else fail(m.error);
  };
  const onError = (e: Error): void => {
    if (stopping) finish({ status: 'interrupted' });
    else fail(/memory/i.test(e.message) ? `analysis ran out of memory (limit ${limits.memoryMb} MB)` : `analysis crashed: ${e.message}`);
  };
  const onExit = (code: number): void => {
    if (stopping) finish({ status: 'interrupted' });
    else fail(`analysis worker exited with code ${code} before finishing`);
  };
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);

  return {
    outcome,
    async stop() {
      stopping = true;
      await worker.terminate();
      finish({ status: 'interrupted' });
    },
  };
}
