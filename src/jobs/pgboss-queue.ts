/**
 * The scale-out job queue: job state, progress and partial results in PostgreSQL (tables
 * capdex_jobs, capdex_job_preview), delivery to worker processes by pg-boss (queue
 * `capdex-analysis`). Any number of stateless API processes (`capdex serve --pg URL --no-worker`)
 * and worker processes (`capdex worker --pg URL`) share one database; analysis runs in worker
 * threads (runner.ts) straight into the PostgreSQL store.
 *
 * Why our own table next to pg-boss's: the API needs a job's progress, its latest job per capture
 * and the queue's counts, which pg-boss does not keep; and restart safety must not wait for
 * pg-boss's expiry (the job's whole time limit). Each delivery is a fresh pg-boss job carrying
 * our job id; the row says what is true:
 * - A worker claims a delivery by moving the row from 'queued' to 'running' with a random claim
 *   token (one UPDATE: two deliveries of one job never both run); every later write is
 *   conditional on that token, so a worker presumed dead cannot overwrite its successor.
 * - Running rows carry a heartbeat (every HEARTBEAT_S from the worker process's main thread).
 *   Every worker process sweeps: a row whose heartbeat is older than STALE_AFTER_S belongs to a
 *   dead process (kill -9, lost machine) and goes back to 'queued' with a new delivery, or fails
 *   once it has been claimed JOB_MAX_ATTEMPTS times.
 * - A shutting-down worker puts its running jobs back the same way at once.
 * The store's import is one transaction (rolled back when its connection dies), so a job run
 * again never doubles records.
 *
 * Watching: updates made in this process are pushed at once; others' are polled (one query for
 * every watched job, every WATCH_POLL_MS, only while someone watches).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { BlobStore } from '../store/blobs/blobs.js';
import type { StoredRecord } from '../store/store.js';
import {
  JOB_DURATION_BUCKETS_S, type Job, type JobProgress, type JobQueue, type JobStats, type JobStatus, type JobSubmission, UNKNOWN_DIGEST,
} from './jobs.js';
import { DEFAULT_RUN_LIMITS, discardPrewarmed, runAnalysis, type RunningAnalysis } from './runner.js';
import { JOB_MAX_ATTEMPTS } from './sqlite-queue.js';
import type { AnalysisConfig, PreviewRecord } from './worker-protocol.js';
import { attachChangeTriggers, CHANGED_JOBS } from '../store/postgres/change-clock.js';

export const PGBOSS_QUEUE = 'capdex-analysis';
/** How often a worker process tells the database its jobs are alive. */
export const HEARTBEAT_S = 2;
/** A running job silent this long belongs to a dead worker process. Well above HEARTBEAT_S: a loaded machine delays timers. */
export const STALE_AFTER_S = 15;
/** How often each worker process looks for dead workers' jobs. */
const SWEEP_S = 5;
const WATCH_POLL_MS = 500;
/** pg-boss polls for deliveries this often per worker slot (its minimum is 0.5). */
const FETCH_POLL_S = 1;
const POOL_SIZE = 4;
const INT8_OID = 20;

export interface PgQueueOptions {
  blobs: BlobStore;
  /** Run analysis workers in this process (default false: an API process only submits and reads). */
  worker?: boolean;
  workers?: number;
  jobTimeoutS?: number;
  jobMemoryMb?: number;
  /** The rules each analysis runs (default: the bundled ruleset). */
  analysis?: AnalysisConfig;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS capdex_jobs (
  id uuid PRIMARY KEY,
  seq bigserial NOT NULL,
  capture_id text NOT NULL,
  name text NOT NULL,
  submitter text,
  visibility text NOT NULL,
  md5 text NOT NULL, sha1 text NOT NULL, size bigint NOT NULL,
  status text NOT NULL,
  progress jsonb NOT NULL,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  started_at bigint,
  finished_at bigint,
  -- The running claim (a random token per run) and its last sign of life.
  claim uuid,
  heartbeat_at timestamptz,
  -- Bumped by every change: watchers in other processes compare it.
  version bigint NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS capdex_jobs_capture ON capdex_jobs (capture_id, seq);
CREATE INDEX IF NOT EXISTS capdex_jobs_status ON capdex_jobs (status, seq);
CREATE TABLE IF NOT EXISTS capdex_job_preview (
  seq bigserial PRIMARY KEY,
  job_id uuid NOT NULL,
  log text NOT NULL,
  ts double precision, uid text, community_id text,
  -- JSON text, not jsonb: jsonb cannot hold \\u0000, which capture strings may contain.
  doc text NOT NULL
);
CREATE INDEX IF NOT EXISTS capdex_job_preview_log ON capdex_job_preview (job_id, log, seq);
`;

interface JobRow {
  id: string; capture_id: string; name: string; submitter: string | null; visibility: 'public' | 'private';
  md5: string; sha1: string; size: number; status: JobStatus; progress: JobProgress; error: string | null;
  attempts: number; created_at: number; started_at: number | null; finished_at: number | null; version: number;
}

function toJob(r: JobRow): Job {
  const j: Job = {
    id: r.id, captureId: r.capture_id, name: r.name, visibility: r.visibility, status: r.status,
    progress: r.progress, attempts: r.attempts, createdAt: r.created_at,
  };
  if (r.submitter !== null) j.submitter = r.submitter;
  if (r.error !== null) j.error = r.error;
  if (r.started_at !== null) j.startedAt = r.started_at;
  if (r.finished_at !== null) j.finishedAt = r.finished_at;
  return j;
}

/** PostgreSQL text cannot hold NUL; names are cleaned by the API, but errors may quote capture bytes. */
const pgText = (s: string): string => s.replace(/\0/g, '\\x00');

const queuedProgress = (size: number): JobProgress => ({ stage: 'queued', bytesDone: 0, totalBytes: size, packets: 0, records: 0, alerts: 0 });

export class PgBossJobQueue implements JobQueue {
  private readonly events = new EventEmitter();
  /** Runs of this process by claim token. */
  private readonly running = new Map<string, { jobId: string; run?: RunningAnalysis; writes: Promise<unknown> }>();
  private readonly handlers = new Set<Promise<void>>();
  /** Last version seen per watched job (the poller emits only changes). */
  private readonly watched = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private watchTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool, private readonly boss: PgBoss, private readonly url: string, private readonly opts: PgQueueOptions,
  ) {
    this.events.setMaxListeners(0);
  }

  static async open(url: string, opts: PgQueueOptions): Promise<PgBossJobQueue> {
    const types = {
      getTypeParser(oid: number, format?: 'text' | 'binary') {
        if (oid === INT8_OID) return (s: string) => Number(s);
        return pg.types.getTypeParser(oid, format);
      },
    } as pg.CustomTypesConfig;
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types });
    pool.on('error', () => {}); // an idle connection's error (server restart): the next query reconnects
    const c = await pool.connect();
    try {
      // Processes starting together must not race on CREATE TABLE IF NOT EXISTS.
      await c.query('BEGIN');
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('capdex_jobs_schema'))`);
      await c.query(SCHEMA);
      // Job writes move the API's jobs clock (store/postgres/change-clock.ts), under the same lock.
      await attachChangeTriggers(c, CHANGED_JOBS, { like: 'capdex_job%' });
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      c.release();
      await pool.end();
      throw e;
    }
    c.release();
    const boss = new PgBoss({ connectionString: url, max: 3, schedule: false });
    // pg-boss reports background errors as events; an unheard 'error' event would end the process.
    boss.on('error', (e: Error) => { process.stderr.write(`capdex: job queue: ${e.message}\n`); });
    await boss.start();
    const timeoutS = opts.jobTimeoutS ?? DEFAULT_RUN_LIMITS.timeoutS;
    // retryLimit 0: re-runs are ours (the sweep), counted in capdex_jobs.attempts.
    await boss.createQueue(PGBOSS_QUEUE, { name: PGBOSS_QUEUE, retryLimit: 0, expireInSeconds: Math.min(timeoutS + 120, 23 * 3600) });
    const q = new PgBossJobQueue(pool, boss, url, opts);
    if (opts.worker) await q.startWorkers();
    return q;
  }

  async submit(s: JobSubmission): Promise<Job> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      // Two API processes taking the same capture at once: the second waits and finds the first's job.
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [s.captureId]);
      if (!s.reanalyse) {
        const existing = await c.query<JobRow>(`SELECT * FROM capdex_jobs WHERE capture_id = $1 AND status <> 'failed' ORDER BY seq DESC LIMIT 1`, [s.captureId]);
        if (existing.rows[0]) {
          await c.query('COMMIT');
          return toJob(existing.rows[0]);
        }
      }
      const r = await c.query<JobRow>(`INSERT INTO capdex_jobs (id, capture_id, name, submitter, visibility, md5, sha1, size, status, progress, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10) RETURNING *`,
      [randomUUID(), s.captureId, pgText(s.name), s.submitter === undefined ? null : pgText(s.submitter), s.visibility, s.md5 ?? UNKNOWN_DIGEST, s.sha1 ?? UNKNOWN_DIGEST, s.size,
        JSON.stringify(queuedProgress(s.size)), Date.now()]);
      const job = toJob(r.rows[0]);
      // The delivery in the same transaction: a job row without a delivery (or the reverse) cannot happen.
      await this.deliver(job.id, c);
      await c.query('COMMIT');
      return job;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  async get(jobId: string): Promise<Job | undefined> {
    if (!isUuid(jobId)) return undefined;
    const r = await this.pool.query<JobRow>('SELECT * FROM capdex_jobs WHERE id = $1', [jobId]);
    return r.rows[0] ? toJob(r.rows[0]) : undefined;
  }

  async latestFor(captureId: string): Promise<Job | undefined> {
    const r = await this.pool.query<JobRow>('SELECT * FROM capdex_jobs WHERE capture_id = $1 ORDER BY seq DESC LIMIT 1', [captureId]);
    return r.rows[0] ? toJob(r.rows[0]) : undefined;
  }

  async unfinished(limit: number): Promise<Job[]> {
    const r = await this.pool.query<JobRow>(`SELECT * FROM capdex_jobs WHERE status IN ('queued', 'running') ORDER BY seq LIMIT $1`, [limit]);
    return r.rows.map(toJob);
  }

  async partial(captureId: string, log: string, page: { limit: number; offset: number }): Promise<StoredRecord[] | undefined> {
    const job = await this.latestFor(captureId);
    if (job?.status !== 'running') return undefined;
    const r = await this.pool.query<{ seq: number; log: string; ts: number | null; uid: string | null; community_id: string | null; doc: string }>(
      'SELECT seq, log, ts, uid, community_id, doc FROM capdex_job_preview WHERE job_id = $1 AND log = $2 ORDER BY seq LIMIT $3 OFFSET $4',
      [job.id, log, page.limit, page.offset]);
    return r.rows.map((x) => ({ id: x.seq, captureId, log: x.log, ts: x.ts, uid: x.uid, communityId: x.community_id, doc: JSON.parse(x.doc) as Record<string, unknown> }));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM capdex_jobs LIMIT 1');
  }

  async stats(): Promise<JobStats> {
    const byStatus: JobStats['byStatus'] = { queued: 0, running: 0, done: 0, failed: 0 };
    const counts = await this.pool.query<{ status: JobStatus; n: number }>('SELECT status, count(*) AS n FROM capdex_jobs GROUP BY status');
    for (const r of counts.rows) byStatus[r.status] = r.n;
    const dur = '(finished_at - started_at) / 1000.0';
    const cols = JOB_DURATION_BUCKETS_S.map((le, i) => `count(*) FILTER (WHERE ${dur} <= ${le}) AS b${i}`).join(', ');
    const r = (await this.pool.query<Record<string, number | string | null>>(`SELECT count(*) AS n, coalesce(sum(${dur}), 0)::float8 AS s, ${cols}
      FROM capdex_jobs WHERE status IN ('done', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL`)).rows[0];
    return {
      byStatus,
      durations: {
        count: Number(r.n ?? 0), sumS: Number(r.s ?? 0),
        buckets: JOB_DURATION_BUCKETS_S.map((le, i) => ({ le, count: Number(r[`b${i}`] ?? 0) })),
      },
    };
  }

  watch(jobId: string, onUpdate: (j: Job) => void): () => void {
    this.events.on(jobId, onUpdate);
    if (!this.watched.has(jobId)) this.watched.set(jobId, -1);
    this.watchTimer ??= setInterval(() => void this.pollWatched(), WATCH_POLL_MS);
    return () => {
      this.events.off(jobId, onUpdate);
      if (this.events.listenerCount(jobId) === 0) this.watched.delete(jobId);
      if (this.watched.size === 0 && this.watchTimer) { clearInterval(this.watchTimer); this.watchTimer = undefined; }
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.watchTimer) clearInterval(this.watchTimer);
    await this.boss.offWork(PGBOSS_QUEUE);
    // Our runs stop and their jobs go back to the queue with a new delivery (handlers do that).
    await Promise.all([...this.running.values()].map((r) => r.run?.stop()));
    await Promise.allSettled([...this.handlers]);
    // Workers kept warm after our jobs (runner.ts) go too.
    if (this.opts.worker) await discardPrewarmed();
    await this.boss.stop({ graceful: false, wait: true });
    await this.pool.end();
  }

  // ---- workers ----

  private async startWorkers(): Promise<void> {
    await this.sweep();
    const slots = this.opts.workers ?? 1;
    for (let i = 0; i < slots; i++) {
      await this.boss.work<{ jobId: string }>(PGBOSS_QUEUE, { batchSize: 1, pollingIntervalSeconds: FETCH_POLL_S }, async (deliveries) => {
        for (const d of deliveries) {
          const h = this.runDelivery(d.data.jobId);
          this.handlers.add(h);
          try { await h; } finally { this.handlers.delete(h); }
        }
      });
    }
    this.timers.push(setInterval(() => void this.heartbeat(), HEARTBEAT_S * 1000));
    this.timers.push(setInterval(() => void this.sweep(), SWEEP_S * 1000));
  }

  /** A new pg-boss delivery of our job (inside the caller's transaction when given one). */
  private async deliver(jobId: string, c?: pg.PoolClient): Promise<void> {
    const db = c ? { executeSql: (text: string, values: unknown[]) => c.query(text, values) } : undefined;
    await this.boss.send(PGBOSS_QUEUE, { jobId }, { db });
  }

  private async heartbeat(): Promise<void> {
    if (this.closed || this.running.size === 0) return;
    await this.pool.query('UPDATE capdex_jobs SET heartbeat_at = now() WHERE claim = ANY($1::uuid[])', [[...this.running.keys()]])
      .catch((e: Error) => process.stderr.write(`capdex: job heartbeat: ${e.message}\n`));
  }

  /** Jobs of dead worker processes: queued again with a new delivery, or failed after JOB_MAX_ATTEMPTS claims. */
  private async sweep(): Promise<void> {
    if (this.closed) return;
    const c = await this.pool.connect().catch(() => undefined);
    if (!c) return;
    try {
      await c.query('BEGIN');
      const r = await c.query<{ id: string; status: JobStatus }>(`UPDATE capdex_jobs SET
          status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
          error = CASE WHEN attempts >= $1 THEN $2 ELSE error END,
          finished_at = CASE WHEN attempts >= $1 THEN $3 ELSE finished_at END,
          progress = jsonb_set(progress, '{stage}', to_jsonb(CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END)),
          claim = NULL, version = version + 1
        WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $4)
        RETURNING id, status`,
      [JOB_MAX_ATTEMPTS, `interrupted ${JOB_MAX_ATTEMPTS} times (its worker stopped during the analysis each time)`, Date.now(), STALE_AFTER_S]);
      for (const row of r.rows) {
        await c.query('DELETE FROM capdex_job_preview WHERE job_id = $1', [row.id]);
        if (row.status === 'queued') await this.deliver(row.id, c);
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      process.stderr.write(`capdex: job sweep: ${(e as Error).message}\n`);
    } finally {
      c.release();
    }
  }

  /** One pg-boss delivery: claim the job, run it, record the outcome. Never throws (pg-boss retries nothing). */
  private async runDelivery(jobId: string): Promise<void> {
    if (this.closed || !isUuid(jobId)) return;
    const claim = randomUUID();
    const r = await this.pool.query<JobRow>(`UPDATE capdex_jobs SET status = 'running', attempts = attempts + 1, started_at = $2,
        claim = $3, heartbeat_at = now(), progress = jsonb_set(progress, '{stage}', '"reading"'), version = version + 1
      WHERE id = $1 AND status = 'queued' RETURNING *`, [jobId, Date.now(), claim]);
    // Not queued: finished, or running under another claim (a delivery left over from a sweep).
    if (!r.rows[0]) return;
    const job = toJob(r.rows[0]);
    this.emit(r.rows[0]);
    const entry: { jobId: string; run?: RunningAnalysis; writes: Promise<unknown> } = { jobId, writes: Promise.resolve() };
    this.running.set(claim, entry);
    // Writes of one run in order (a late progress must not land after the outcome).
    const write = (sql: string, values: unknown[], emit = false): void => {
      entry.writes = entry.writes.then(async () => {
        const res = await this.pool.query<JobRow>(sql, values);
        if (emit && res.rows[0]) this.emit(res.rows[0]);
      }).catch((e: Error) => process.stderr.write(`capdex: job ${jobId}: ${e.message}\n`));
    };
    try {
      const localPath = this.opts.blobs.localPath?.(job.captureId);
      const outcome = localPath === undefined
        ? { status: 'failed' as const, error: 'the blob store has no local file for this capture', progress: job.progress }
        : await this.analyse(job, localPath, r.rows[0], claim, entry, write);
      await entry.writes;
      if (outcome.status === 'interrupted') {
        // This process is shutting down: the job goes back to the queue for another worker.
        const c = await this.pool.connect();
        try {
          await c.query('BEGIN');
          const back = await c.query(`UPDATE capdex_jobs SET status = 'queued', claim = NULL, progress = jsonb_set(progress, '{stage}', '"queued"'),
            version = version + 1 WHERE id = $1 AND claim = $2 RETURNING id`, [jobId, claim]);
          await c.query('DELETE FROM capdex_job_preview WHERE job_id = $1', [jobId]);
          if (back.rows[0]) await this.deliver(jobId, c);
          await c.query('COMMIT');
        } catch {
          // Not put back now: the sweep of a live worker finds it once its heartbeat is stale.
          await c.query('ROLLBACK').catch(() => {});
        } finally {
          c.release();
        }
        return;
      }
      write(`UPDATE capdex_jobs SET status = $3, error = $4, progress = $5, finished_at = $6, claim = NULL, version = version + 1
        WHERE id = $1 AND claim = $2 RETURNING *`,
      [jobId, claim, outcome.status, outcome.status === 'failed' ? pgText(outcome.error) : null,
        JSON.stringify({ ...outcome.progress, stage: outcome.status }), Date.now()], true);
      // The final results are in the store: the preview has served its purpose.
      write('DELETE FROM capdex_job_preview WHERE job_id = $1', [jobId]);
      await entry.writes;
    } finally {
      this.running.delete(claim);
    }
  }

  private async analyse(
    job: Job, capturePath: string, row: JobRow, claim: string, entry: { run?: RunningAnalysis },
    write: (sql: string, values: unknown[], emit?: boolean) => void,
  ) {
    const run = runAnalysis({
      store: { pg: this.url }, capturePath,
      digest: { sha256: job.captureId, md5: row.md5 || undefined, sha1: row.sha1 || undefined, size: row.size },
      name: job.name, submitter: job.submitter, visibility: job.visibility, analysis: this.opts.analysis,
    }, {
      timeoutS: this.opts.jobTimeoutS ?? DEFAULT_RUN_LIMITS.timeoutS, memoryMb: this.opts.jobMemoryMb ?? DEFAULT_RUN_LIMITS.memoryMb,
    }, job.progress, {
      progress: (p) => write(`UPDATE capdex_jobs SET progress = $3, heartbeat_at = now(), version = version + 1
        WHERE id = $1 AND claim = $2 RETURNING *`, [job.id, claim, JSON.stringify(p)], true),
      preview: (records) => write(PREVIEW_INSERT, previewValues(job.id, records)),
    });
    entry.run = run;
    // close() may have come between the claim and here.
    if (this.closed) void run.stop();
    return run.outcome;
  }

  // ---- watching ----

  private emit(row: JobRow): void {
    const seen = this.watched.get(row.id);
    if (seen === undefined) return;
    if (row.version <= seen) return;
    this.watched.set(row.id, row.version);
    this.events.emit(row.id, toJob(row));
  }

  private async pollWatched(): Promise<void> {
    if (this.closed || this.watched.size === 0) return;
    const ids = [...this.watched.keys()].filter(isUuid);
    const r = await this.pool.query<JobRow>('SELECT * FROM capdex_jobs WHERE id = ANY($1::uuid[])', [ids]).catch(() => undefined);
    for (const row of r?.rows ?? []) this.emit(row);
  }
}

const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** One multi-row insert of preview records, parameterised: arrays unnested server-side. */
const PREVIEW_INSERT = `INSERT INTO capdex_job_preview (job_id, log, ts, uid, community_id, doc)
  SELECT $1, * FROM unnest($2::text[], $3::float8[], $4::text[], $5::text[], $6::text[])`;

function previewValues(jobId: string, records: PreviewRecord[]): unknown[] {
  return [jobId, records.map((r) => r.log), records.map((r) => r.ts), records.map((r) => r.uid), records.map((r) => r.communityId), records.map((r) => r.doc)];
}
