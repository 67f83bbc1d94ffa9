/**
 * The service's composition root: opens the store, the blob store and the job queue for a data
 * directory (the embedded default: DIR/capdex.db, DIR/jobs.db, DIR/blobs/) and runs analysis
 * workers in this process unless asked not to. `--pg` / shared blobs (scale-out) come later
 * through the same Service shape.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore, type Store } from './store/store.js';
import type { BlobStore } from './store/blobs/blobs.js';
import { FolderBlobStore } from './store/blobs/folder-blobs.js';
import { SqliteJobQueue } from './jobs/sqlite-queue.js';
import type { JobQueue } from './jobs/jobs.js';

export interface Service {
  store: Store;
  blobs: BlobStore;
  jobs: JobQueue;
  dataDir?: string;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Run analysis workers in this process (default true). */
  worker?: boolean;
  workers?: number;
  jobTimeoutS?: number;
  jobMemoryMb?: number;
}

export async function openService(o: { dataDir: string }, opts: ServiceOptions = {}): Promise<Service> {
  await mkdir(o.dataDir, { recursive: true });
  const storePath = join(o.dataDir, 'capdex.db');
  // The store first: it creates and migrates the database before any worker opens it.
  const store = await openStore({ sqlite: storePath });
  const blobs = await FolderBlobStore.open(join(o.dataDir, 'blobs'));
  const jobs = SqliteJobQueue.open(join(o.dataDir, 'jobs.db'), {
    storePath: opts.worker === false ? undefined : storePath, blobs,
    workers: opts.workers, jobTimeoutS: opts.jobTimeoutS, jobMemoryMb: opts.jobMemoryMb,
  });
  return {
    store, blobs, jobs, dataDir: o.dataDir,
    async close() {
      await jobs.close();
      await store.close();
    },
  };
}
