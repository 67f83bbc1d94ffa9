/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time, with
 * their inclusive ("total") time, and self time per source file.
 *
 *   node --import tsx bench/top-functions.ts PROFILE.cpuprofile|DIR [--top 25] [--no-map]
 *
 * Given a directory, reads the newest .cpuprofile in it. Locations in compiled dist/*.js are
 * mapped back to src/*.ts through the .js.map files next to them (unless --no-map).
 * Self time = sum of the sample intervals spent in the function itself; total time counts a sample
 * once for every distinct function on its stack (so recursion is not double counted).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

export interface FunctionCost {
  name: string;
  location: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  samples: number;
  functions: FunctionCost[];
  files: { file: string; selfMs: number }[];
}

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const maps = new Map<string, SourceMap | null>();

function sourceMapFor(path: string): SourceMap | null {
  let m = maps.get(path);
  if (m === undefined) {
    m = null;
    const mapPath = path + '.map';
    if (existsSync(mapPath)) {
      try {
        m = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')));
      } catch { /* unmapped */ }
    }
    maps.set(path, m);
  }
  return m;
}

/** "src/engine/x.ts:12" for our code, "node:internal/...:34" for Node's, "(native)" otherwise. */
function locate(cf: CallFrame, useMaps: boolean): { file: string; location: string } {
  if (!cf.url) return { file: '(native/vm)', location: '' };
  let path = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
  let line = cf.lineNumber + 1; // 0-based in profiles
  if (useMaps && cf.url.startsWith('file://')) {
    const map = sourceMapFor(path);
    const e = map?.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (e?.originalSource) {
      path = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : resolve(path, '..', e.originalSource);
      line = (e.originalLine ?? 0) + 1;
    }
  }
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  return { file: rel, location: `${rel}:${line}` };
}

export function summarise(profile: CpuProfile, opts: { useMaps?: boolean } = {}): ProfileSummary {
  const useMaps = opts.useMaps ?? true;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // One key per function (name + location), shared by all its nodes.
  const keyOf = new Map<number, string>();
  const info = new Map<string, { name: string; location: string; file: string }>();
  for (const n of profile.nodes) {
    const cf = n.callFrame;
    const { file, location } = locate(cf, useMaps);
    const name = cf.functionName || (cf.url ? '(anonymous)' : '(unknown)');
    const key = `${name}\u0000${location}`;
    keyOf.set(n.id, key);
    if (!info.has(key)) info.set(key, { name, location, file });
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  // timeDeltas[i] is the time before sample i; attribute the interval that FOLLOWS a sample to it.
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < deltas.length ? deltas[i + 1] : 0;
    if (dt <= 0) continue;
    totalUs += dt;
    const id = samples[i];
    const k = keyOf.get(id)!;
    self.set(k, (self.get(k) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const ck = keyOf.get(cur)!;
      if (seen.has(ck)) continue;
      seen.add(ck);
      total.set(ck, (total.get(ck) ?? 0) + dt);
    }
  }
  const functions: FunctionCost[] = [...info.entries()].map(([k, v]) => ({
    name: v.name, location: v.location, selfMs: (self.get(k) ?? 0) / 1000, totalMs: (total.get(k) ?? 0) / 1000,
  })).sort((a, b) => b.selfMs - a.selfMs);
  const fileSelf = new Map<string, number>();
  for (const [k, v] of info) fileSelf.set(v.file, (fileSelf.get(v.file) ?? 0) + (self.get(k) ?? 0) / 1000);
  const files = [...fileSelf].map(([file, selfMs]) => ({ file, selfMs })).filter((f) => f.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: totalUs / 1000, samples: samples.length, functions, files };
}

function newestProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

function main(argv: string[]): void {
  let input: string | undefined;
  let top = 25;
  let useMaps = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') top = Number(argv[++i]);
    else if (argv[i] === '--no-map') useMaps = false;
    else if (!input) input = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (!input) throw new Error('usage: top-functions.ts PROFILE.cpuprofile|DIR [--top N] [--no-map]');
  const path = statSync(input).isDirectory() ? newestProfile(input) : input;
  const s = summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, { useMaps });
  const pct = (ms: number) => ((100 * ms) / s.totalMs).toFixed(1).padStart(5) + '%';
  const out: string[] = [];
  out.push(`${path}: ${(s.totalMs / 1000).toFixed(2)} s sampled, ${s.samples} samples`);
  out.push('');
  out.push(`${'self ms'.padStart(9)} ${'self'.padStart(6)} ${'total ms'.padStart(9)} ${'total'.padStart(6)}  function  (location)`);
  for (const f of s.functions.slice(0, top)) {
    out.push(`${f.selfMs.toFixed(1).padStart(9)} ${pct(f.selfMs)} ${f.totalMs.toFixed(1).padStart(9)} ${pct(f.totalMs)}  ${f.name}${f.location ? `  (${f.location})` : ''}`);
  }
  out.push('');
  out.push('self time by file:');
  for (const f of s.files.slice(0, 15)) out.push(`${f.selfMs.toFixed(1).padStart(9)} ${pct(f.selfMs)}  ${f.file}`);
  process.stdout.write(out.join('\n') + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
