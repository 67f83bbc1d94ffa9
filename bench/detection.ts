/**
 * `npm run bench -- --detection`: what the rule engine costs. The full analysis (`capdex analyze`,
 * every analyzer) of the bench capture three ways, each run pinned and timed like the other modes:
 *   none:    --no-default-rules                      (the baseline: no rules, no detection cost)
 *   bundled: the default (rules/capdex.rules)
 *   30k:     --no-default-rules --rules 30k.rules    (bench/rules/generate.ts, deterministic)
 * and reports MB/s (wall and per CPU second) and the slowdown against the baseline, with issue 6's
 * targets: >= 150 MB/s with the bundled rules, 30,000 rules at most 2x slower than none.
 * CPU seconds are the steadier figure on a shared machine; both are recorded.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRules } from './rules/generate.js';

export const TARGETS_DETECTION = { bundledMbPerSec: 150, rules30kSlowdown: 2 };

export interface DetectionMeasured { elapsedS: number; cpuS: number | null; peakRssKb: number | null; busyBefore: number; stdout: string }

export interface DetectionBenchInput {
  file: string;
  bytes: number;
  runs: number;
  /** dist/cli/main.js to run. */
  cli: string;
  tmp: string;
  log: (m: string) => void;
  measure: (argv: string[], label: string) => DetectionMeasured;
  /** How many generated rules (default 30,000). */
  generated?: number;
}

interface ModeResult { mode: string; args: string[]; elapsedS: number; cpuS: number | null; peakRssMb: number | null; mbPerSec: number; mbPerCpuSec: number | null }

const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export function runDetectionBench(inp: DetectionBenchInput): Record<string, unknown> {
  const n = inp.generated ?? 30_000;
  const rulesFile = join(inp.tmp, `generated-${n}.rules`);
  writeFileSync(rulesFile, generateRules(n));
  const modes: Array<{ mode: string; args: string[] }> = [
    { mode: 'none', args: ['--no-default-rules'] },
    { mode: 'bundled', args: [] },
    { mode: `${n / 1000}k`, args: ['--no-default-rules', '--rules', rulesFile] },
  ];
  const runs = new Map<string, DetectionMeasured[]>(modes.map((m) => [m.mode, []]));
  for (let r = 1; r <= inp.runs; r++) {
    for (const m of modes) {
      const out = join(inp.tmp, `det-${m.mode}`);
      inp.log(`bench: detection run ${r}/${inp.runs}: ${m.mode}`);
      const res = inp.measure([process.execPath, inp.cli, 'analyze', inp.file, '--out', out, '--no-progress', '-q', ...m.args], `det-${m.mode}`);
      inp.log(`  ${res.elapsedS.toFixed(2)} s wall, ${res.cpuS?.toFixed(2) ?? '?'} s CPU, machine ${(res.busyBefore * 100).toFixed(0)}% busy before`);
      runs.get(m.mode)!.push(res);
    }
  }
  const results: ModeResult[] = modes.map((m) => {
    const ms = runs.get(m.mode)!;
    const elapsedS = median(ms.map((x) => x.elapsedS));
    const cpu = ms.map((x) => x.cpuS).filter((x): x is number => x !== null);
    const rss = ms.map((x) => x.peakRssKb).filter((x): x is number => x !== null);
    const cpuS = cpu.length ? median(cpu) : null;
    return {
      mode: m.mode, args: m.args.map((a) => (a === rulesFile ? `$TMP/generated-${n}.rules` : a)),
      elapsedS: round(elapsedS, 3), cpuS: cpuS === null ? null : round(cpuS), peakRssMb: rss.length ? round(Math.max(...rss) / 1024, 1) : null,
      mbPerSec: round(inp.bytes / MiB / elapsedS, 1), mbPerCpuSec: cpuS ? round(inp.bytes / MiB / cpuS, 1) : null,
    };
  });
  const [none, bundled, gen] = results;
  const slow = (x: ModeResult, by: 'elapsedS' | 'cpuS') => (x[by] !== null && none[by] ? round((x[by] as number) / (none[by] as number)) : null);
  const ratios = {
    bundledVsNone: { wall: slow(bundled, 'elapsedS'), cpu: slow(bundled, 'cpuS') },
    generatedVsNone: { wall: slow(gen, 'elapsedS'), cpu: slow(gen, 'cpuS') },
  };
  const bundledRate = bundled.mbPerCpuSec ?? bundled.mbPerSec;
  const genSlow = ratios.generatedVsNone.cpu ?? ratios.generatedVsNone.wall;
  const checks = [
    { name: 'bundled rules MB/s (per CPU s)', target: `>= ${TARGETS_DETECTION.bundledMbPerSec}`, value: bundledRate, pass: bundledRate >= TARGETS_DETECTION.bundledMbPerSec },
    { name: `${gen.mode} rules slowdown (CPU)`, target: `<= ${TARGETS_DETECTION.rules30kSlowdown}x`, value: genSlow, pass: genSlow === null ? null : genSlow <= TARGETS_DETECTION.rules30kSlowdown },
  ];
  const lines = ['', `${'mode'.padEnd(9)} ${'elapsed s'.padStart(10)} ${'CPU s'.padStart(8)} ${'MB/s'.padStart(8)} ${'MB/CPU s'.padStart(9)} ${'RSS MB'.padStart(8)}`];
  for (const x of results) {
    lines.push(`${x.mode.padEnd(9)} ${x.elapsedS.toFixed(2).padStart(10)} ${(x.cpuS?.toFixed(2) ?? '?').padStart(8)} ${x.mbPerSec.toFixed(1).padStart(8)} ${(x.mbPerCpuSec?.toFixed(1) ?? '?').padStart(9)} ${(x.peakRssMb?.toFixed(1) ?? '?').padStart(8)}`);
  }
  lines.push('', `bundled / none: ${ratios.bundledVsNone.wall}x wall, ${ratios.bundledVsNone.cpu}x CPU; ${gen.mode} / none: ${ratios.generatedVsNone.wall}x wall, ${ratios.generatedVsNone.cpu}x CPU`, '', 'targets:');
  for (const c of checks) lines.push(`  ${c.name.padEnd(34)} ${c.target.padEnd(8)} ${String(c.value).padStart(8)}  ${c.pass === null ? 'n/a' : c.pass ? 'PASS' : 'FAIL'}`);
  process.stdout.write(lines.join('\n') + '\n');
  return { modes: results, ratios, targets: checks, generatedRules: n, generator: 'bench/rules/generate.ts generateRules(n, seed 1)' };
}
