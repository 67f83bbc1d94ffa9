/**
 * Analysis jobs: one per capture submission, run in worker threads (never on the API's event
 * loop), progress pushed to watchers, state kept where a restart finds it. The embedded queue is
 * sqlite-queue.ts; a pg-boss queue for scale-out implements the same interface later.
 */
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

export interface JobSubmission {
  captureId: string;
  name: string;
  submitter?: string;
  visibility: 'public' | 'private';
  reanalyse?: boolean;
  /** The capture's other digests and size, known from the upload: the worker need not hash again. */
  md5: string;
  sha1: string;
  size: number;
}

export interface JobQueue {
  /** Queues a job; without `reanalyse`, a capture with a queued, running or done job gets that job back. */
  submit(s: JobSubmission): Promise<Job>;
  get(jobId: string): Promise<Job | undefined>;
  latestFor(captureId: string): Promise<Job | undefined>;
  /** Live progress for SSE: called on every progress change and on completion; returns unsubscribe. */
  watch(jobId: string, onUpdate: (j: Job) => void): () => void;
  close(): Promise<void>;
}

export const isFinished = (j: Job): boolean => j.status === 'done' || j.status === 'failed';
