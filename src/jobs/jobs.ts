/**
 * Analysis jobs: one per capture submission, run in worker threads (never on the API's event
 * loop), progress pushed to watchers, state kept where a restart finds it. The embedded queue is
 * sqlite-queue.ts (DIR/jobs.db); pgboss-queue.ts is the scale-out one (state in PostgreSQL, so
 * stateless API processes and worker processes on other machines share it). Both run each job
 * with runner.ts.
 */
import type { StoredRecord } from '../store/store.js';

export type JobStage = 'queued' | 'reading' | 'analysing' | 'indexing' | 'done' | 'failed';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobProgress {
  stage: JobStage;
  bytesDone: number;
  totalBytes: number;
  packets: number;
  records: number;
  alerts: number;
}

export interface Job {
  id: string;
  captureId: string;
  name: string;
  submitter?: string;
  visibility: 'public' | 'private';
  status: JobStatus;
  progress: JobProgress;
  error?: string;
  attempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/**
 * How a queue row says "MD5/SHA-1 not computed yet" (the worker computes them): the columns are
 * NOT NULL in every database made before uploads stopped hashing them, and a job row is internal.
 */
export const UNKNOWN_DIGEST = '';

export interface JobSubmission {
  captureId: string;
  name: string;
  submitter?: string;
  visibility: 'public' | 'private';
  reanalyse?: boolean;
  /**
   * The capture's other digests, when known already (an upload computes SHA-256 only: the worker
   * then hashes MD5 and SHA-1 itself, alongside the analysis), and its size.
   */
  md5?: string;
  sha1?: string;
  size: number;
}

export interface JobQueue {
  /** Queues a job; without `reanalyse`, a capture with a queued, running or done job gets that job back. */
  submit(s: JobSubmission): Promise<Job>;
  get(jobId: string): Promise<Job | undefined>;
  latestFor(captureId: string): Promise<Job | undefined>;
  /** Live progress for SSE: called on every progress change and on completion; returns unsubscribe. */
  watch(jobId: string, onUpdate: (j: Job) => void): () => void;
  /** Jobs not yet finished, oldest first (they have no store row yet). */
  unfinished(limit: number): Promise<Job[]>;
  /**
   * The partial results of the capture's running job: the first records of `log` the worker
   * posted (PREVIEW_RECORDS_PER_LOG per log at most; ids are positions in the preview, not store
   * ids). Undefined when the capture has no running job (read the store instead).
   */
  partial(captureId: string, log: string, page: { limit: number; offset: number }): Promise<StoredRecord[] | undefined>;
  /** Throws when the queue's database does not answer (/readyz). */
  ping(): Promise<void>;
  /** Counts for /metrics, across every process sharing the queue. */
  stats(): Promise<JobStats>;
  close(): Promise<void>;
}

/** Upper bounds (seconds) of the job duration histogram /metrics shows. */
export const JOB_DURATION_BUCKETS_S = [1, 5, 15, 60, 300, 900, 3600] as const;

export interface JobStats {
  byStatus: Record<JobStatus, number>;
  /** Finished jobs (done or failed) with both start and finish times: run time in seconds. */
  durations: { buckets: { le: number; count: number }[]; count: number; sumS: number };
}

export const isFinished = (j: Job): boolean => j.status === 'done' || j.status === 'failed';
