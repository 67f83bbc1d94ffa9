/**
 * Retro-hunts (issue 10): a Suricata ruleset run over every stored capture the asking key may see,
 * as a background job in a worker thread (never on the API's event loop), with progress and the
 * matches listed by capture. Hunts are kept in the store (store.intel.hunts, migration 5): they
 * survive a restart, and any server on the same store answers for them. While this process runs
 * a hunt it serves it from memory (progress at once) and writes through: each matching or failing
 * capture as it is read, the progress at most every HUNT_PROGRESS_WRITE_MS (the heartbeat that
 * tells a live hunt from one whose server died), the end state when it ends.
 *
 * A YARA hunt (`kind: 'yara'`) reads no packets: its worker (yara-hunt-worker.ts) compiles the
 * rules once (a compile error refuses the hunt before it starts), and this thread feeds it, capture
 * by capture, the files the capture's files.log names that the blob store kept (extracted-files.ts);
 * the results name each matched file by SHA-256 with its file names, uids and fuids.
 */
import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { spawnJobWorker } from './spawn-worker.js';
import { parseRules } from '../engine/detect/rules/parser.js';
import type { RuleError } from '../engine/detect/rules/rule.js';
import type { BlobStore } from '../store/blobs/blobs.js';
import type { Store, Viewer } from '../store/store.js';
import type { Hunt, HuntAlert, HuntFileMatch, HuntKind, HuntMatch, HuntSummary } from '../store/intel/hunts.js';
import { yaraSid } from '../engine/detect/yara/yara-scanner.js';
import { PAGE_MAX_ROWS } from '../store/limits.js';

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
/** Distinct files one YARA hunt scans (in all), and per capture: past them a capture says what was left out. */
export const HUNT_YARA_FILES_MAX = 100_000;
export const HUNT_YARA_FILES_PER_CAPTURE_MAX = 10_000;
/** Names, uids and fuids kept per matched file (a file fetched a thousand times is one file). */
const HUNT_FILE_NAMES_MAX = 20;
/** Captures handed to a YARA worker and not answered yet (the rest wait: memory stays flat). */
const HUNT_YARA_IN_FLIGHT = 4;

export type { Hunt, HuntAlert, HuntFileMatch, HuntKind, HuntMatch, HuntSummary } from '../store/intel/hunts.js';
export interface HuntTask { kind?: HuntKind; rules: string; lists: Record<string, string>; captures: { id: string; path: string }[] }
/** A file a YARA worker matched: its rules (namespace:rule outside the default namespace) and their tags. */
export interface YaraFileResult { sha256: string; rules: { rule: string; tags: string[] }[] }
export type HuntMessage =
  | { type: 'capture'; captureId: string; alerts: HuntAlert[]; yaraFiles?: YaraFileResult[]; error?: string }
  | { type: 'done' };
/** To a YARA worker: one capture's kept files (note: what the feeder could not hand it), or the end. */
export type YaraHuntRequest = { type: 'scan'; captureId: string; files: { sha256: string; path: string }[]; note?: string } | { type: 'end' };
export type YaraHuntReply = HuntMessage | { type: 'ready' } | { type: 'rules-error'; message: string; line?: number; column?: number };

export class RuleSetError extends Error {
  constructor(readonly errors: readonly RuleError[]) {
    super(errors.slice(0, 5).map((e) => `line ${e.line} column ${e.column}: ${e.reason}`).join('; '));
  }
}
export class HuntsBusyError extends Error {
  constructor() { super(`${HUNTS_RUNNING_MAX} hunts are running: wait for one to finish`); }
}

type Spawn = (task: HuntTask) => Worker;

/** The hunt's worker (spawn-worker.ts: compiled, or through tsx's loader from sources). */
function spawnHuntWorker(task: HuntTask): Worker {
  const name = task.kind === 'yara' ? 'yara-hunt-worker' : 'retro-hunt-worker';
  return spawnJobWorker(name, { workerData: task, resourceLimits: { maxOldGenerationSizeMb: HUNT_WORKER_HEAP_MB } });
}

export class RetroHunts {
  /** Hunts this process ran (running ones and the newest finished): served from memory. */
  private readonly hunts = new Map<string, Hunt>();
  private readonly workers = new Map<string, Worker>();
  /** Each hunt's writes, in order (its end state never lands before its last result). */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;
  /** YARA hunts whose worker is compiling their rules (not yet in `workers`). */
  private compiling = 0;

  constructor(private readonly store: Store, private readonly blobs: BlobStore, private readonly spawn: Spawn = spawnHuntWorker) {
    this.heartbeat = setInterval(() => {
      for (const h of this.hunts.values()) if (h.status === 'running') this.write(h.id, () => this.store.intel.hunts.progress(h.id, h.done));
    }, HUNT_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * Checks the ruleset (RuleSetError when a rule does not parse or compile) and starts the hunt
   * over the viewer's captures: Suricata rules over their packets, or YARA rules over their kept files.
   */
  async start(rules: string, lists: Record<string, string>, viewer: Viewer, kind: HuntKind = 'suricata'): Promise<Hunt> {
    if (kind === 'yara') return this.startYara(rules, viewer);
    const parsed = parseRules(rules, { readListFile: (n) => lists[n] ?? '' });
    if (parsed.errors.length > 0) throw new RuleSetError(parsed.errors);
    if (parsed.rules.length === 0) throw new RuleSetError([{ file: '<rules>', line: 1, column: 1, reason: 'no rule in the ruleset' }]);
    if (this.workers.size + this.compiling >= HUNTS_RUNNING_MAX) throw new HuntsBusyError();
    const { captures, names, skipped } = await this.visibleCaptures(viewer, true);
    const hunt = await this.create('suricata', parsed.rules.length, captures.length, skipped, viewer);
    const worker = this.spawn({ rules, lists, captures });
    this.run(hunt, worker, names);
    return hunt;
  }

  private async startYara(rules: string, viewer: Viewer): Promise<Hunt> {
    // Hunts whose worker is still compiling hold their slot too.
    if (this.workers.size + this.compiling >= HUNTS_RUNNING_MAX) throw new HuntsBusyError();
    this.compiling++;
    try {
      return await this.startCompiledYara(rules, viewer);
    } finally {
      this.compiling--;
    }
  }

  private async startCompiledYara(rules: string, viewer: Viewer): Promise<Hunt> {
    const worker = this.spawn({ kind: 'yara', rules, lists: {}, captures: [] });
    // The worker compiles the rules once; nothing is stored before it says they compile.
    const first = await new Promise<YaraHuntReply | Error>((resolve) => {
      const onExit = (code: number): void => resolve(new Error(`the hunt's worker exited with code ${code} before compiling the rules`));
      const settle = (v: YaraHuntReply | Error): void => {
        // Only our own listeners: removeAllListeners() would also drop the Worker's internal ones.
        worker.off('message', settle).off('error', settle).off('exit', onExit);
        resolve(v);
      };
      worker.on('message', settle).on('error', settle).on('exit', onExit);
    });
    if (first instanceof Error || first.type !== 'ready') {
      void worker.terminate();
      if (first instanceof Error) throw first;
      if (first.type === 'rules-error') throw new RuleSetError([{ file: '<rules>', line: first.line ?? 1, column: first.column ?? 1, reason: first.message }]);
      throw new Error(`unexpected first message of a YARA hunt worker: ${first.type}`);
    }
    let listed: Awaited<ReturnType<RetroHunts['visibleCaptures']>>;
    let hunt: Hunt;
    try {
      listed = await this.visibleCaptures(viewer, false);
      hunt = await this.create('yara', countYaraRules(rules), listed.captures.length, 0, viewer);
    } catch (e) {
      void worker.terminate();
      throw e;
    }
    const { captures, names } = listed;
    const fileNames = new Map<string, Map<string, FileNames>>();
    let inFlight = 0;
    let wake: (() => void) | undefined;
    this.run(hunt, worker, names, (m) => {
      inFlight--;
      wake?.();
      const byFile = fileNames.get(m.captureId);
      fileNames.delete(m.captureId);
      return yaraMatch(m.yaraFiles ?? [], byFile);
    });
    void (async () => {
      let filesLeft = HUNT_YARA_FILES_MAX;
      for (const c of captures) {
        while (inFlight >= HUNT_YARA_IN_FLIGHT && hunt.status === 'running') await new Promise<void>((r) => { wake = r; setTimeout(r, 1000).unref(); });
        if (hunt.status !== 'running') return;
        const req: YaraHuntRequest = { type: 'scan', captureId: c.id, files: [] };
        try {
          const { byFile, more } = await this.keptFiles(c.id, viewer, Math.min(filesLeft, HUNT_YARA_FILES_PER_CAPTURE_MAX));
          fileNames.set(c.id, byFile);
          for (const sha256 of byFile.keys()) {
            const path = (await this.blobs.has(sha256)) ? this.blobs.localPath?.(sha256) : undefined;
            if (path !== undefined) req.files.push({ sha256, path });
          }
          filesLeft -= byFile.size;
          if (more) req.note = filesLeft <= 0 ? `only some files scanned: the hunt's cap of ${HUNT_YARA_FILES_MAX} files was reached`
            : `only the first ${HUNT_YARA_FILES_PER_CAPTURE_MAX} files of the capture scanned`;
        } catch (e) {
          req.note = `its files could not be listed: ${(e as Error)?.message ?? String(e)}`;
        }
        if (hunt.status !== 'running') return;
        inFlight++;
        worker.postMessage(req);
      }
      if (hunt.status === 'running') worker.postMessage({ type: 'end' } satisfies YaraHuntRequest);
    })();
    return hunt;
  }

  /** The distinct files a capture's files.log names (up to `max`), each with its names, uids and fuids. */
  private async keptFiles(captureId: string, viewer: Viewer, max: number): Promise<{ byFile: Map<string, FileNames>; more: boolean }> {
    const byFile = new Map<string, FileNames>();
    for (let offset = 0; ; offset += PAGE_MAX_ROWS) {
      const page = await this.store.records(captureId, 'files', { limit: PAGE_MAX_ROWS, offset, viewer });
      for (const r of page) {
        const sha256 = r.doc.sha256;
        if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) continue;
        let f = byFile.get(sha256);
        if (!f) {
          if (byFile.size >= max) return { byFile, more: true };
          f = { names: [], uids: [], fuids: [] };
          byFile.set(sha256, f);
        }
        addDistinct(f.names, r.doc.filename);
        addDistinct(f.uids, r.doc.uid);
        addDistinct(f.fuids, r.doc.fuid);
      }
      if (page.length < PAGE_MAX_ROWS) return { byFile, more: false };
    }
  }

  /** The viewer's captures, newest first (with `needBlob`, those whose capture file is kept; the rest counted as skipped). */
  private async visibleCaptures(viewer: Viewer, needBlob: boolean): Promise<{ captures: { id: string; path: string }[]; names: Map<string, string>; skipped: number }> {
    const captures: { id: string; path: string }[] = [];
    const names = new Map<string, string>();
    let skipped = 0;
    for (let offset = 0; offset < HUNT_CAPTURES_MAX; offset += 1000) {
      const page = await this.store.captures({ viewer, limit: 1000, offset });
      for (const c of page) {
        const path = !needBlob ? '' : (await this.blobs.has(c.id)) ? this.blobs.localPath?.(c.id) : undefined;
        if (path === undefined) { skipped++; continue; }
        captures.push({ id: c.id, path });
        names.set(c.id, c.name);
      }
      if (page.length < 1000) break;
    }
    return { captures, names, skipped };
  }

  private async create(kind: HuntKind, rules: number, total: number, skipped: number, viewer: Viewer): Promise<Hunt> {
    const hunt: Hunt = {
      id: 'hunt_' + randomBytes(8).toString('hex'), kind, status: 'running', startedAt: Date.now() / 1000, rules,
      total, done: 0, skipped, matches: [], errors: [],
    };
    if (viewer.keyId !== undefined) hunt.keyId = viewer.keyId;
    await this.store.intel.hunts.create(hunt);
    this.remember(hunt);
    return hunt;
  }

  /** Follows a hunt's worker: each capture's result kept and written through, the end state when it ends. */
  private run(hunt: Hunt, worker: Worker, names: Map<string, string>,
    toMatch?: (m: Extract<HuntMessage, { type: 'capture' }>) => { alerts: HuntAlert[]; files: HuntFileMatch[] }): void {
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
      if (m.type !== 'capture') return;
      hunt.done++;
      if (m.error) hunt.errors.push({ captureId: m.captureId, error: m.error });
      const name = names.get(m.captureId) ?? '';
      const match: HuntMatch = { captureId: m.captureId, name, alerts: m.alerts };
      if (toMatch) Object.assign(match, toMatch(m));
      if (match.alerts.length > 0) hunt.matches.push(match);
      const done = hunt.done;
      if (match.alerts.length > 0 || m.error) {
        const n = seq++;
        this.write(hunt.id, () => this.store.intel.hunts.addResult(hunt.id, n, { ...match, error: m.error }, done));
        progressWritten = Date.now();
      } else if (Date.now() - progressWritten >= HUNT_PROGRESS_WRITE_MS) {
        progressWritten = Date.now();
        this.write(hunt.id, () => this.store.intel.hunts.progress(hunt.id, done));
      }
    });
    worker.on('error', (e) => finish('failed', e.message));
    worker.on('exit', (code) => finish(code === 0 ? 'done' : 'failed',
      this.closing ? 'interrupted: the server stopped during the hunt (start it again)' : `the hunt's worker exited with code ${code}`));
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

interface FileNames { names: string[]; uids: string[]; fuids: string[] }

const SHA256_HEX = /^[0-9a-f]{64}$/;

function addDistinct(list: string[], v: unknown): void {
  if (typeof v === 'string' && v !== '' && list.length < HUNT_FILE_NAMES_MAX && !list.includes(v)) list.push(v);
}

/**
 * Rules in a YARA source, for the hunt's summary (YARA-X does not say): `rule NAME` declarations,
 * optionally private/global, at the start of a line. A rule declared mid-line is not counted.
 */
export function countYaraRules(source: string): number {
  return source.match(/^[ \t]*(?:(?:private|global)[ \t]+)*rule[ \t]+[A-Za-z_]\w*/gm)?.length ?? 0;
}

/** A capture's YARA result as kept: per rule the files it matched (an alert per rule), and the files with their names. */
function yaraMatch(files: readonly YaraFileResult[], names: Map<string, FileNames> | undefined): { alerts: HuntAlert[]; files: HuntFileMatch[] } {
  const byRule = new Map<string, HuntAlert>();
  const out: HuntFileMatch[] = [];
  for (const f of files) {
    const n = names?.get(f.sha256) ?? { names: [], uids: [], fuids: [] };
    out.push({ sha256: f.sha256, names: n.names, uids: n.uids, fuids: n.fuids, rules: f.rules });
    for (const r of f.rules) {
      const a = byRule.get(r.rule);
      if (a) a.count++;
      else byRule.set(r.rule, { sid: yaraSid(r.rule), msg: `YARA ${r.rule}`, count: 1 });
    }
  }
  return { alerts: [...byRule.values()].sort((x, y) => y.count - x.count || (x.msg < y.msg ? -1 : 1)), files: out };
}
