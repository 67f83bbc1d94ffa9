// The full analysis run several times in ONE process: what `capdex analyze` costs cold (the first
// run: V8 interprets, then compiles the engine's hot code while it runs) against warm (later runs:
// TurboFan's code and the type feedback kept), which is how `capdex serve` analyses once its
// worker has run a job (src/jobs/runner.ts keeps workers between jobs). Same work as the CLI's
// default: every analyzer, the bundled rules (parsed afresh each run, outside the timing),
// heuristics, logs written as JSON by a FileSink. Plain JS over dist/ (npm run build first).
//
//   taskset -c 0 node bench/engine-warm.mjs CAPTURE [--runs 3] [--out FILE]
//
// Prints one line per run and writes bench/results/engine-warm-latest.json (or --out).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const capture = args[0];
if (!capture || capture.startsWith('--')) {
  process.stderr.write('usage: node bench/engine-warm.mjs CAPTURE [--runs 3] [--out FILE]\n');
  process.exit(2);
}
const runs = Number(opt('--runs', '3'));
const root = resolve(import.meta.dirname, '..');
const outFile = opt('--out', join(root, 'bench/results/engine-warm-latest.json'));
const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { analyze, DEFAULT_ENGINE_OPTIONS } = await load('engine/pipeline.js');
const { FileSink } = await load('engine/logs/file-sink.js');
const { loadRuleset } = await load('engine/detect/ruleset.js');

const bytes = statSync(capture).size;
const mib = bytes / 2 ** 20;
const tmp = mkdtempSync(join(tmpdir(), 'engine-warm-'));
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const rules = loadRuleset([]).rules; // rules hold state (dataset:set): each run its own, as each serve job
    const out = join(tmp, `run-${i}`);
    const sink = new FileSink(out, 'json');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { stats } = await analyze(capture, sink, { engine: { ...DEFAULT_ENGINE_OPTIONS, rules } });
    sink.close();
    const c = process.cpuUsage(c0);
    const cpuS = (c.user + c.system) / 1e6;
    const wallS = (performance.now() - t0) / 1000;
    results.push({ run: i + 1, cpuS, wallS, mbPerCpuSec: mib / cpuS, mbPerSec: mib / wallS, packets: stats.packets, alerts: stats.alerts });
    process.stdout.write(`run ${i + 1}: ${cpuS.toFixed(2)} s CPU (${(mib / cpuS).toFixed(1)} MiB/CPU s), ${wallS.toFixed(2)} s wall (${(mib / wallS).toFixed(1)} MiB/s)\n`);
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const first = results[0], last = results[results.length - 1];
writeFileSync(outFile, JSON.stringify({
  date: new Date().toISOString(),
  command: `node bench/engine-warm.mjs ${capture} --runs ${runs}`,
  machine: { cores: cpus().length, loadAverageAtEnd: loadavg() },
  file: { path: capture, bytes, mib },
  note: 'CPU is the process\'s (all threads: TurboFan compiles and GC run beside the main thread); run 1 is the CLI\'s cold cost, the last a kept serve worker\'s.',
  runs: results,
  warmOverColdCpu: last.cpuS / first.cpuS,
}, null, 2) + '\n');
process.stdout.write(`warm/cold CPU: ${(last.cpuS / first.cpuS).toFixed(2)} (figures in ${outFile})\n`);
