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
import type { BlobStore } from '../store/blobs/blobs.js';
import { reuseStatements } from '../store/sqlite/statement-cache.js';
import type { StoredRecord } from '../store/store.js';
import {
  isFinished, JOB_DURATION_BUCKETS_S, type Job, type JobProgress, type JobQueue, type JobStats, type JobStatus, type JobSubmission, UNKNOWN_DIGEST,
} from './jobs.js';
import { DEFAULT_RUN_LIMITS, discardPrewarmed, prewarmAnalysis, runAnalysis, type RunningAnalysis } from './runner.js';
import type { AnalysisConfig, PreviewRecord } from './worker-protocol.js';

/** How long after a job ends the next job's worker is pre-started (the finished job's results are being read first). */
export const PREWARM_AFTER_JOB_MS = 5000;

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
  /** The rules each analysis runs (default: the bundled ruleset). */
  analysis?: AnalysisConfig;
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
-- Partial results of running jobs (preview.ts); rows go when the job finishes or is queued again.
CREATE TABLE IF NOT EXISTS job_preview (
  seq INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL,
  log TEXT NOT NULL,
  ts REAL, uid TEXT, community_id TEXT,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS job_preview_log ON job_preview (job_id, log, seq);
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
  private readonly running = new Map<string, RunningAnalysis>();
  private closed = false;
  /** The pre-start of the next job's worker, pending after a job ended (PREWARM_AFTER_JOB_MS). */
  private prewarmTimer: NodeJS.Timeout | undefined;
  private hadJob = false;

  private constructor(private readonly db: Database.Database, private readonly opts: RunnerOptions) {
    this.events.setMaxListeners(0);
  }

  static open(path: string, opts: RunnerOptions): SqliteJobQueue {
    // Every status read and progress update prepares the same few statements: compiled once.
    const db = reuseStatements(new Database(path));
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
    // The preview of an interrupted run is stale (the next run posts its own); finished jobs need none.
    this.db.prepare(`DELETE FROM job_preview WHERE job_id NOT IN (SELECT id FROM jobs WHERE status = 'running')`).run();
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
        .run(id, s.captureId, s.name, s.submitter ?? null, s.visibility, s.md5 ?? UNKNOWN_DIGEST, s.sha1 ?? UNKNOWN_DIGEST, s.size, JSON.stringify(queuedProgress(s.size)), Date.now(), seq);
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

  async unfinished(limit: number): Promise<Job[]> {
    return (this.db.prepare(`SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq LIMIT ?`).all(limit) as JobRow[]).map(toJob);
  }

  async partial(captureId: string, log: string, page: { limit: number; offset: number }): Promise<StoredRecord[] | undefined> {
    const job = this.db.prepare(`SELECT id, status FROM jobs WHERE capture_id = ? ORDER BY seq DESC LIMIT 1`).get(captureId) as { id: string; status: JobStatus } | undefined;
    if (job?.status !== 'running') return undefined;
    const rows = this.db.prepare(`SELECT seq, log, ts, uid, community_id, doc FROM job_preview WHERE job_id = ? AND log = ? ORDER BY seq LIMIT ? OFFSET ?`)
      .all(job.id, log, page.limit, page.offset) as { seq: number; log: string; ts: number | null; uid: string | null; community_id: string | null; doc: string }[];
    return rows.map((r) => ({ id: r.seq, captureId, log: r.log, ts: r.ts, uid: r.uid, communityId: r.community_id, doc: JSON.parse(r.doc) as Record<string, unknown> }));
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1 FROM jobs LIMIT 1').get();
  }

  async stats(): Promise<JobStats> {
    const byStatus: JobStats['byStatus'] = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of this.db.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[]) byStatus[r.status] = r.n;
    const dur = '(finished_at - started_at) / 1000.0';
    const cols = JOB_DURATION_BUCKETS_S.map((le, i) => `sum(CASE WHEN ${dur} <= ${le} THEN 1 ELSE 0 END) AS b${i}`).join(', ');
    const r = this.db.prepare(`SELECT count(*) AS n, coalesce(sum(${dur}), 0) AS s, ${cols} FROM jobs
      WHERE status IN ('done', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL`).get() as Record<string, number | null>;
    return {
      byStatus,
      durations: { count: r.n ?? 0, sumS: r.s ?? 0, buckets: JOB_DURATION_BUCKETS_S.map((le, i) => ({ le, count: r[`b${i}`] ?? 0 })) },
    };
  }

  watch(jobId: string, onUpdate: (j: Job) => void): () => void {
    this.events.on(jobId, onUpdate);
    return () => { this.events.off(jobId, onUpdate); };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.prewarmTimer);
    // Stopped workers leave their jobs 'running': the next open puts them back in the queue.
    await Promise.all([...this.running.values()].map((r) => r.stop()));
    if (this.opts.storePath !== undefined) await discardPrewarmed();
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
      if (!job) {
        // Idle: the next job's worker loads its modules now, not after the upload; after a job,
        // a moment later: its results are being opened then (the console's first open, the
        // summary), and loading the engine (~0.8 s of CPU) would compete with them.
        if (this.running.size === 0 && !this.prewarmTimer) {
          if (!this.hadJob) prewarmAnalysis(this.limits());
          else {
            this.prewarmTimer = setTimeout(() => {
              this.prewarmTimer = undefined;
              if (!this.closed && this.running.size === 0) prewarmAnalysis(this.limits());
            }, PREWARM_AFTER_JOB_MS);
            this.prewarmTimer.unref();
          }
        }
        return;
      }
      this.hadJob = true;
      clearTimeout(this.prewarmTimer);
      this.prewarmTimer = undefined;
      this.start(job);
    }
  }

  private limits(): { timeoutS: number; memoryMb: number } {
    return { timeoutS: this.opts.jobTimeoutS ?? DEFAULT_RUN_LIMITS.timeoutS, memoryMb: this.opts.jobMemoryMb ?? DEFAULT_RUN_LIMITS.memoryMb };
  }

  private update(jobId: string, set: { status?: JobStatus; progress?: JobProgress; error?: string; finished?: boolean }): void {
    if (this.closed) return;
    const r = this.db.prepare(`UPDATE jobs SET status = coalesce(?, status), progress = coalesce(?, progress), error = coalesce(?, error),
        finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ? RETURNING *`)
      .get(set.status ?? null, set.progress ? JSON.stringify(set.progress) : null, set.error ?? null, set.finished ? 1 : 0, Date.now(), jobId) as JobRow | undefined;
    // A finished job's results are in the store: its preview has served its purpose.
    if (set.finished) this.db.prepare('DELETE FROM job_preview WHERE job_id = ?').run(jobId);
    if (r) this.events.emit(jobId, toJob(r));
  }

  private addPreview(jobId: string, records: PreviewRecord[]): void {
    if (this.closed) return;
    const insert = this.db.prepare('INSERT INTO job_preview (job_id, log, ts, uid, community_id, doc) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const r of records) insert.run(jobId, r.log, r.ts, r.uid, r.communityId, r.doc);
    })();
  }

  private start(job: Job): void {
    const row = this.db.prepare('SELECT md5, sha1, size FROM jobs WHERE id = ?').get(job.id) as { md5: string; sha1: string; size: number };
    const localPath = this.opts.blobs.localPath?.(job.captureId);
    if (!localPath) {
      this.update(job.id, { status: 'failed', error: 'the blob store has no local file for this capture', finished: true });
      return;
    }
    const run = runAnalysis({
      store: { sqlite: this.opts.storePath! }, capturePath: localPath,
      digest: { sha256: job.captureId, md5: row.md5 || undefined, sha1: row.sha1 || undefined, size: row.size },
      name: job.name, submitter: job.submitter, visibility: job.visibility, analysis: this.opts.analysis,
    }, this.limits(), job.progress, {
      progress: (progress) => this.update(job.id, { progress }),
      preview: (records) => this.addPreview(job.id, records),
    });
    this.running.set(job.id, run);
    void run.outcome.then((o) => {
      this.running.delete(job.id);
      // Interrupted: this process is closing; the job stays 'running' and the next open queues it again.
      if (o.status === 'interrupted') return;
      this.update(job.id, { status: o.status, error: o.status === 'failed' ? o.error : undefined, progress: { ...o.progress, stage: o.status }, finished: true });
      this.pump();
    });
  }
}

export { isFinished };
