/**
 * What handing inspection units to the detection engine costs the analyzers (and what YARA on
 * files costs): full analysis of one capture with no inspector, with an inspector that wants every
 * protocol but drops the units (the cost of building them: buffers, body and file copies), and
 * with --yara's scanner (one rule), in one process, runs interleaved; median CPU time per run,
 * MiB/s of capture, and the units built.
 *
 *   node --import tsx bench/detect-units-cost.ts FILE [--runs K]
 *
 * Records go to a counting sink (no log writing) and heuristics are off.
 */
import { statSync } from 'node:fs';
import { analyze } from '../src/engine/pipeline.js';
import type { ConnInfo } from '../src/engine/analyzers/analyzer.js';
import type { InspectionUnit, Inspector } from '../src/engine/detect/inspection.js';
import type { LogRecord, LogSchema, RecordSink } from '../src/engine/logs/schema.js';
import { YaraFileScanner } from '../src/engine/detect/yara/yara-scanner.js';
import type { YaraRuleSet } from '../src/engine/detect/yara/yara-rules.js';

const file = process.argv[2];
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
if (!file) { process.stderr.write('usage: detect-units-cost.ts FILE [--runs K]\n'); process.exit(2); }

class CountingSink implements RecordSink {
  n = 0;
  write(_s: LogSchema, _r: LogRecord): void { this.n++; }
}

class DroppingInspector implements Inspector {
  units = new Map<string, number>();
  bytes = 0;
  wants(): boolean { return true; }
  inspect(_c: ConnInfo, u: InspectionUnit): void {
    this.units.set(u.proto, (this.units.get(u.proto) ?? 0) + 1);
  }
}

const { compile } = (await import('@litko/yara-x')) as unknown as { compile(s: string): { scan(b: Buffer): Array<{ ruleIdentifier: string; namespace: string; tags: string[]; meta: object }> } };
const mz = compile('rule MZ_header { strings: $mz = { 4D 5A } condition: $mz at 0 }');
const rules: YaraRuleSet = { files: ['inline'], scan: (b) => mz.scan(b).map((m) => ({ rule: m.ruleIdentifier, namespace: m.namespace, tags: m.tags, meta: m.meta as Record<string, unknown> })) };

type Mode = 'none' | 'units' | 'yara';
async function once(mode: Mode): Promise<{ cpu: number; inspector?: DroppingInspector; scanner?: YaraFileScanner }> {
  const inspector = mode === 'units' ? new DroppingInspector() : undefined;
  const scanner = mode === 'yara' ? new YaraFileScanner(rules) : undefined;
  const c0 = process.cpuUsage();
  await analyze(file, new CountingSink(), { heuristics: false, engine: { inspector, fileScanner: scanner } });
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, inspector, scanner };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
await once('none'); // warm-up: JIT and page cache
const t: Record<Mode, number[]> = { none: [], units: [], yara: [] };
let last: Awaited<ReturnType<typeof once>>[] = [];
for (let i = 0; i < runs; i++) {
  last = [];
  for (const m of ['none', 'units', 'yara'] as Mode[]) {
    const r = await once(m);
    t[m].push(r.cpu);
    last.push(r);
  }
}
const mib = statSync(file).size / 2 ** 20;
const base = median(t.none);
for (const m of ['none', 'units', 'yara'] as Mode[]) {
  const cpu = median(t[m]);
  process.stdout.write(`${m.padEnd(6)} median CPU ${cpu.toFixed(2)} s (min ${Math.min(...t[m]).toFixed(2)}), ${(mib / cpu).toFixed(0)} MiB/s, ${(((cpu - base) / base) * 100).toFixed(1)}% vs none\n`);
}
const ins = last[1].inspector!;
process.stdout.write(`units built per run: ${[...ins.units].map(([p, n]) => `${p} ${n}`).join(', ')}\n`);
process.stdout.write(`yara: ${last[2].scanner!.scanned} files scanned, ${last[2].scanner!.matched} matches\n`);
