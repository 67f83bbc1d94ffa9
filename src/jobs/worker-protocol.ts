/** Messages between the job runner (main thread) and an analysis worker thread. */
import type { StoreLocation } from '../store/store.js';
import type { JobProgress } from './jobs.js';

/**
 * How the service analyses, as `capdex analyze` would with the same options (src/cli/analysis-options.ts):
 * the bundled ruleset unless turned off (`--no-default-rules`), the operator's rule files
 * (`--rules FILE`) and intel files (`--intel FILE`), absolute paths each job's worker reads, and
 * the local networks (`--local-nets`: conn.log local_orig/local_resp).
 */
export interface AnalysisConfig {
  bundledRules: boolean;
  ruleFiles: readonly string[];
  intelFiles?: readonly string[];
  localNets?: readonly string[];
}

/** What `capdex serve` and `capdex worker` run unless told otherwise: the bundled rules. */
export const DEFAULT_ANALYSIS: AnalysisConfig = Object.freeze({ bundledRules: true, ruleFiles: Object.freeze([]) as readonly string[] });

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
  /** Omitted: DEFAULT_ANALYSIS. */
  analysis?: AnalysisConfig;
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
  /** `reusable`: the worker can take another job (analysis-worker.ts decides; the runner may still stop it). */
  | { type: 'done'; progress: JobProgress; reusable?: boolean }
  | { type: 'failed'; error: string };
