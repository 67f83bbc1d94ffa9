/**
 * The service's composition root: opens the store, the blob store and the job queue, and runs
 * analysis workers in this process unless asked not to. Two locations:
 * - `{ dataDir }`, the embedded default: DIR/capdex.db (SQLite store), DIR/jobs.db (SQLite queue),
 *   DIR/blobs/;
 * - `{ pg, blobsDir }`, scale-out: the store and a pg-boss queue on one PostgreSQL database, blobs in
 *   a folder every process shares. API processes run with `worker: false`; `capdex worker` runs
 *   workers only (it never answers HTTP).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore, type Store } from './store/store.js';
import type { BlobStore } from './store/blobs/blobs.js';
import { FolderBlobStore } from './store/blobs/folder-blobs.js';
import { SqliteJobQueue } from './jobs/sqlite-queue.js';
import type { JobQueue } from './jobs/jobs.js';
import { sqliteChangeClock, type ChangeClock } from './store/sqlite/change-clock.js';
import type { AnalysisConfig } from './jobs/worker-protocol.js';

export interface Service {
  store: Store;
  blobs: BlobStore;
  jobs: JobQueue;
  dataDir?: string;
  /** Clocks that move on every write to the store and to the queue, whichever process made it; undefined: not watched. */
  changes?: { store: ChangeClock; jobs: ChangeClock };
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Run analysis workers in this process (default true). */
  worker?: boolean;
  workers?: number;
  jobTimeoutS?: number;
  jobMemoryMb?: number;
  /** How every job analyses: rules, intel, local networks (default: the bundled ruleset, as `capdex analyze`). */
  analysis?: AnalysisConfig;
  /** Watch the database for writes (`changes`, for the API's response cache); PostgreSQL only, default true. */
  watchChanges?: boolean;
}

export type ServiceLocation = { dataDir: string } | { pg: string; blobsDir: string };

export async function openService(o: ServiceLocation, opts: ServiceOptions = {}): Promise<Service> {
  if ('pg' in o) return openScaledOut(o, opts);
  await mkdir(o.dataDir, { recursive: true });
  const storePath = join(o.dataDir, 'capdex.db');
  // The store first: it creates and migrates the database before any worker opens it.
  const store = await openStore({ sqlite: storePath });
  const blobs = await FolderBlobStore.open(join(o.dataDir, 'blobs'));
  const jobs = SqliteJobQueue.open(join(o.dataDir, 'jobs.db'), {
    storePath: opts.worker === false ? undefined : storePath, blobs,
    workers: opts.workers, jobTimeoutS: opts.jobTimeoutS, jobMemoryMb: opts.jobMemoryMb, analysis: opts.analysis,
  });
  const changes = { store: sqliteChangeClock(storePath), jobs: sqliteChangeClock(join(o.dataDir, 'jobs.db')) };
  return {
    store, blobs, jobs, dataDir: o.dataDir, changes,
    async close() {
      changes.store.close();
      changes.jobs.close();
      await jobs.close();
      await store.close();
    },
  };
}

async function openScaledOut(o: { pg: string; blobsDir: string }, opts: ServiceOptions): Promise<Service> {
  const store = await openStore({ pg: o.pg });
  const blobs = await FolderBlobStore.open(o.blobsDir);
  // Loaded only here: the embedded service never loads pg-boss.
  const { PgBossJobQueue } = await import('./jobs/pgboss-queue.js');
  const jobs = await PgBossJobQueue.open(o.pg, {
    blobs, worker: opts.worker !== false, workers: opts.workers, jobTimeoutS: opts.jobTimeoutS, jobMemoryMb: opts.jobMemoryMb,
    analysis: opts.analysis,
  }).catch(async (e: unknown) => { await store.close(); throw e; });
  // After the queue opened: its tables have their change triggers by then.
  const { pgChangeClocks } = await import('./store/postgres/change-clock.js');
  const clocks = opts.watchChanges === false ? undefined
    : await pgChangeClocks(o.pg).catch(async (e: unknown) => { await jobs.close(); await store.close(); throw e; });
  return {
    store, blobs, jobs, changes: clocks && { store: clocks.store, jobs: clocks.jobs },
    async close() {
      await clocks?.stop();
      await jobs.close();
      await store.close();
    },
  };
}
