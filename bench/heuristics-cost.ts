/**
 * What the heuristics (notice.log) cost: full analysis (every analyzer) of one capture with and
 * without them, in one process, runs interleaved, median CPU time per run reported.
 *
 *   node --import tsx bench/heuristics-cost.ts FILE [--runs K]
 *
 * Records go to a counting sink (no log writing), so the difference is the heuristics' own work.
 * On a shared machine CPU time is inflated by others' load; the minimum over runs is the steadier
 * figure and is reported beside the median.
 */
import { statSync } from 'node:fs';
import { analyze } from '../src/engine/pipeline.js';
import type { LogRecord, LogSchema, RecordSink } from '../src/engine/logs/schema.js';

const file = process.argv[2];
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
if (!file) { process.stderr.write('usage: heuristics-cost.ts FILE [--runs K]\n'); process.exit(2); }

class CountingSink implements RecordSink {
  counts = new Map<string, number>();
  write(schema: LogSchema, _r: LogRecord): void {
    this.counts.set(schema.path, (this.counts.get(schema.path) ?? 0) + 1);
  }
}

async function once(heuristics: boolean): Promise<{ cpu: number; wall: number; notices: number; records: number }> {
  const sink = new CountingSink();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await analyze(file, sink, heuristics ? {} : { heuristics: false });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  let records = 0;
  for (const n of sink.counts.values()) records += n;
  return { cpu: (c.user + c.system) / 1e6, wall, notices: sink.counts.get('notice') ?? 0, records };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
await once(true); // warm-up: JIT and page cache
const on: number[] = [], off: number[] = [];
let last = { notices: 0, records: 0 };
for (let i = 0; i < runs; i++) {
  off.push((await once(false)).cpu);
  const r = await once(true);
  on.push(r.cpu);
  last = r;
}
const mb = statSync(file).size / 1048576;
const mOn = median(on), mOff = median(off);
const minOn = Math.min(...on), minOff = Math.min(...off);
process.stdout.write(`${file}: ${mb.toFixed(1)} MiB, ${last.records} records, ${last.notices} notices, ${runs} runs each\n`);
process.stdout.write(`  without heuristics: ${mOff.toFixed(3)} s CPU (${(mb / mOff).toFixed(1)} MiB/s)\n`);
process.stdout.write(`  with heuristics:    ${mOn.toFixed(3)} s CPU (${(mb / mOn).toFixed(1)} MiB/s)\n`);
process.stdout.write(`  cost: ${((mOn / mOff - 1) * 100).toFixed(1)} % (medians), ${((minOn / minOff - 1) * 100).toFixed(1)} % (minimums: ${minOff.toFixed(3)} s vs ${minOn.toFixed(3)} s)\n`);
