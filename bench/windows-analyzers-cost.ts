/**
 * What the Windows-protocol analyzers (SMB, DCE/RPC, RDP; NTLM rides inside them) cost: full
 * analysis of one capture with every analyzer, and with every analyzer but these, in one process,
 * runs interleaved; median and minimum CPU time per run, and the records they add.
 *
 *   node --import tsx bench/windows-analyzers-cost.ts FILE [--runs K]
 *
 * Records go to a counting sink (no log writing) and heuristics are off, so the difference is the
 * analyzers' own work (detection probes on every connection plus parsing where the traffic is).
 */
import { analyze } from '../src/engine/pipeline.js';
import { ANALYZERS } from '../src/engine/analyzers/index.js';
import type { LogRecord, LogSchema, RecordSink } from '../src/engine/logs/schema.js';

const file = process.argv[2];
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
if (!file) { process.stderr.write('usage: windows-analyzers-cost.ts FILE [--runs K]\n'); process.exit(2); }

const WINDOWS = new Set(['smb', 'dce_rpc', 'rdp']);
const WITHOUT = ANALYZERS.filter((a) => !WINDOWS.has(a.name));

class CountingSink implements RecordSink {
  counts = new Map<string, number>();
  write(schema: LogSchema, _r: LogRecord): void {
    this.counts.set(schema.path, (this.counts.get(schema.path) ?? 0) + 1);
  }
}

async function once(all: boolean): Promise<{ cpu: number; counts: Map<string, number> }> {
  const sink = new CountingSink();
  const c0 = process.cpuUsage();
  await analyze(file, sink, { heuristics: false, engine: { analyzers: all ? ANALYZERS : WITHOUT } });
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, counts: sink.counts };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
await once(true); // warm-up: JIT and page cache
const t: Record<'with' | 'without', number[]> = { with: [], without: [] };
let counts = new Map<string, number>();
for (let i = 0; i < runs; i++) {
  t.without.push((await once(false)).cpu);
  const r = await once(true);
  t.with.push(r.cpu);
  counts = r.counts;
}
const m = { with: median(t.with), without: median(t.without) };
const lo = { with: Math.min(...t.with), without: Math.min(...t.without) };
console.log(`runs: ${runs} each, interleaved; CPU seconds per run`);
console.log(`without smb/dce_rpc/rdp: median ${m.without.toFixed(2)} s, min ${lo.without.toFixed(2)} s`);
console.log(`with them:               median ${m.with.toFixed(2)} s, min ${lo.with.toFixed(2)} s`);
console.log(`cost: median ${((m.with / m.without - 1) * 100).toFixed(1)}%, min ${((lo.with / lo.without - 1) * 100).toFixed(1)}%`);
console.log('records:', ['smb_files', 'smb_mapping', 'ntlm', 'dce_rpc', 'rdp'].map((p) => `${p}=${counts.get(p) ?? 0}`).join(' '));
