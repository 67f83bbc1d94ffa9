/**
 * Retro-hunts (issue 10): a Suricata ruleset run over every stored capture the asking key may see,
 * as a background job in a worker thread (never on the API's event loop), with progress and the
 * matches listed by capture. Hunts are kept in the store (store.intel.hunts, migration 5): they
 * survive a restart, and any server on the same store answers for them. While this process runs
 * a hunt it serves it from memory (progress at once) and writes through: each matching or failing
 * capture as it is read, the progress at most every HUNT_PROGRESS_WRITE_MS (the heartbeat that
 * tells a live hunt from one whose server died), the end state when it ends.
 */
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { parseRules } from '../engine/detect/rules/parser.js';
import type { RuleError } from '../engine/detect/rules/rule.js';
import type { BlobStore } from '../store/blobs/blobs.js';
import type { Store, Viewer } from '../store/store.js';
import type { Hunt, HuntAlert, HuntSummary } from '../store/intel/hunts.js';

/** Finished hunts also kept in this process's memory (the rest are read from the store). */
export const HUNTS_KEPT_MAX = 50;
/** Progress (and heartbeat) of a running hunt written to the store at most this often. */
export const HUNT_PROGRESS_WRITE_MS = 1000;
/** A running hunt's heartbeat when no capture finishes (one big capture): well inside HUNT_STALE_S. */
const HUNT_HEARTBEAT_MS = 10_000;
/** Hunts running at once in one server (each is a worker thread reading every capture). */
export const HUNTS_RUNNING_MAX = 2;
/** Captures one hunt reads (the newest first). */
export const HUNT_CAPTURES_MAX = 100_000;
/** Heap of a hunt's worker. */
const HUNT_WORKER_HEAP_MB = 1024;

export type { Hunt, HuntAlert, HuntSummary } from '../store/intel/hunts.js';
export interface HuntTask { rules: string; lists: Record<string, string>; captures: { id: string; path: string }[] }
export type HuntMessage =
  | { type: 'capture'; captureId: string; alerts: HuntAlert[]; error?: string }
  | { type: 'done' };

export class RuleSetError extends Error {
  constructor(readonly errors: readonly RuleError[]) {
    super(errors.slice(0, 5).map((e) => `line ${e.line} column ${e.column}: ${e.reason}`).join('; '));
  }
}
export class HuntsBusyError extends Error {
  constructor() { super(`${HUNTS_RUNNING_MAX} hunts are running: wait for one to finish`); }
}

type Spawn = (task: HuntTask) => Worker;

/** The worker from compiled code, or through tsx's loader from sources (as spawn-worker.ts does). */
function spawnHuntWorker(task: HuntTask): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './retro-hunt-worker.ts' : './retro-hunt-worker.js', import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: HUNT_WORKER_HEAP_MB };
  if (!fromSource) return new Worker(entry, { workerData: task, resourceLimits });
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { process.exitCode = 71; console.error(e); });`;
  return new Worker(boot, { eval: true, workerData: task, resourceLimits });
}

export class RetroHunts {
  /** Hunts this process ran (running ones and the newest finished): served from memory. */
  private readonly hunts = new Map<string, Hunt>();
  private readonly workers = new Map<string, Worker>();
  /** Each hunt's writes, in order (its end state never lands before its last result). */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly store: Store, private readonly blobs: BlobStore, private readonly spawn: Spawn = spawnHuntWorker) {
    this.heartbeat = setInterval(() => {
      for (const h of this.hunts.values()) if (h.status === 'running') this.write(h.id, () => this.store.intel.hunts.progress(h.id, h.done));
    }, HUNT_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Checks the ruleset (RuleSetError when a rule does not parse) and starts the hunt over the viewer's captures. */
  async start(rules: string, lists: Record<string, string>, viewer: Viewer): Promise<Hunt> {
    const parsed = parseRules(rules, { readListFile: (n) => lists[n] ?? '' });
    if (parsed.errors.length > 0) throw new RuleSetError(parsed.errors);
    if (parsed.rules.length === 0) throw new RuleSetError([{ file: '<rules>', line: 1, column: 1, reason: 'no rule in the ruleset' }]);
    if (this.workers.size >= HUNTS_RUNNING_MAX) throw new HuntsBusyError();
    const captures: { id: string; path: string }[] = [];
    const names = new Map<string, string>();
    let skipped = 0;
    for (let offset = 0; offset < HUNT_CAPTURES_MAX; offset += 1000) {
      const page = await this.store.captures({ viewer, limit: 1000, offset });
      for (const c of page) {
        const path = (await this.blobs.has(c.id)) ? this.blobs.localPath?.(c.id) : undefined;
        if (path === undefined) { skipped++; continue; }
        captures.push({ id: c.id, path });
        names.set(c.id, c.name);
      }
      if (page.length < 1000) break;
    }
    const hunt: Hunt = {
      id: 'hunt_' + randomBytes(8).toString('hex'), status: 'running', startedAt: Date.now() / 1000, rules: parsed.rules.length,
      total: captures.length, done: 0, skipped, matches: [], errors: [],
    };
    if (viewer.keyId !== undefined) hunt.keyId = viewer.keyId;
    await this.store.intel.hunts.create(hunt);
    this.remember(hunt);
    const worker = this.spawn({ rules, lists, captures });
    this.workers.set(hunt.id, worker);
    let seq = 0;
    let progressWritten = Date.now();
    const finish = (status: Hunt['status'], error?: string): void => {
      if (hunt.status !== 'running') return;
      hunt.status = status;
      hunt.finishedAt = Date.now() / 1000;
      if (error) hunt.error = error;
      this.workers.delete(hunt.id);
      const end = { ...hunt };
      this.write(hunt.id, () => this.store.intel.hunts.finish(end));
    };
    worker.on('message', (m: HuntMessage) => {
      if (m.type === 'done') { finish('done'); void worker.terminate(); return; }
      hunt.done++;
      if (m.error) hunt.errors.push({ captureId: m.captureId, error: m.error });
      const name = names.get(m.captureId) ?? '';
      if (m.alerts.length > 0) hunt.matches.push({ captureId: m.captureId, name, alerts: m.alerts });
      const done = hunt.done;
      if (m.alerts.length > 0 || m.error) {
        const n = seq++;
        this.write(hunt.id, () => this.store.intel.hunts.addResult(hunt.id, n, { captureId: m.captureId, name, alerts: m.alerts, error: m.error }, done));
        progressWritten = Date.now();
      } else if (Date.now() - progressWritten >= HUNT_PROGRESS_WRITE_MS) {
        progressWritten = Date.now();
        this.write(hunt.id, () => this.store.intel.hunts.progress(hunt.id, done));
      }
    });
    worker.on('error', (e) => finish('failed', e.message));
    worker.on('exit', (code) => finish(code === 0 ? 'done' : 'failed',
      this.closing ? 'interrupted: the server stopped during the hunt (start it again)' : `the hunt's worker exited with code ${code}`));
    return hunt;
  }

  /** A hunt the viewer started (admins see all), from this process or the store; undefined otherwise. */
  async get(id: string, viewer: Viewer): Promise<Hunt | undefined> {
    const h = this.hunts.get(id);
    if (h) return this.canSee(h, viewer) ? h : undefined;
    return this.store.intel.hunts.get(id, viewer);
  }

  /** The viewer's hunts, newest first (this process's running ones with their live progress). */
  async list(viewer: Viewer): Promise<HuntSummary[]> {
    const stored = await this.store.intel.hunts.list(viewer);
    return stored.map((s) => {
      const live = this.hunts.get(s.id);
      return live ? { ...live, matches: live.matches.length, errors: live.errors.length } : s;
    });
  }

  /** Stops the running hunts (recorded as interrupted) and waits for every write. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    await Promise.all([...this.workers.values()].map((w) => w.terminate()));
    // The workers' 'exit' handlers queue the end states: let them run before waiting for the writes.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...this.writes.values()]);
  }

  /** Queues a store write of one hunt behind its earlier ones; a failed write is logged, never thrown. */
  private write(huntId: string, fn: () => Promise<void>): void {
    const next = (this.writes.get(huntId) ?? Promise.resolve()).then(fn).catch((e: unknown) => {
      console.error(`retro-hunt ${huntId}: could not write to the store: ${(e as Error)?.message ?? String(e)}`);
    });
    this.writes.set(huntId, next);
    void next.then(() => { if (this.writes.get(huntId) === next) this.writes.delete(huntId); });
  }

  private canSee(h: Hunt, viewer: Viewer): boolean {
    return viewer.admin === true || (h.keyId !== undefined && h.keyId === viewer.keyId);
  }

  private remember(h: Hunt): void {
    this.hunts.set(h.id, h);
    for (const [id, old] of this.hunts) {
      if (this.hunts.size <= HUNTS_KEPT_MAX) break;
      if (old.status !== 'running') this.hunts.delete(id);
    }
  }
}
