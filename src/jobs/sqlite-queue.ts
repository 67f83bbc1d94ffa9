/**
 * The embedded job queue: a `jobs` table in DIR/jobs.db (SQLite, WAL), and a runner that claims
 * queued jobs (in a transaction) and analyses each in its own worker thread.
 *
 * Restart safety: a job is 'running' only while a worker of this process has it; on open, jobs
 * left 'running' by a dead process go back to 'queued' (or fail after JOB_MAX_ATTEMPTS claims, so
 * a capture that kills the whole process cannot loop forever). The store's import is all or
 * nothing, so re-running an interrupted job never doubles records.
 *
 * A worker that crashes, exceeds its memory limit or its time limit fails its own job with a
 * reason; other jobs and the API go on.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { BlobStore } from '../store/blobs/blobs.js';
import { isFinished, type Job, type JobProgress, type JobQueue, type JobStatus, type JobSubmission } from './jobs.js';
import { spawnAnalysisWorker } from './spawn-worker.js';
import type { WorkerMessage } from './worker-protocol.js';

/** Claims of one job before it is failed instead of retried (each restart mid-job is one claim). */
export const JOB_MAX_ATTEMPTS = 3;

export interface RunnerOptions {
  /** The SQLite store file workers import into; no runner when undefined (an API-only process). */
  storePath?: string;
  blobs: BlobStore;
  /** Concurrent analysis workers (default 1). */
  workers?: number;
  /** Seconds a job may run before its worker is stopped and the job failed (default 3600). */
  jobTimeoutS?: number;
  /** V8 heap limit of each worker in MB (default 2048). */
  jobMemoryMb?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  capture_id TEXT NOT NULL,
  name TEXT NOT NULL,
  submitter TEXT,
  visibility TEXT NOT NULL,
  md5 TEXT NOT NULL, sha1 TEXT NOT NULL, size INTEGER NOT NULL,
  status TEXT NOT NULL,
  progress TEXT NOT NULL,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_capture ON jobs (capture_id, seq);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
`;

interface JobRow {
  id: string; capture_id: string; name: string; submitter: string | null; visibility: 'public' | 'private';
  md5: string; sha1: string; size: number; status: JobStatus; progress: string; error: string | null;
  attempts: number; created_at: number; started_at: number | null; finished_at: number | null;
}

function toJob(r: JobRow): Job {
  const j: Job = {
    id: r.id, captureId: r.capture_id, name: r.name, visibility: r.visibility, status: r.status,
    progress: JSON.parse(r.progress) as JobProgress, attempts: r.attempts, createdAt: r.created_at,
  };
  if (r.submitter !== null) j.submitter = r.submitter;
  if (r.error !== null) j.error = r.error;
  if (r.started_at !== null) j.startedAt = r.started_at;
  if (r.finished_at !== null) j.finishedAt = r.finished_at;
  return j;
}

const queuedProgress = (size: number): JobProgress => ({ stage: 'queued', bytesDone: 0, totalBytes: size, packets: 0, records: 0, alerts: 0 });

export class SqliteJobQueue implements JobQueue {
  private readonly events = new EventEmitter();
  private readonly running = new Map<string, Worker>();
  private closed = false;

  private constructor(private readonly db: Database.Database, private readonly opts: RunnerOptions) {
    this.events.setMaxListeners(0);
  }

  static open(path: string, opts: RunnerOptions): SqliteJobQueue {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.exec(SCHEMA);
    const q = new SqliteJobQueue(db, opts);
    if (opts.storePath !== undefined) {
      q.recover();
      q.pump();
    }
    return q;
  }

  /** Jobs a dead process left running: back to the queue, or failed when claimed too often. */
  private recover(): void {
    this.db.prepare(`UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE status = 'running' AND attempts >= ?`)
      .run(`interrupted ${JOB_MAX_ATTEMPTS} times (the server stopped during its analysis each time)`, Date.now(), JOB_MAX_ATTEMPTS);
    this.db.prepare(`UPDATE jobs SET status = 'queued', progress = json_set(progress, '$.stage', 'queued') WHERE status = 'running'`).run();
  }

  async submit(s: JobSubmission): Promise<Job> {
    const submitNew = this.db.transaction((): Job => {
      if (!s.reanalyse) {
        const existing = this.db.prepare(`SELECT * FROM jobs WHERE capture_id = ? AND status != 'failed' ORDER BY seq DESC LIMIT 1`).get(s.captureId) as JobRow | undefined;
        if (existing) return toJob(existing);
      }
      const seq = (this.db.prepare('SELECT coalesce(max(seq), 0) + 1 AS n FROM jobs').get() as { n: number }).n;
      const id = randomUUID();
      this.db.prepare(`INSERT INTO jobs (id, capture_id, name, submitter, visibility, md5, sha1, size, status, progress, created_at, seq)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`)
        .run(id, s.captureId, s.name, s.submitter ?? null, s.visibility, s.md5, s.sha1, s.size, JSON.stringify(queuedProgress(s.size)), Date.now(), seq);
      return toJob(this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow);
    });
    const job = submitNew();
    this.pump();
    return job;
  }

  async get(jobId: string): Promise<Job | undefined> {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    return r ? toJob(r) : undefined;
  }

  async latestFor(captureId: string): Promise<Job | undefined> {
    const r = this.db.prepare('SELECT * FROM jobs WHERE capture_id = ? ORDER BY seq DESC LIMIT 1').get(captureId) as JobRow | undefined;
    return r ? toJob(r) : undefined;
  }

  /** Jobs not yet finished, oldest first (they have no store row yet). */
  async unfinished(limit: number): Promise<Job[]> {
    return (this.db.prepare(`SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq LIMIT ?`).all(limit) as JobRow[]).map(toJob);
  }

  watch(jobId: string, onUpdate: (j: Job) => void): () => void {
    this.events.on(jobId, onUpdate);
    return () => { this.events.off(jobId, onUpdate); };
  }

  async close(): Promise<void> {
    this.closed = true;
    // Stopped workers leave their jobs 'running': the next open puts them back in the queue.
    await Promise.all([...this.running.values()].map((w) => w.terminate()));
    this.running.clear();
    this.db.close();
  }

  /** Claims the oldest queued job in one transaction, so two runners never take the same job. */
  private claim(): Job | undefined {
    const r = this.db.prepare(`UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?,
        progress = json_set(progress, '$.stage', 'reading')
      WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1) RETURNING *`).get(Date.now()) as JobRow | undefined;
    return r ? toJob(r) : undefined;
  }

  private pump(): void {
    const limit = this.opts.workers ?? 1;
    while (!this.closed && this.opts.storePath !== undefined && this.running.size < limit) {
      const job = this.claim();
      if (!job) return;
      this.start(job);
    }
  }

  private update(jobId: string, set: { status?: JobStatus; progress?: JobProgress; error?: string; finished?: boolean }): void {
    if (this.closed) return;
    const r = this.db.prepare(`UPDATE jobs SET status = coalesce(?, status), progress = coalesce(?, progress), error = coalesce(?, error),
        finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ? RETURNING *`)
      .get(set.status ?? null, set.progress ? JSON.stringify(set.progress) : null, set.error ?? null, set.finished ? 1 : 0, Date.now(), jobId) as JobRow | undefined;
    if (r) this.events.emit(jobId, toJob(r));
  }

  private start(job: Job): void {
    const row = this.db.prepare('SELECT md5, sha1, size FROM jobs WHERE id = ?').get(job.id) as { md5: string; sha1: string; size: number };
    const localPath = this.opts.blobs.localPath?.(job.captureId);
    if (!localPath) {
      this.update(job.id, { status: 'failed', error: 'the blob store has no local file for this capture', finished: true });
      return;
    }
    const worker = spawnAnalysisWorker({
      storePath: this.opts.storePath!, capturePath: localPath,
      digest: { sha256: job.captureId, md5: row.md5, sha1: row.sha1, size: row.size },
      name: job.name, submitter: job.submitter, visibility: job.visibility,
    }, { maxOldGenerationSizeMb: this.opts.jobMemoryMb ?? 2048 });
    this.running.set(job.id, worker);
    let progress = job.progress;
    let settled = false;
    const finish = (status: 'done' | 'failed', error?: string, final?: JobProgress): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.running.delete(job.id);
      this.update(job.id, { status, error, progress: { ...(final ?? progress), stage: status }, finished: true });
      void worker.terminate();
      this.pump();
    };
    const timeoutS = this.opts.jobTimeoutS ?? 3600;
    const timer = setTimeout(() => finish('failed', `analysis took longer than the ${timeoutS} s limit`), timeoutS * 1000);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') { progress = m.progress; this.update(job.id, { progress }); }
      else if (m.type === 'done') finish('done', undefined, m.progress);
      else finish('failed', m.error);
    });
    worker.on('error', (e) => finish('failed', /memory/i.test(e.message) ? `analysis ran out of memory (limit ${this.opts.jobMemoryMb ?? 2048} MB)` : `analysis crashed: ${e.message}`));
    worker.on('exit', (code) => { if (!this.closed) finish('failed', `analysis worker exited with code ${code} before finishing`); });
  }
}

export { isFinished };
