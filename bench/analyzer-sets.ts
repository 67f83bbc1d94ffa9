/**
 * Issue 5's speed figure: what the extra analyzers (everything beyond issue 4's core set: dns,
 * http, ssl, with x509 and files riding on them) cost, as instructions of a full `capdex analyze`
 * run with every analyzer against one with the core set, on two captures:
 *  - the bench capture (bench/build-capture.ts), which holds the extra protocols' traffic: a third
 *    of its template's packets are SMB, SIP, IMAP, SMTP, Modbus, FTP, ... from the shared samples,
 *    so the extra analyzers have real work there (their records are counted beside);
 *  - a capture built the same way from only those sources of the bench capture whose logs are
 *    byte-identical under both sets (no traffic for an extra analyzer): what the extra analyzers
 *    cost where their traffic is absent ("they cost only when their traffic is present").
 *
 *   node --import tsx bench/analyzer-sets.ts [--size-mb 32] [--core dns,http,ssl] [--out FILE]
 *
 * Instructions (valgrind cachegrind, `node --predictable --single-threaded`, ±1-2 % run to run),
 * not seconds: the ratio then holds on a loaded machine. Needs valgrind and a built dist/ (npm run
 * build). Results to bench/results/analyzer-sets-latest.json (or --out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBenchCapture, REPO_ROOT } from './build-capture.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizeMb = Number(opt('--size-mb', '32'));
const core = opt('--core', 'dns,http,ssl');
const outPath = opt('--out', join(REPO_ROOT, 'bench/results/analyzer-sets-latest.json'));
const MAIN = join(REPO_ROOT, 'dist/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'analyzer-sets-'));

/** `capdex analyze` of `file` with `analyzers` into a fresh folder; returns the folder. */
function analyze(file: string, analyzers: string, name: string): string {
  const out = join(work, name);
  execFileSync(process.execPath, [MAIN, 'analyze', '-q', file, '--analyzers', analyzers, '--out', out], { stdio: 'ignore' });
  return out;
}

/** Each output file's bytes, by name. */
function outputs(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

function sameOutputs(a: string, b: string): boolean {
  const x = outputs(a), y = outputs(b);
  return x.size === y.size && [...x].every(([f, bytes]) => y.get(f)?.equals(bytes) === true);
}

/** Records per log (lines of each .log file). */
function records(dir: string): { total: number; byLog: Record<string, number> } {
  const byLog: Record<string, number> = {};
  let total = 0;
  for (const [f, bytes] of outputs(dir)) {
    if (!f.endsWith('.log')) continue;
    let n = 0;
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
    if (n > 0) byLog[f.slice(0, -4)] = n;
    total += n;
  }
  return { total, byLog };
}

/** Instructions of one full run under cachegrind (its summary line on stderr: "I refs: N"). */
function instructions(file: string, analyzers: string): number {
  const out = join(work, 'cg-out');
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync('valgrind', [
    '--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null',
    process.execPath, '--predictable', '--single-threaded', MAIN, 'analyze', '-q', file, '--analyzers', analyzers, '--out', out,
  ], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`valgrind failed (status ${r.status}): ${r.error?.message ?? r.stderr}`);
  return Number(m[1].replaceAll(',', ''));
}

interface SetFigures { file: string; bytes: number; all: number; core: number; ratio: number; recordsAll: number; recordsCore: number; extraRecordsByLog: Record<string, number> }

function measure(file: string, bytes: number): SetFigures {
  process.stderr.write(`analyzer-sets: ${file}: all analyzers, then ${core}, under cachegrind\n`);
  const all = instructions(file, 'all');
  const coreInstr = instructions(file, core);
  const ra = records(analyze(file, 'all', 'rec-all')), rc = records(analyze(file, core, 'rec-core'));
  const extraRecordsByLog: Record<string, number> = {};
  for (const [log, n] of Object.entries(ra.byLog)) if (n !== (rc.byLog[log] ?? 0)) extraRecordsByLog[log] = n - (rc.byLog[log] ?? 0);
  rmSync(join(work, 'rec-all'), { recursive: true, force: true });
  rmSync(join(work, 'rec-core'), { recursive: true, force: true });
  return { file, bytes, all, core: coreInstr, ratio: all / coreInstr, recordsAll: ra.total, recordsCore: rc.total, extraRecordsByLog };
}

try {
  const bench = buildBenchCapture({ sizeMb });
  // The sources with no traffic for an extra analyzer: every output identical under both sets.
  const coreTraffic: string[] = [];
  for (const s of bench.sources) {
    const src = join(bench.srcDir, s.name);
    const a = analyze(src, 'all', `src-all-${s.name}`), c = analyze(src, core, `src-core-${s.name}`);
    if (sameOutputs(a, c)) coreTraffic.push(s.name);
  }
  process.stderr.write(`analyzer-sets: ${coreTraffic.length} of ${bench.sources.length} sources carry no traffic for an extra analyzer: ${coreTraffic.join(', ')}\n`);
  const coreOnly = buildBenchCapture({ sizeMb, only: coreTraffic, out: join(REPO_ROOT, `.bench/bench-core-traffic-${sizeMb}m.pcap`) });
  const result = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/analyzer-sets.ts --size-mb ${sizeMb} --core ${core}`,
    machine: { cores: cpus().length, loadAverage: loadavg() },
    measure: 'instructions: valgrind --tool=cachegrind --cache-sim=no, node --predictable --single-threaded dist/cli/main.js analyze -q FILE --analyzers SET',
    target: 'all / core <= 1.10 on the bench capture (issue 5)',
    coreSet: core,
    coreTrafficSources: coreTraffic,
    extraTrafficSources: bench.sources.map((s) => s.name).filter((n) => !coreTraffic.includes(n)),
    benchCapture: measure(bench.path, bench.bytes),
    coreTrafficCapture: measure(coreOnly.path, coreOnly.bytes),
  };
  writeFileSync(outPath, JSON.stringify(result, null, 2) + '\n');
  for (const [name, f] of [['bench capture', result.benchCapture], ['core-traffic capture', result.coreTrafficCapture]] as const) {
    process.stdout.write(`${name.padEnd(22)} all ${(f.all / 1e9).toFixed(3)} G / ${core} ${(f.core / 1e9).toFixed(3)} G instructions = ${f.ratio.toFixed(3)}`
      + `   records ${f.recordsAll} vs ${f.recordsCore} (+${(100 * (f.recordsAll / f.recordsCore - 1)).toFixed(0)} %)\n`);
  }
  process.stdout.write(`(figures in ${outPath})\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
