/**
 * What the bundled rules cost the full analysis, in one process: the capture analysed with every
 * analyzer and no heuristics, alternately with the bundled rules and without (records counted,
 * not written), median CPU of each and the difference: the rules' share. Run it in two checkouts
 * (pinned to one core) to compare detection changes without log writing's noise.
 *
 *   taskset -c 0 node --import tsx bench/detection-share.ts FILE [--runs K] [--rules FILE]
 */
import { statSync } from 'node:fs';
import { analyze } from '../src/engine/pipeline.js';
import { loadRuleset } from '../src/engine/detect/ruleset.js';
import type { LogRecord, LogSchema, RecordSink } from '../src/engine/logs/schema.js';

const file = process.argv[2];
const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 5);
if (!file) { process.stderr.write('usage: detection-share.ts FILE [--runs K] [--rules FILE]\n'); process.exit(2); }
const extra = arg('--rules');
const ruleset = loadRuleset(extra ? [extra] : [], { bundled: extra === undefined });

class CountingSink implements RecordSink {
  n = 0;
  write(_s: LogSchema, _r: LogRecord): void { this.n++; }
}

async function once(withRules: boolean): Promise<{ cpu: number; records: number }> {
  const sink = new CountingSink();
  const c0 = process.cpuUsage();
  await analyze(file, sink, { heuristics: false, engine: { rules: withRules ? ruleset.rules : [] } });
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, records: sink.n };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
await once(true); // warm-up: JIT and page cache
const t = { none: [] as number[], rules: [] as number[] };
let records = 0;
for (let i = 0; i < runs; i++) {
  t.none.push((await once(false)).cpu);
  const r = await once(true);
  t.rules.push(r.cpu);
  records = r.records;
}
const mib = statSync(file).size / 2 ** 20;
const none = median(t.none), rules = median(t.rules);
process.stdout.write(`${ruleset.rules.length} rules, ${records} records\n`);
process.stdout.write(`none   median CPU ${none.toFixed(2)} s [${t.none.map((x) => x.toFixed(2)).join(' ')}], ${(mib / none).toFixed(0)} MiB/s\n`);
process.stdout.write(`rules  median CPU ${rules.toFixed(2)} s [${t.rules.map((x) => x.toFixed(2)).join(' ')}], ${(mib / rules).toFixed(0)} MiB/s\n`);
process.stdout.write(`rules' share ${(rules - none).toFixed(2)} s (${(((rules - none) / none) * 100).toFixed(1)}% over none)\n`);
