/**
 * Runs one analysis in its own worker thread, under a time limit and a V8 heap limit, and turns
 * whatever happens to the thread into one outcome: done, failed (with a reason a person can act
 * on) or interrupted (this process is shutting down; the job must run again elsewhere). Both job
 * queues (sqlite-queue.ts, pgboss-queue.ts) use it, so a crash, a timeout or an out-of-memory
 * fails the job the same way whichever queue holds it.
 */
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

export function runAnalysis(task: AnalysisTask, limits: RunLimits, initial: JobProgress, on: RunListener): RunningAnalysis {
  const worker = spawnAnalysisWorker(task, { maxOldGenerationSizeMb: limits.memoryMb });
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
