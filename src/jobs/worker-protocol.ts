/** Messages between the job runner (main thread) and an analysis worker thread. */
import type { StoreLocation } from '../store/store.js';
import type { JobProgress } from './jobs.js';

export interface AnalysisTask {
  /** The store the worker imports into (its own connection): a SQLite file or a PostgreSQL URL. */
  store: StoreLocation;
  /** The capture blob's local path (the folder blob store's file). */
  capturePath: string;
  /** MD5 and SHA-1 absent when the upload did not compute them: the worker does (capture-import.ts). */
  digest: { sha256: string; md5?: string; sha1?: string; size: number };
  name: string;
  submitter?: string;
  visibility: 'public' | 'private';
}

/**
 * One record of the partial results a running job shows: the columns and document exactly as the
 * store will hold them (RecordEncoder), so a partial page and the final page look alike.
 */
export interface PreviewRecord {
  log: string;
  ts: number | null;
  uid: string | null;
  communityId: string | null;
  /** The document as JSON text. */
  doc: string;
}

export type WorkerMessage =
  | { type: 'progress'; progress: JobProgress }
  /** More of the first PREVIEW_RECORDS_PER_LOG records of each log (only the ones not posted before). */
  | { type: 'preview'; records: PreviewRecord[] }
  | { type: 'done'; progress: JobProgress }
  | { type: 'failed'; error: string };
