/** Messages between the job runner (main thread) and an analysis worker thread. */
import type { JobProgress } from './jobs.js';

export interface AnalysisTask {
  /** The SQLite store file the worker imports into (its own connection). */
  storePath: string;
  /** The capture blob's local path (the folder blob store's file). */
  capturePath: string;
  digest: { sha256: string; md5: string; sha1: string; size: number };
  name: string;
  submitter?: string;
  visibility: 'public' | 'private';
}

export type WorkerMessage =
  | { type: 'progress'; progress: JobProgress }
  | { type: 'done'; progress: JobProgress }
  | { type: 'failed'; error: string };
