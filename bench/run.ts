/**
 * `npm run bench`: capdex throughput against tshark on one large capture.
 *
 *   npm run bench [-- --size-mb N] [--runs K] [--skip-tshark] [--file PCAP] [--results FILE] [--no-build] [--cli]
 *
 * 1. builds dist/ (npx tsc -p tsconfig.json) unless --no-build -- or, with --head, exports the last
 *    commit to .bench/head and builds it there (others' uncommitted edits can't disturb it) --
 *    and builds or reuses the bench capture (bench/build-capture.ts; default 1024 MiB at .bench/bench-1g.pcap);
 * 2. reads the capture once so every run starts from the page cache;
 * 3. runs, each pinned to CPU 0 (`taskset -c 0`) under `/usr/bin/time` (peak RSS, CPU time):
 *      capdex:       node bench/capdex-conn.mjs FILE TMPDIR   -- compiled engine, no protocol
 *                    analyzers: readers + decoders + flows + conn/weird/tunnel logs as JSON
 *                    (--cli: node dist/cli/main.js analyze FILE --out TMPDIR --analyzers none --no-progress -q)
 *      tshark-conv:  tshark -r FILE -q -z conv,tcp -z conv,udp
 *      tshark-read:  tshark -r FILE -q       (the read-only floor)
 *    K times each (--runs K, interleaved), taking the median wall and CPU time and the highest
 *    peak RSS; the 1-minute load average before each run is recorded (a busy machine inflates
 *    wall time; CPU time is the steadier figure then);
 * 4. prints a table and pass/fail against the targets, and writes everything to
 *    bench/results/latest.json (latest-<N>m.json for a non-default --size-mb, latest-file.json
 *    for --file).
 *
 * --wait-idle S: before each run, wait up to S seconds until the other processes use less than
 * 10% of the machine's CPU (sampled from /proc/stat); the busy share is recorded either way.
 *
 * MB here is MiB (2^20 bytes), as in capdex's own summary line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem, tmpdir, release } from 'node:os';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT, buildBenchCapture, type BuildInfo } from './build-capture.js';
import { runDetectionBench } from './detection.js';

const MiB = 1024 * 1024;
const DEFAULT_SIZE_MB = 1024;

export const TARGETS = {
  packetsPerSec: 1_000_000,
  mbPerSec: 300,
  speedupVsTsharkConv: 15,
  peakRssMb: 512,
};

/** Issue 4's targets for the full analysis (every protocol analyzer on). */
export const TARGETS_FULL = { mbPerSec: 200, speedupVsTsharkPhs: 10 };

interface Args {
  sizeMb: number;
  runs: number;
  skipTshark: boolean;
  file?: string;
  results?: string;
  build: boolean;
  /** Time the `capdex analyze` CLI instead of the connections-only entry script. */
  cli: boolean;
  /** Measure the last commit (exported to .bench/head) instead of the working tree. */
  head: boolean;
  /** Wait up to this many seconds before each run for the machine to be idle (0: don't). */
  waitIdleS: number;
  /** Also measure the full analysis (every analyzer) against tshark -z io,phs (issue 4's targets). */
  full?: boolean;
  /** Measure the rule engine instead (bench/detection.ts): no rules, bundled rules, 30,000 rules. */
  detection?: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizeMb: DEFAULT_SIZE_MB, runs: 1, skipTshark: false, build: true, cli: false, waitIdleS: 0, head: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--size-mb') a.sizeMb = Number(val());
    else if (x === '--runs') a.runs = Number(val());
    else if (x === '--skip-tshark') a.skipTshark = true;
    else if (x === '--full') a.full = true;
    else if (x === '--detection') a.detection = true;
    else if (x === '--file') a.file = resolve(val());
    else if (x === '--results') a.results = resolve(val());
    else if (x === '--no-build') a.build = false;
    else if (x === '--cli') a.cli = true;
    else if (x === '--head') a.head = true;
    else if (x === '--wait-idle') a.waitIdleS = Number(val());
    else if (x === '--help' || x === '-h') {
      process.stdout.write('usage: npm run bench -- [--size-mb N] [--runs K] [--skip-tshark] [--file PCAP] [--results FILE] [--no-build] [--cli] [--head] [--wait-idle SECONDS] [--full] [--detection]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${x}`);
  }
  if (!(a.sizeMb > 0)) throw new Error('--size-mb must be a positive number');
  if (!Number.isInteger(a.runs) || a.runs < 1) throw new Error('--runs must be a positive integer');
  return a;
}

// ---------------------------------------------------------------- environment

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function firstLine(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

/** HEAD, and whether src/ in the working tree differs from it (measured only without --head). */
function gitInfo(): { commit?: string; workingTreeSrcDirty?: boolean } {
  const commit = firstLine('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD']);
  let dirty: boolean | undefined;
  try {
    dirty = execFileSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'src'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
  } catch { /* not a repo */ }
  return { commit, workingTreeSrcDirty: dirty };
}

/** Reads the whole file once so the timed runs all start from the page cache. */
function warmCache(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(16 * MiB);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0) { /* read */ }
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------- what is measured

/**
 * Exports HEAD's src/, rules/ (the full analysis loads the bundled rules from there) and tsconfig.json to .bench/head (git archive: no worktree, no index
 * change), links node_modules, and builds it there: a measurement of committed code that other
 * people's uncommitted edits in the shared working tree cannot disturb.
 */
function exportHead(log: (m: string) => void): string {
  const commit = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD']).toString().trim();
  const dir = join(REPO_ROOT, '.bench', 'head');
  const stamp = join(dir, '.commit');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === commit && existsSync(join(dir, 'dist', 'engine', 'pipeline.js'))) {
    log(`bench: measuring HEAD ${commit.slice(0, 12)} (already built in .bench/head)`);
    return dir;
  }
  log(`bench: exporting HEAD ${commit.slice(0, 12)} to .bench/head and building it`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['-C', REPO_ROOT, 'archive', '--format=tar', commit, 'src', 'rules', 'scripts', 'tsconfig.json', 'package.json'], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) log('bench: WARNING: tsc reported errors on HEAD; measuring the JavaScript it emitted anyway');
  // As `npm run build` does: the CLI as one bundle (start-up), when HEAD has the script.
  const bundler = join(dir, 'scripts', 'bundle-cli.mjs');
  if (existsSync(bundler) && spawnSync(process.execPath, [bundler], { cwd: dir, stdio: 'inherit' }).status !== 0) log('bench: WARNING: bundling the CLI failed; measuring the unbundled build');
  writeFileSync(stamp, commit);
  return dir;
}

// ---------------------------------------------------------------- machine load

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Share of the whole machine's CPU in use over `ms` (0..1), or the load average per core. */
function busyShare(ms = 1000): number {
  const a = cpuTimes();
  if (!a) return loadavg()[0] / cpus().length;
  sleepMs(ms);
  const b = cpuTimes()!;
  return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
}

/** Waits (up to maxS seconds) for the machine to be nearly idle; returns the last busy share. */
function waitIdle(maxS: number, log: (m: string) => void): number {
  const deadline = Date.now() + maxS * 1000;
  let share = busyShare();
  let told = false;
  while (share > 0.1 && Date.now() < deadline) {
    if (!told) { log(`  waiting for the machine to be idle (${(share * 100).toFixed(0)}% busy)...`); told = true; }
    sleepMs(4000);
    share = busyShare();
  }
  return share;
}

// ---------------------------------------------------------------- measuring

interface Measured {
  elapsedS: number;
  /** User + system CPU seconds of the child (GNU time), or null. */
  cpuS: number | null;
  peakRssKb: number | null;
  /** Share of the machine's CPU busy just before the run (other work skews wall time). */
  busyBefore: number;
  stdout: string;
}

interface Runner {
  /** Wraps argv with CPU pinning and GNU time. */
  wrap(argv: string[], timeFile: string): string[];
  /** [peak RSS KiB, CPU seconds] from the time file, or nulls. */
  read(timeFile: string): [number | null, number | null];
  describe(argv: string[]): string;
}

function makeRunner(): Runner {
  const pin = has('taskset') ? ['taskset', '-c', '0'] : [];
  const gnuTime = existsSync('/usr/bin/time');
  const fmt = '%e %M %U %S';
  return {
    wrap: (argv, timeFile) => (gnuTime ? [...pin, '/usr/bin/time', '-o', timeFile, '-f', fmt, ...argv] : [...pin, ...argv]),
    read: (timeFile) => {
      if (!gnuTime || !existsSync(timeFile)) return [null, null];
      // The last line holds the format (earlier ones may say "Command exited with non-zero status").
      const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
      const [, rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
      return [Number.isFinite(rss) ? rss : null, Number.isFinite(user + sys) ? user + sys : null];
    },
    describe: (argv) => [...pin, ...(gnuTime ? ['/usr/bin/time', '-f', `'${fmt}'`] : []), ...argv].join(' '),
  };
}

function measure(runner: Runner, argv: string[], tmp: string, label: string, busyBefore: number): Measured {
  const timeFile = join(tmp, `time-${label}.txt`);
  const full = runner.wrap(argv, timeFile);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9;
  const stderr = r.stderr?.toString() ?? '';
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}, signal ${r.signal}): ${full.join(' ')}\n${stderr.slice(-2000)}`);
  const [peakRssKb, cpuS] = runner.read(timeFile);
  return { elapsedS, cpuS, peakRssKb, busyBefore, stdout: r.stdout.toString() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 * MiB);
  let n = 0;
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      for (let i = buf.indexOf(10, 0); i !== -1 && i < got; i = buf.indexOf(10, i + 1)) n++;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

// ---------------------------------------------------------------- main

interface ToolResult {
  command: string;
  runs: { elapsedS: number; cpuS: number | null; peakRssKb: number | null; busyBefore: number }[];
  /** Median wall time. */
  elapsedS: number;
  /** Median user+system CPU time (robust to other load on the machine; GC threads included). */
  cpuS: number | null;
  peakRssMb: number | null;
  mbPerSec: number;
  packetsPerSec: number;
  [extra: string]: unknown;
}

function summarise(command: string, ms: Measured[], bytes: number, packets: number): ToolResult {
  const elapsedS = median(ms.map((m) => m.elapsedS));
  const rss = ms.map((m) => m.peakRssKb).filter((x): x is number => x !== null);
  const cpu = ms.map((m) => m.cpuS).filter((x): x is number => x !== null);
  return {
    command,
    runs: ms.map((m) => ({ elapsedS: round(m.elapsedS, 3), cpuS: m.cpuS === null ? null : round(m.cpuS, 2), peakRssKb: m.peakRssKb, busyBefore: round(m.busyBefore, 2) })),
    elapsedS: round(elapsedS, 3),
    cpuS: cpu.length ? round(median(cpu), 2) : null,
    peakRssMb: rss.length ? round(Math.max(...rss) / 1024, 1) : null,
    mbPerSec: round(bytes / MiB / elapsedS, 1),
    packetsPerSec: Math.round(packets / elapsedS),
  };
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padEnd(n) : s.padStart(n);
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const log = (m: string) => process.stderr.write(m + '\n');

  // What to measure: the working tree's dist/ (default), or HEAD exported to .bench/head/.
  let root = REPO_ROOT;
  if (args.head) {
    root = exportHead(log);
  } else if (args.build) {
    log('bench: building dist/ (npx tsc -p tsconfig.json)');
    const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
    // tsc still emits JavaScript when it reports type errors (someone's half-done edit, say).
    if (r.status !== 0) log('bench: WARNING: tsc reported errors; measuring the JavaScript it emitted anyway (use --head to measure the last commit)');
  }
  const dist = join(root, 'dist');
  const cli = join(dist, 'cli', 'main.js');
  const entry = join(REPO_ROOT, 'bench', 'capdex-conn.mjs');
  if (!existsSync(join(dist, 'engine', 'pipeline.js'))) throw new Error(`${dist} missing: build with npx tsc -p tsconfig.json`);

  let capture: BuildInfo | undefined;
  let file: string;
  if (args.file) {
    file = args.file;
  } else {
    capture = buildBenchCapture({ sizeMb: args.sizeMb, log });
    file = capture.path;
  }
  const bytes = statSync(file).size;
  const tsharkOk = !args.skipTshark && has('tshark');
  if (!args.skipTshark && !tsharkOk) log('bench: tshark not found, running capdex only');
  let packets = capture?.packets;
  if (packets === undefined) {
    const out = firstLine('capinfos', ['-c', '-M', '-T', '-r', file]);
    packets = out ? Number(out.split('\t')[1]) : NaN;
    if (!Number.isFinite(packets)) throw new Error('cannot count packets of --file (capinfos missing?)');
  }

  const tmp = mkdtempSync(join(tmpdir(), 'capdex-bench-'));
  const runner = makeRunner();
  try {
    log(`bench: warming the page cache with ${file} (${(bytes / MiB).toFixed(0)} MiB)`);
    warmCache(file);
    if (args.detection) {
      const idleNow = () => (args.waitIdleS > 0 ? waitIdle(args.waitIdleS, log) : busyShare(500));
      const det = runDetectionBench({ file, bytes, runs: args.runs, cli, tmp, log, measure: (argv, label) => measure(runner, argv, tmp, label, idleNow()) });
      const detPath = args.results ?? join(REPO_ROOT, 'bench', 'results', args.file ? 'detection-file.json' : `detection-${args.sizeMb}m.json`);
      writeFileSync(detPath, JSON.stringify({ date: new Date().toISOString(), git: gitInfo(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
        file: { path: relative(REPO_ROOT, file), bytes, packets }, machine: { cores: cpus().length, loadAverageAtEnd: loadavg() }, ...det }, null, 2) + '\n');
      log(`bench: results written to ${relative(process.cwd(), detPath)}`);
      return;
    }

    const outDir = join(tmp, 'capdex-out');
    const capdexArgv = args.cli
      ? [process.execPath, cli, 'analyze', file, '--out', outDir, '--analyzers', 'none', '--no-progress', '-q']
      : [process.execPath, entry, file, outDir, ...(args.head ? ['--dist', dist] : [])];
    const convArgv = ['tshark', '-r', file, '-q', '-z', 'conv,tcp', '-z', 'conv,udp'];
    const readArgv = ['tshark', '-r', file, '-q'];
    const fullOut = join(tmp, 'capdex-full');
    const fullArgv = [process.execPath, cli, 'analyze', file, '--out', fullOut, '--no-progress', '-q'];
    const phsArgv = ['tshark', '-r', file, '-q', '-z', 'io,phs'];
    const fullRuns: Measured[] = [];
    const phsRuns: Measured[] = [];

    const capdexRuns: Measured[] = [];
    const convRuns: Measured[] = [];
    const readRuns: Measured[] = [];
    let connRows = 0;
    let weirdRows = 0;
    let tsharkConvs = 0;
    let engineStats: { packets: number; connections: number; weirds: number; maxRssKb: number } | undefined;
    const show = (m: Measured) => `${m.elapsedS.toFixed(2)} s wall, ${m.cpuS?.toFixed(2) ?? '?'} s CPU, peak RSS ${m.peakRssKb ?? '?'} KiB, machine ${(m.busyBefore * 100).toFixed(0)}% busy before`;
    const idle = () => (args.waitIdleS > 0 ? waitIdle(args.waitIdleS, log) : busyShare(500));
    for (let r = 1; r <= args.runs; r++) {
      rmSync(outDir, { recursive: true, force: true });
      log(`bench: run ${r}/${args.runs}: capdex`);
      const m = measure(runner, capdexArgv, tmp, 'capdex', idle());
      if (!args.cli) {
        engineStats = JSON.parse(m.stdout.trim().split('\n').pop()!) as typeof engineStats;
        if (m.peakRssKb === null) m.peakRssKb = engineStats!.maxRssKb;
        if (engineStats!.packets !== packets) throw new Error(`capdex saw ${engineStats!.packets} packets, the capture has ${packets}`);
      }
      capdexRuns.push(m);
      log(`  ${show(m)}`);
      connRows = countLines(join(outDir, 'conn.log'));
      weirdRows = countLines(join(outDir, 'weird.log'));
      rmSync(outDir, { recursive: true, force: true });
      if (tsharkOk) {
        log(`bench: run ${r}/${args.runs}: tshark conv`);
        const c = measure(runner, convArgv, tmp, 'tshark-conv', idle());
        convRuns.push(c);
        tsharkConvs = c.stdout.split('\n').filter((l) => l.includes('<->')).length;
        log(`  ${show(c)}`);
        log(`bench: run ${r}/${args.runs}: tshark read`);
        const t = measure(runner, readArgv, tmp, 'tshark-read', idle());
        readRuns.push(t);
        log(`  ${show(t)}`);
      }
      if (args.full) {
        rmSync(fullOut, { recursive: true, force: true });
        log(`bench: run ${r}/${args.runs}: capdex full analysis (all analyzers)`);
        const f = measure(runner, fullArgv, tmp, 'capdex-full', idle());
        fullRuns.push(f);
        log(`  ${show(f)}`);
        rmSync(fullOut, { recursive: true, force: true });
        if (tsharkOk) {
          log(`bench: run ${r}/${args.runs}: tshark io,phs (full dissection)`);
          const ph = measure(runner, phsArgv, tmp, 'tshark-phs', idle());
          phsRuns.push(ph);
          log(`  ${show(ph)}`);
        }
      }
    }
    const full = args.full ? summarise(runner.describe(['node', 'dist/cli/main.js', 'analyze', '$FILE', '--out', '$TMP', '--no-progress', '-q']), fullRuns, bytes, packets) : undefined;
    const phs = args.full && tsharkOk ? summarise(runner.describe(phsArgv.map((x) => (x === file ? '$FILE' : x))), phsRuns, bytes, packets) : undefined;
    const speedupPhs = full && phs ? phs.elapsedS / full.elapsedS : undefined;

    const describe = (argv: string[]) => runner.describe(argv.map((x) => (x === process.execPath ? 'node' : x.startsWith(REPO_ROOT + '/') ? relative(REPO_ROOT, x) : x.startsWith(tmp) ? x.replace(tmp, '$TMP') : x)));
    const capdex = summarise(describe(capdexArgv), capdexRuns, bytes, packets);
    capdex.connLogRows = connRows;
    capdex.weirdLogRows = weirdRows;
    if (engineStats) capdex.engineStats = engineStats;
    const conv = tsharkOk ? summarise(describe(convArgv), convRuns, bytes, packets) : undefined;
    if (conv) conv.conversations = tsharkConvs;
    const read = tsharkOk ? summarise(describe(readArgv), readRuns, bytes, packets) : undefined;

    const speedupConv = conv ? conv.elapsedS / capdex.elapsedS : undefined;
    const speedupRead = read ? read.elapsedS / capdex.elapsedS : undefined;
    const cpuRatio = (r: ToolResult | undefined) => (r && r.cpuS !== null && capdex.cpuS ? r.cpuS / capdex.cpuS : undefined);
    const cpuSpeedupConv = cpuRatio(conv);
    const cpuSpeedupRead = cpuRatio(read);
    const perCpu = capdex.cpuS ? { mbPerCpuSec: round(bytes / MiB / capdex.cpuS, 1), packetsPerCpuSec: Math.round(packets / capdex.cpuS) } : undefined;
    if (perCpu) Object.assign(capdex, perCpu);
    const checks: Array<{ name: string; target: string; value: number | null; pass: boolean | null }> = [
      { name: 'packets/s', target: `>= ${fmtInt(TARGETS.packetsPerSec)}`, value: capdex.packetsPerSec, pass: capdex.packetsPerSec >= TARGETS.packetsPerSec },
      { name: 'MB/s', target: `>= ${TARGETS.mbPerSec}`, value: capdex.mbPerSec, pass: capdex.mbPerSec >= TARGETS.mbPerSec },
      { name: 'speedup vs tshark conv', target: `>= ${TARGETS.speedupVsTsharkConv}x`, value: speedupConv === undefined ? null : round(speedupConv, 2), pass: speedupConv === undefined ? null : speedupConv >= TARGETS.speedupVsTsharkConv },
      { name: 'peak RSS MB', target: `< ${TARGETS.peakRssMb}`, value: capdex.peakRssMb, pass: capdex.peakRssMb === null ? null : capdex.peakRssMb < TARGETS.peakRssMb },
    ];
    const maxBusy = Math.max(...[...capdexRuns, ...convRuns, ...readRuns].map((m) => m.busyBefore));

    // ---- table
    const rows: [string, ToolResult | undefined][] = [['capdex (conn)', capdex], ['tshark conv', conv], ['tshark read', read],
      ...(args.full ? [['capdex (full)', full], ['tshark io,phs', phs]] as [string, ToolResult | undefined][] : [])];
    if (full) {
      checks.push(
        { name: 'full analysis MB/s', target: `>= ${TARGETS_FULL.mbPerSec}`, value: full.mbPerSec, pass: full.mbPerSec >= TARGETS_FULL.mbPerSec },
        { name: 'full vs tshark io,phs', target: `>= ${TARGETS_FULL.speedupVsTsharkPhs}x`, value: speedupPhs === undefined ? null : round(speedupPhs, 2), pass: speedupPhs === undefined ? null : speedupPhs >= TARGETS_FULL.speedupVsTsharkPhs },
        { name: 'full peak RSS MB', target: `< ${TARGETS.peakRssMb}`, value: full.peakRssMb, pass: full.peakRssMb === null ? null : full.peakRssMb < TARGETS.peakRssMb },
      );
    }
    const lines: string[] = [];
    lines.push('');
    lines.push(`file      ${relative(process.cwd(), file) || file}: ${fmtInt(bytes)} bytes (${(bytes / MiB).toFixed(0)} MiB), ${fmtInt(packets)} packets${capture ? `, ${capture.copies} copies of ${capture.sources.length} captures` : ''}`);
    lines.push(`runs      ${args.runs} per tool (median wall/CPU time, highest peak RSS); each pinned to CPU 0${runner.describe([]).startsWith('taskset') ? '' : ' (taskset missing: NOT pinned)'}`);
    lines.push('');
    lines.push(`${pad('tool', 15, true)} ${pad('elapsed s', 10)} ${pad('CPU s', 7)} ${pad('MB/s', 9)} ${pad('packets/s', 12)} ${pad('peak RSS MB', 12)}`);
    for (const [name, r] of rows) {
      if (!r) { lines.push(`${pad(name, 15, true)} ${pad('skipped', 10)}`); continue; }
      lines.push(`${pad(name, 15, true)} ${pad(r.elapsedS.toFixed(2), 10)} ${pad(r.cpuS === null ? '?' : r.cpuS.toFixed(2), 7)} ${pad(r.mbPerSec.toFixed(1), 9)} ${pad(fmtInt(r.packetsPerSec), 12)} ${pad(r.peakRssMb === null ? '?' : r.peakRssMb.toFixed(1), 12)}`);
    }
    lines.push('');
    const by = (x: number | undefined) => (x === undefined ? '' : ` (by CPU time: ${x.toFixed(2)}x)`);
    lines.push(`capdex / tshark conv: ${speedupConv === undefined ? 'n/a' : speedupConv.toFixed(2) + 'x faster'}${by(cpuSpeedupConv)}`);
    lines.push(`capdex / tshark read: ${speedupRead === undefined ? 'n/a' : speedupRead.toFixed(2) + 'x faster'}${by(cpuSpeedupRead)}`);
    if (perCpu) lines.push(`capdex per CPU second: ${perCpu.mbPerCpuSec.toFixed(1)} MB, ${fmtInt(perCpu.packetsPerCpuSec)} packets`);
    lines.push(`conn.log rows ${fmtInt(connRows)}, weird.log rows ${fmtInt(weirdRows)}${conv ? `; tshark tcp+udp conversations ${fmtInt(tsharkConvs)}` : ''}`);
    if (maxBusy > 0.1) lines.push(`WARNING: the machine was up to ${(maxBusy * 100).toFixed(0)}% busy (${cpus().length} cores) just before a run: other work was running, wall times are pessimistic (compare CPU s; rerun with --wait-idle 600)`);
    lines.push('');
    lines.push('targets:');
    for (const c of checks) {
      lines.push(`  ${pad(c.name, 24, true)} ${pad(c.target, 12, true)} ${pad(c.value === null ? 'n/a' : String(c.value), 12)}  ${c.pass === null ? 'n/a' : c.pass ? 'PASS' : 'FAIL'}`);
    }
    process.stdout.write(lines.join('\n') + '\n');

    // ---- results file
    const resultsPath = args.results ?? join(REPO_ROOT, 'bench', 'results',
      !args.file && args.sizeMb === DEFAULT_SIZE_MB ? 'latest.json' : `latest-${args.file ? 'file' : `${args.sizeMb}m`}.json`);
    const cpu = cpus();
    const results = {
      date: new Date().toISOString(),
      git: gitInfo(),
      measured: args.head ? 'HEAD, exported to .bench/head and built there' : 'working tree (dist/ built from src/ as it was)',
      machine: {
        cpuModel: cpu[0]?.model ?? 'unknown',
        cores: cpu.length,
        memTotalMb: Math.round(totalmem() / MiB),
        kernel: release(),
        node: process.version,
        tshark: tsharkOk ? firstLine('tshark', ['--version']) : undefined,
        pinning: has('taskset') ? 'taskset -c 0' : 'none (taskset missing)',
        measurement: existsSync('/usr/bin/time') ? "/usr/bin/time -f '%e %M %U %S' (peak RSS, CPU); wall time from the parent" : 'wall time from the parent; capdex RSS from process.resourceUsage()',
        maxBusyShareBeforeRuns: round(maxBusy, 2),
        loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      },
      file: {
        path: relative(REPO_ROOT, file),
        bytes,
        mib: round(bytes / MiB, 1),
        packets,
        ...(capture ? {
          generator: capture.generator, sizeMb: capture.sizeMb, copies: capture.copies,
          templatePackets: capture.templatePackets, templateBytes: capture.templateBytes,
          sources: capture.sources.map((s) => s.name), parameters: capture.parameters,
          buildCommand: `node --import tsx bench/build-capture.ts --size-mb ${capture.sizeMb}`,
        } : {}),
      },
      command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
      runs: args.runs,
      units: { mb: 'MiB (2^20 bytes)', elapsedS: 'wall seconds, median of runs', cpuS: 'user+system seconds, median of runs', peakRssMb: 'MiB, highest of runs' },
      capdex,
      tsharkConv: conv ?? null,
      tsharkRead: read ?? null,
      capdexFull: full ?? null,
      tsharkPhs: phs ?? null,
      ratios: {
        capdexVsTsharkConv: speedupConv === undefined ? null : round(speedupConv, 2),
        capdexVsTsharkRead: speedupRead === undefined ? null : round(speedupRead, 2),
        capdexFullVsTsharkPhs: speedupPhs === undefined ? null : round(speedupPhs, 2),
        byCpuTime: {
          capdexVsTsharkConv: cpuSpeedupConv === undefined ? null : round(cpuSpeedupConv, 2),
          capdexVsTsharkRead: cpuSpeedupRead === undefined ? null : round(cpuSpeedupRead, 2),
        },
      },
      targets: checks,
    };
    mkdirSync(join(resultsPath, '..'), { recursive: true });
    writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
    log(`bench: results written to ${relative(process.cwd(), resultsPath)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();
