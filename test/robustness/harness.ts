/**
 * Runs one input through the full engine (analyze() from a stream, into a MemorySink) and
 * summarises what happened, in-process; and `CaseWorker`, which does the same in a worker thread
 * under a watchdog, so a hang (even a synchronous infinite loop) or a heap blow-up is caught and
 * named instead of freezing or killing the harness.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, threadId } from 'node:worker_threads';
import v8 from 'node:v8';
import vm from 'node:vm';
import { analyze } from '../../src/engine/pipeline.js';
import { NotACaptureError } from '../../src/engine/capture/source.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';
import type { LogRecord, LogSchema } from '../../src/engine/logs/schema.js';
import { jsonLine } from '../../src/engine/logs/json-writer.js';
import { tsvLine } from '../../src/engine/logs/tsv-writer.js';
import type { ChecksumMode } from '../../src/engine/decode/settings.js';
import { type ChunkMode, type Corpus, chunksOf, makeCase, streamOf } from './mutate.js';

// ---------------------------------------------------------------- corpus

export function loadCorpus(dir: string, only?: string): Corpus {
  const names = readdirSync(dir).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
  const bufs = new Map<string, Buffer>();
  for (const n of names) bufs.set(n, readFileSync(join(dir, n)));
  const selected = only ? names.filter((n) => n === only) : names;
  if (only && selected.length === 0) throw new Error(`no capture named ${only} in ${dir}`);
  return {
    names,
    get(name: string): Buffer {
      const b = bufs.get(name);
      if (!b) throw new Error(`no capture named ${name}`);
      return b;
    },
  };
}

// ---------------------------------------------------------------- one run, in-process

export interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

export type RunStatus = 'ok' | 'not-a-capture' | 'error' | 'bad-output';

export interface RunSummary {
  status: RunStatus;
  /** Wall-clock milliseconds. */
  ms: number;
  /** CPU milliseconds of this thread (Linux, 10 ms resolution), or -1 when unavailable. Unlike
   *  wall time, not inflated when other processes load the machine: time budgets use this. */
  cpuMs: number;
  /** Frames the engine saw. */
  packets: number;
  /** Records written, per log path. */
  records: Record<string, number>;
  /** Distinct weird names, in first-seen order (at most 200). */
  weirds: string[];
  readerRecords: number;
  stoppedEarly: boolean;
  gzip: boolean;
  error?: ErrorInfo;
  /** heapUsed right after the run (no forced GC). */
  heapUsed: number;
}

export interface RunOptions {
  /** The engine's checksum policy ('mark' is the default). */
  checksums: ChecksumMode;
  chunkMode: ChunkMode;
  chunkSeed: number;
  /** Write the bytes to a temporary file and analyse the path (the file reader) instead of a stream. */
  viaFile?: boolean;
}

function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}` };
  return { name: 'non-Error', message: String(e), stack: `thrown non-Error value: ${String(e)}` };
}

/**
 * A MemorySink that also checks every record renders: JSON lines must parse (NaN/Infinity would
 * not), TSV lines must have one column per field and no raw line break.
 */
class CheckingSink extends MemorySink {
  badOutput: ErrorInfo | undefined;
  readonly weirdNames: string[] = [];
  private readonly weirdSeen = new Set<string>();
  private readonly check: boolean;

  constructor(check: boolean) {
    super();
    this.check = check;
  }

  override write(schema: LogSchema, record: LogRecord): void {
    super.write(schema, record);
    if (schema.path === 'weird' && typeof record.name === 'string' && !this.weirdSeen.has(record.name) && this.weirdSeen.size < 200) {
      this.weirdSeen.add(record.name);
      this.weirdNames.push(record.name);
    }
    if (!this.check || this.badOutput) return;
    try {
      const j = jsonLine(schema, record);
      try {
        JSON.parse(j);
      } catch {
        throw new Error(`${schema.path}.log JSON line does not parse: ${j.trim().slice(0, 300)}`);
      }
      const t = tsvLine(schema, record);
      const cols = t.slice(0, -1).split('\t').length;
      if (!t.endsWith('\n') || t.slice(0, -1).includes('\n') || cols !== schema.fields.length) {
        throw new Error(`${schema.path}.log TSV line malformed (${cols} columns for ${schema.fields.length} fields): ${JSON.stringify(t.slice(0, 300))}`);
      }
    } catch (e) {
      this.badOutput = errorInfo(e);
    }
  }
}

/** CPU time of the calling thread in ms (utime + stime from /proc/thread-self/stat), or -1. */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks; USER_HZ is 100 on Linux
  } catch {
    return -1;
  }
}

/** The time a run is judged by: its thread's CPU time when known, else wall time. */
export function budgetMs(s: RunSummary): number {
  return s.cpuMs >= 0 ? s.cpuMs : s.ms;
}

/** Analyses `buf` as a stream; never throws (the outcome says what happened). */
export async function runInput(buf: Buffer, opts: RunOptions, checkOutput = true): Promise<{ summary: RunSummary; sink: MemorySink }> {
  const sink = new CheckingSink(checkOutput);
  const t0 = performance.now();
  const c0 = threadCpuMs();
  let status: RunStatus = 'ok';
  let error: ErrorInfo | undefined;
  let packets = 0, readerRecords = 0, stoppedEarly = false, gzip = false;
  let path: string | undefined;
  try {
    if (opts.viaFile) {
      path = join(tmpdir(), `capdex-robustness-${process.pid}-${threadId}.bin`);
      writeFileSync(path, buf);
    }
    const res = await analyze(path ?? streamOf(chunksOf(buf, opts.chunkMode, opts.chunkSeed)), sink, {
      engine: { checksums: opts.checksums },
    });
    packets = res.stats.packets;
    readerRecords = res.capture.reader.info.records;
    stoppedEarly = res.capture.reader.info.stoppedEarly;
    gzip = res.capture.gzip;
  } catch (e) {
    if (e instanceof NotACaptureError) status = 'not-a-capture';
    else { status = 'error'; error = errorInfo(e); }
  } finally {
    if (path) rmSync(path, { force: true });
  }
  const ms = performance.now() - t0;
  const cpuMs = c0 < 0 ? -1 : threadCpuMs() - c0;
  if (status === 'ok' && sink.badOutput) { status = 'bad-output'; error = sink.badOutput; }
  const records: Record<string, number> = {};
  for (const [k, v] of sink.records) records[k] = v.length;
  return {
    summary: {
      status, ms, cpuMs, packets, records, weirds: sink.weirdNames, readerRecords, stoppedEarly, gzip, error,
      heapUsed: process.memoryUsage().heapUsed,
    },
    sink,
  };
}

// ---------------------------------------------------------------- forced GC

let gcFn: (() => void) | null | undefined;

/** global.gc if node runs with --expose-gc, else the same function obtained via V8 flags; null if neither works. */
export function getGc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (gcFn = g);
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = vm.runInNewContext('gc') as unknown;
    gcFn = typeof f === 'function' ? (f as () => void) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

/** heapUsed after a full GC, or null when GC cannot be forced. */
export function heapAfterGc(): number | null {
  const gc = getGc();
  if (!gc) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------- worker protocol

export type Task =
  | { kind: 'case'; capture: string; seed: number; index: number }
  | { kind: 'input'; buf: Uint8Array; opts: RunOptions }
  | { kind: 'heap' };

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'done'; summary: RunSummary; ops?: string[]; bytes?: number }
  | { kind: 'heap'; heapUsed: number | null };

export type TaskResult =
  | { status: RunStatus; summary: RunSummary; ops?: string[]; bytes?: number }
  | { status: 'hang'; ms: number }
  | { status: 'crash'; error: ErrorInfo };

export interface WorkerOptions {
  pcapsDir: string;
  /** Old-generation heap limit: a case that grows past it kills the worker (reported as a crash) instead of the harness. */
  maxHeapMb?: number;
  /** Worker entry module (default ./worker.ts); for testing the harness itself. */
  entry?: URL;
}

/** Runs tasks one at a time in a worker thread; a task over its time limit terminates the worker (a new one starts on demand). */
export class CaseWorker {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private pending: { resolve: (r: WorkerReply | { kind: 'exit'; error: ErrorInfo }) => void } | undefined;
  /** Worker starts (1 + restarts after hangs and crashes). */
  starts = 0;

  constructor(private readonly opts: WorkerOptions) {}

  private spawn(): Promise<void> {
    const entry = (this.opts.entry ?? new URL('./worker.ts', import.meta.url)).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    // Workers do not inherit `--import tsx`: register it before importing the TypeScript entry.
    const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    const w = new Worker(boot, {
      eval: true,
      workerData: { pcapsDir: this.opts.pcapsDir },
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 1024 },
      stdout: false,
      stderr: false,
    });
    this.starts++;
    this.worker = w;
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => { readyResolve = res; readyReject = rej; });
    let isReady = false;
    w.on('message', (m: WorkerReply) => {
      if (m.kind === 'ready') { isReady = true; readyResolve(); return; }
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    const died = (error: ErrorInfo) => {
      if (this.worker === w) { this.worker = undefined; this.ready = undefined; }
      if (!isReady) { readyReject(new Error(`robustness worker failed to start: ${error.stack}`)); return; }
      const p = this.pending;
      this.pending = undefined;
      p?.resolve({ kind: 'exit', error });
    };
    w.on('error', (e) => died(errorInfo(e)));
    w.on('exit', (code) => died({ name: 'WorkerExit', message: `worker exited with code ${code}`, stack: `worker exited with code ${code}` }));
    return ready;
  }

  async run(task: Task, timeoutMs: number): Promise<TaskResult> {
    if (!this.worker) this.ready = this.spawn();
    await this.ready;
    const w = this.worker!;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<WorkerReply | { kind: 'exit'; error: ErrorInfo } | { kind: 'timeout' }>((resolve) => {
      this.pending = { resolve };
      timer = setTimeout(() => { this.pending = undefined; resolve({ kind: 'timeout' }); }, timeoutMs);
      w.postMessage(task);
    });
    clearTimeout(timer);
    if (reply.kind === 'timeout') {
      await this.kill();
      return { status: 'hang', ms: performance.now() - t0 };
    }
    if (reply.kind === 'exit') return { status: 'crash', error: reply.error };
    if (reply.kind === 'heap') throw new Error('unexpected heap reply');
    if (reply.kind === 'ready') throw new Error('unexpected ready reply');
    return { status: reply.summary.status, summary: reply.summary, ops: reply.ops, bytes: reply.bytes };
  }

  /** heapUsed in the worker after a forced GC (null when GC cannot be forced, or the worker died or hung). */
  async heap(timeoutMs = 60_000): Promise<number | null> {
    if (!this.worker) this.ready = this.spawn();
    await this.ready;
    const w = this.worker!;
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<WorkerReply | { kind: 'exit'; error: ErrorInfo } | { kind: 'timeout' }>((resolve) => {
      this.pending = { resolve };
      timer = setTimeout(() => { this.pending = undefined; resolve({ kind: 'timeout' }); }, timeoutMs);
      w.postMessage({ kind: 'heap' } satisfies Task);
    });
    clearTimeout(timer);
    if (reply.kind === 'timeout') await this.kill();
    return reply.kind === 'heap' ? reply.heapUsed : null;
  }

  async kill(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    this.pending = undefined;
    if (!w) return;
    // terminate() interrupts JavaScript, even an infinite loop; don't wait forever on anything else.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([w.terminate(), new Promise((res) => { timer = setTimeout(res, 10_000); })]);
    clearTimeout(timer);
  }
}

/** The worker side: builds the case (or takes the bytes) and runs it. */
export function makeTaskRunner(corpus: Corpus): (task: Task) => Promise<WorkerReply> {
  return async (task) => {
    if (task.kind === 'heap') return { kind: 'heap', heapUsed: heapAfterGc() };
    if (task.kind === 'input') {
      const { summary } = await runInput(Buffer.from(task.buf.buffer, task.buf.byteOffset, task.buf.byteLength), task.opts);
      return { kind: 'done', summary };
    }
    const c = makeCase(corpus, task.capture, task.seed, task.index);
    const { summary } = await runInput(c.buf, c);
    return { kind: 'done', summary, ops: c.ops, bytes: c.buf.length };
  };
}
