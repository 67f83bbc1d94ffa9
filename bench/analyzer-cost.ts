/**
 * Where one `capdex analyze` run spends its CPU, analyzer by analyzer: the run is sampled by
 * Linux perf (cpu-clock, user space, call stacks; V8's --perf-basic-prof names the JIT code and
 * --interpreted-frames-native-stack the interpreted frames), each frame is mapped back to src/
 * through the bundle's source map, and each sample goes to the OUTERMOST analyzer folder on its
 * stack (analyzers/<proto>/), so an analyzer is charged with everything it calls: its parsing,
 * the files framework, the log sinks and encoders of its records, the TurboFan compiles and GC
 * that happen under it. Samples with no analyzer frame (packet path, flows, detection, start-up,
 * protocol detection in app-layer.ts) are "(engine)".
 *
 *   node --import tsx bench/analyzer-cost.ts FILE [--analyzers LIST] [--main dist/cli/main.js] [--hz 2000]
 *
 * Needs `perf` and a built bundle (npm run build). Shares are of the run's CPU samples, so they
 * hold under load (everything slows alike), unlike seconds; instruction counts (cachegrind) are
 * still the measure of a change, this says where to look. Columns: share of all samples, then
 * of the analyzer's own samples the part in TurboFan (compiling), in GC, and the rest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
if (!file) {
  process.stderr.write('usage: analyzer-cost.ts FILE [--analyzers LIST] [--main dist/cli/main.js] [--hz 2000]\n');
  process.exit(2);
}
const main = resolve(opt('--main', 'dist/cli/main.js'));
const dir = mkdtempSync(join(tmpdir(), 'analyzer-cost-'));
try {
  const data = join(dir, 'perf.data');
  execFileSync('perf', [
    'record', '-e', 'cpu-clock:u', '-F', opt('--hz', '2000'), '-g', '-o', data, '--',
    process.execPath, '--single-threaded', '--perf-basic-prof', '--interpreted-frames-native-stack',
    main, 'analyze', '-q', file, '--analyzers', opt('--analyzers', 'all'), '--out', join(dir, 'logs'),
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  const script = execFileSync('perf', ['script', '-i', data, '-F', 'ip,sym'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
  report(script);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function report(script: string): void {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (path: string): SourceMap | null => {
    let m = maps.get(path);
    if (m === undefined) {
      m = existsSync(path + '.map') ? new SourceMap(JSON.parse(readFileSync(path + '.map', 'utf8'))) : null;
      maps.set(path, m);
    }
    return m;
  };
  // "JS:*name file:///…/main.js:LINE:COL" → the analyzer folder of the source it maps to, or ''.
  const folders = new Map<string, string>();
  const folderOf = (frame: string): string => {
    let f = folders.get(frame);
    if (f !== undefined) return f;
    f = '';
    const m = /file:\/\/(\S+):(\d+):(\d+)$/.exec(frame);
    const e = m ? mapFor(m[1])?.findEntry(Number(m[2]) - 1, Number(m[3]) - 1) as { originalSource?: string } | undefined : undefined;
    const a = e?.originalSource ? /\/src\/engine\/analyzers\/([^/]+)\//.exec(e.originalSource) : null;
    if (a) f = a[1];
    folders.set(frame, f);
    return f;
  };
  type Row = { all: number; turbofan: number; gc: number };
  const rows = new Map<string, Row>();
  let total = 0;
  for (const sample of script.split(/\n\s*\n/)) {
    const frames = sample.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (frames.length === 0) continue;
    total++;
    let owner = '(engine)';
    for (let i = frames.length - 1; i >= 0; i--) {
      const j = frames[i].indexOf('JS:');
      const f = j >= 0 ? folderOf(frames[i].slice(j)) : '';
      if (f !== '') { owner = f; break; }
    }
    const leaf = frames[0];
    let row = rows.get(owner);
    if (!row) rows.set(owner, (row = { all: 0, turbofan: 0, gc: 0 }));
    row.all++;
    if (/compiler::|Pipeline/.test(leaf)) row.turbofan++;
    else if (/Scaveng|MarkCompact|Marking|Sweep|Heap::|Incremental/.test(leaf)) row.gc++;
  }
  const pct = (n: number, of: number) => `${((100 * n) / Math.max(of, 1)).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${total} samples`);
  console.log('  share  analyzer         turbofan     gc   rest');
  for (const [name, r] of [...rows].sort((a, b) => b[1].all - a[1].all)) {
    console.log(`${pct(r.all, total)}  ${name.padEnd(15)} ${pct(r.turbofan, r.all)} ${pct(r.gc, r.all)} ${pct(r.all - r.turbofan - r.gc, r.all)}`);
  }
}
