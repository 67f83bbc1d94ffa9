/**
 * The robustness fuzzer: `npm run fuzz -- --count N [--seed S] [--capture NAME | --match REGEX]
 * [--jobs J] [--budget-ms MS] [--replay capture:seed:index]`.
 *
 * Runs N mutated cases (see mutate.ts) over the shared captures through the full engine, each in
 * a worker thread under a watchdog. A case fails when an exception escapes (NotACaptureError is a
 * valid outcome), a record does not render, it runs over the time budget, or the worker dies (heap
 * limit, uncaught async error); every few thousand cases the worker's heap after a forced GC is
 * compared with its baseline. Each failure prints its replay id; the first few inputs per distinct
 * failure are written to .tmp/fuzz-failures/ with a .txt describing them. Nothing per case is kept
 * in memory, so millions of cases are fine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, PCAPS } from '../helpers.js';
import { CaseWorker, type ErrorInfo, type TaskResult, budgetMs, loadCorpus, runInput } from './harness.js';
import { caseId, makeCase, parseCaseId } from './mutate.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    capture: { type: 'string' },
    /** Only captures whose name matches this regular expression, e.g. '^(dns|http|tls)'. */
    match: { type: 'string' },
    replay: { type: 'string' },
    start: { type: 'string', default: '0' },
    jobs: { type: 'string', default: '1' },
    /** Per-case budget, in CPU ms of the worker thread (wall ms where that is unavailable). */
    'budget-ms': { type: 'string', default: '2000' },
    /** Wall-clock watchdog: a case without a result after this long is a hang; the worker is killed. */
    'hang-ms': { type: 'string' },
    'heap-every': { type: 'string', default: '2000' },
    'heap-growth-mb': { type: 'string', default: '64' },
    /** Worker heap limit: a case growing past it kills the worker and is reported as a crash. */
    'max-heap-mb': { type: 'string', default: '1024' },
    /** heapUsed right after a case (its records still held) above this is a failure. */
    'max-case-heap-mb': { type: 'string', default: '384' },
    'per-signature': { type: 'string', default: '3' },
    out: { type: 'string', default: join(ROOT, '.tmp', 'fuzz-failures') },
    /** Progress once a minute instead of every 5 s. */
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
});

const outDir = args.out!;
const corpus = loadCorpus(PCAPS, args.capture);

function write(name: string, data: Buffer | string): string {
  mkdirSync(outDir, { recursive: true });
  const p = join(outDir, name);
  writeFileSync(p, data);
  return p;
}

function fileStem(capture: string, seed: number, index: number): string {
  return `${capture.replace(/[^A-Za-z0-9._-]/g, '_')}__${seed}__${index}`;
}

function inputExt(buf: Buffer, capture: string): string {
  const ext = capture.endsWith('.pcapng') ? 'pcapng' : 'pcap';
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? `${ext}.gz` : ext;
}

async function replay(id: string): Promise<number> {
  const { capture, seed, index } = parseCaseId(id);
  const c = makeCase(corpus, capture, seed, index);
  console.log(`case ${c.id}: ${c.buf.length} bytes, ops [${c.ops.join(' ')}], checksums=${c.checksums}, ${c.viaFile ? 'file' : `stream chunks=${c.chunkMode}`}`);
  const stem = fileStem(capture, seed, index);
  console.log(`input written to ${write(`${stem}.${inputExt(c.buf, capture)}`, c.buf)}`);
  const { summary } = await runInput(c.buf, c);
  const { error, ...rest } = summary;
  console.log(JSON.stringify(rest, null, 2));
  if (error) console.log(error.stack);
  const failed = summary.status === 'error' || summary.status === 'bad-output';
  console.log(failed ? `FAIL (${summary.status})` : budgetMs(summary) > Number(args['budget-ms']) ? `SLOW (${budgetMs(summary).toFixed(0)} ms)` : 'ok');
  return failed ? 1 : 0;
}

// ---------------------------------------------------------------- failure bookkeeping

interface Signature {
  count: number;
  firstId: string;
}

const signatures = new Map<string, Signature>();
const MAX_SIGNATURES = 10_000;
let failures = 0;

/** A stable name for "the same bug": kind + message without numbers + the top engine frames. */
function signatureOf(kind: string, e?: ErrorInfo): string {
  if (!e) return kind;
  const frames = e.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 3)
    .map((l) => l.trim().replace(/\(?(file:\/\/)?\/[^()]*\/(src|test|node_modules)\//, '($2/').replace(/:\d+:\d+\)?$/, ''));
  return `${kind}: ${e.name}: ${e.message.replace(/\d+/g, 'N').slice(0, 160)} | ${frames.join(' < ')}`;
}

function recordFailure(kind: string, capture: string, seed: number, index: number, detail: string, e?: ErrorInfo, ops?: string[]): void {
  failures++;
  const id = caseId(capture, seed, index);
  const sig = signatureOf(kind, e);
  let s = signatures.get(sig);
  if (!s) {
    if (signatures.size >= MAX_SIGNATURES) return;
    s = { count: 0, firstId: id };
    signatures.set(sig, s);
  }
  s.count++;
  if (s.count > Number(args['per-signature'])) return;
  const c = makeCase(corpus, capture, seed, index);
  const stem = fileStem(capture, seed, index);
  const input = write(`${stem}.${inputExt(c.buf, capture)}`, c.buf);
  const text = [
    `replay: npm run fuzz -- --replay ${id}`,
    `kind: ${kind}`,
    `detail: ${detail}`,
    `ops: ${(ops ?? c.ops).join(' ')}`,
    `checksums: ${c.checksums}, ${c.viaFile ? 'read from a file' : `streamed, chunks: ${c.chunkMode}`}`,
    `input: ${input} (${c.buf.length} bytes)`,
    `signature: ${sig}`,
    '',
    e?.stack ?? '',
  ].join('\n');
  write(`${stem}.txt`, text + '\n');
  console.log(`\nFAIL ${kind} ${id}${s.count === 1 ? ' (new)' : ''}: ${detail}\n  replay: npm run fuzz -- --replay ${id}\n  ops: ${c.ops.join(' ')}`);
  if (e && s.count === 1) console.log(e.stack.split('\n').slice(0, 8).map((l) => '  ' + l).join('\n'));
}

// ---------------------------------------------------------------- the run

async function main(): Promise<number> {
  if (args.replay) return replay(args.replay);
  const count = Number(args.count);
  const start = Number(args.start);
  const seed = args.seed !== undefined ? Number(args.seed) : (Date.now() % 1_000_000_000);
  const jobs = Math.max(1, Number(args.jobs));
  const budget = Number(args['budget-ms']);
  const hangMs = Number(args['hang-ms'] ?? Math.max(10_000, budget * 5));
  const heapEvery = Number(args['heap-every']);
  const maxCaseHeap = Number(args['max-case-heap-mb']) * 1024 * 1024;
  const growthBytes = Number(args['heap-growth-mb']) * 1024 * 1024;
  const captures = args.capture ? [args.capture] : corpus.names.filter((n) => !args.match || new RegExp(args.match).test(n));
  if (captures.length === 0) throw new Error(`no capture matches ${args.match}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error('--seed must be a non-negative integer');
  console.log(`fuzz: ${count} cases over ${captures.length} captures, seed ${seed}, start ${start}, ${jobs} job(s), budget ${budget} ms CPU/case, watchdog ${hangMs} ms`);
  console.log(`      failing inputs go to ${outDir}`);

  let next = start;
  const end = start + count;
  let done = 0;
  let notCapture = 0;
  let slowest = 0;
  let slowestId = '';
  const t0 = performance.now();
  /** Case in flight per job, and since when: shown by the progress line, so a stall names itself. */
  const inFlight = new Map<number, { id: string; since: number }>();
  const report = () => {
    const s = (performance.now() - t0) / 1000;
    let line = `fuzz: ${done}/${count} cases in ${s.toFixed(1)} s, ${(done / s).toFixed(0)} cases/s, ${notCapture} not-a-capture, `
      + `slowest ${slowest.toFixed(0)} ms CPU (${slowestId}), ${failures} failures (${signatures.size} distinct)`;
    const now = performance.now();
    const stuck = [...inFlight.values()].filter((f) => now - f.since > 5000).map((f) => `${f.id} for ${((now - f.since) / 1000).toFixed(0)} s`);
    if (stuck.length > 0) line += `; in flight: ${stuck.join(', ')}`;
    console.log(line);
  };

  async function job(jobNo: number): Promise<void> {
    const worker = new CaseWorker({ pcapsDir: PCAPS, maxHeapMb: Number(args['max-heap-mb']) });
    let baseline: number | null = null;
    let sinceHeap = 0;
    let firstSince = '';
    let startsAtBaseline = 0;
    try {
      while (next < end) {
        const i = next++;
        const capture = captures[i % captures.length];
        // The watchdog uses wall time, generous because a loaded machine inflates it; the budget
        // itself is checked against the case's CPU time below.
        inFlight.set(jobNo, { id: caseId(capture, seed, i), since: performance.now() });
        const r: TaskResult = await worker.run({ kind: 'case', capture, seed, index: i }, hangMs);
        inFlight.delete(jobNo);
        done++;
        if (r.status === 'hang') recordFailure('hang', capture, seed, i, `no result after ${r.ms.toFixed(0)} ms wall time (budget ${budget} ms); worker killed`);
        else if (r.status === 'crash') recordFailure('crash', capture, seed, i, `worker died: ${r.error.message}`, r.error);
        else {
          const sm = r.summary;
          if (sm.status === 'not-a-capture') notCapture++;
          if (sm.status === 'error' || sm.status === 'bad-output') recordFailure(sm.status, capture, seed, i, sm.error?.message ?? '', sm.error, r.ops);
          else if (sm.heapUsed > maxCaseHeap) recordFailure('memory', capture, seed, i, `heapUsed ${(sm.heapUsed / 1048576).toFixed(0)} MB after the case (${r.bytes} bytes in)`, undefined, r.ops);
          else if (budgetMs(sm) > budget) recordFailure('slow', capture, seed, i, `${budgetMs(sm).toFixed(0)} ms CPU > budget ${budget} ms (${sm.ms.toFixed(0)} ms wall, ${r.bytes} bytes)`, undefined, r.ops);
          if (budgetMs(sm) > slowest) { slowest = budgetMs(sm); slowestId = caseId(capture, seed, i); }
        }
        if (sinceHeap === 0) firstSince = caseId(capture, seed, i);
        if (++sinceHeap >= heapEvery) {
          sinceHeap = 0;
          const h = await worker.heap();
          if (h !== null) {
            if (baseline === null || worker.starts !== startsAtBaseline) { baseline = h; startsAtBaseline = worker.starts; }
            else if (h - baseline > growthBytes) {
              recordFailure('heap-growth', capture, seed, i,
                `worker heap after GC grew ${((h - baseline) / 1048576).toFixed(1)} MB over its baseline during cases ${firstSince} .. ${caseId(capture, seed, i)}`);
              baseline = h;
            }
          }
        }
      }
    } finally {
      await worker.kill();
    }
  }

  const ticker = setInterval(report, args.quiet ? 60_000 : 5000);
  try {
    await Promise.all(Array.from({ length: jobs }, (_, k) => job(k)));
  } finally {
    clearInterval(ticker);
  }
  report();
  if (signatures.size > 0) {
    console.log('\ndistinct failures (count, first replay id, signature):');
    for (const [sig, s] of [...signatures].sort((a, b) => b[1].count - a[1].count)) console.log(`  ${s.count}\t${s.firstId}\t${sig}`);
  }
  return failures > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
