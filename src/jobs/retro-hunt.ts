/**
 * Retro-hunts (issue 10): a Suricata ruleset run over every stored capture the asking key may see,
 * as a background job in a worker thread (never on the API's event loop), with progress and the
 * matches listed by capture. Hunts live in this process's memory (the newest HUNTS_KEPT_MAX; a
 * restart forgets them: they are cheap to run again and hold nothing the store does not).
 */
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { parseRules } from '../engine/detect/rules/parser.js';
import type { RuleError } from '../engine/detect/rules/rule.js';
import type { BlobStore } from '../store/blobs/blobs.js';
import type { Store, Viewer } from '../store/store.js';

/** Hunts remembered (finished ones beyond this are forgotten, oldest first). */
export const HUNTS_KEPT_MAX = 50;
/** Hunts running at once in one server (each is a worker thread reading every capture). */
export const HUNTS_RUNNING_MAX = 2;
/** Captures one hunt reads (the newest first). */
export const HUNT_CAPTURES_MAX = 100_000;
/** Heap of a hunt's worker. */
const HUNT_WORKER_HEAP_MB = 1024;

export interface HuntAlert { sid: number; msg: string; count: number }
export interface HuntTask { rules: string; lists: Record<string, string>; captures: { id: string; path: string }[] }
export type HuntMessage =
  | { type: 'capture'; captureId: string; alerts: HuntAlert[]; error?: string }
  | { type: 'done' };

export interface Hunt {
  id: string;
  status: 'running' | 'done' | 'failed';
  /** The key that started it (hunts are visible to it and to admins). */
  keyId?: string;
  startedAt: number;
  finishedAt?: number;
  rules: number;
  /** Captures to read, read so far, and those without a readable file (skipped). */
  total: number;
  done: number;
  skipped: number;
  /** Captures with at least one alert, in the order they were read. */
  matches: { captureId: string; name: string; alerts: HuntAlert[] }[];
  errors: { captureId: string; error: string }[];
  error?: string;
}

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
  private readonly hunts = new Map<string, Hunt>();
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly store: Store, private readonly blobs: BlobStore, private readonly spawn: Spawn = spawnHuntWorker) {}

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
    this.remember(hunt);
    const worker = this.spawn({ rules, lists, captures });
    this.workers.set(hunt.id, worker);
    const finish = (status: Hunt['status'], error?: string): void => {
      if (hunt.status !== 'running') return;
      hunt.status = status;
      hunt.finishedAt = Date.now() / 1000;
      if (error) hunt.error = error;
      this.workers.delete(hunt.id);
    };
    worker.on('message', (m: HuntMessage) => {
      if (m.type === 'done') { finish('done'); void worker.terminate(); return; }
      hunt.done++;
      if (m.error) hunt.errors.push({ captureId: m.captureId, error: m.error });
      if (m.alerts.length > 0) hunt.matches.push({ captureId: m.captureId, name: names.get(m.captureId) ?? '', alerts: m.alerts });
    });
    worker.on('error', (e) => finish('failed', e.message));
    worker.on('exit', (code) => finish(code === 0 ? 'done' : 'failed', `the hunt's worker exited with code ${code}`));
    return hunt;
  }

  /** A hunt the viewer started (admins see all); undefined otherwise. */
  get(id: string, viewer: Viewer): Hunt | undefined {
    const h = this.hunts.get(id);
    return h && this.canSee(h, viewer) ? h : undefined;
  }

  list(viewer: Viewer): Hunt[] {
    return [...this.hunts.values()].filter((h) => this.canSee(h, viewer)).reverse();
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.terminate()));
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
