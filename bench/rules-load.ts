/**
 * Rule loading cost: parse + prefilter build for N generated rules (default 30,000; target < 3 s),
 * and the prefilter's scan speed over a 4 MiB buffer of HTTP-like text.
 *
 *   node --import tsx bench/rules-load.ts [N]
 *
 * Writes the figures to bench/results/rules-load.json.
 */
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { generateRules } from './rules/generate.js';
import { parseRules } from '../src/engine/detect/rules/parser.js';
import { buildPrefilter } from '../src/engine/detect/match/prefilter.js';
import type { BufferKey, Rule } from '../src/engine/detect/rules/rule.js';

const n = Number(process.argv[2] ?? 30_000);
const text = generateRules(n);
const c0 = process.cpuUsage();
const t0 = performance.now();
const parsed = parseRules(text, { file: 'generated.rules' });
const t1 = performance.now();
const c1 = process.cpuUsage();
if (parsed.errors.length > 0) throw new Error(`generated rules have errors: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
// One prefilter per buffer, over all rules whose fast pattern is there (the engine splits further by port).
const byBuffer = new Map<BufferKey, Rule[]>();
for (const r of parsed.rules) {
  if (!r.fastPattern) continue;
  const list = byBuffer.get(r.fastPattern.buffer) ?? [];
  list.push(r);
  byBuffer.set(r.fastPattern.buffer, list);
}
const filters = [...byBuffer].map(([buffer, rules]) => buildPrefilter(rules, buffer));
const t2 = performance.now();
const c2 = process.cpuUsage();
const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user + b.system - a.user - a.system) / 1000;
const patterns = filters.reduce((a, f) => a + f.patternCount, 0);

// Scan speed: 4 MiB of HTTP-ish text through the biggest prefilter.
const biggest = filters.reduce((a, f) => (f.patternCount > a.patternCount ? f : a));
const chunk = Buffer.from('GET /static/js/app.min.js?v=1234 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\n\r\n');
const buf = new Uint8Array(4 * 1024 * 1024);
for (let off = 0; off < buf.length; off += chunk.length) buf.set(chunk.subarray(0, Math.min(chunk.length, buf.length - off)), off);
let candidates = 0;
const sc0 = process.cpuUsage();
const s0 = performance.now();
for (let r = 0; r < 5; r++) biggest.scan(buf, () => { candidates++; });
const s1 = performance.now();
const sc1 = process.cpuUsage();

const mem = process.memoryUsage();
console.log(`rules: ${parsed.rules.length} loaded of ${n} generated (${parsed.errors.length} errors)`);
// Wall time suffers on a shared machine; CPU time (all threads, GC included) is the steadier figure.
console.log(`parse: ${(t1 - t0).toFixed(0)} ms wall, ${cpuMs(c0, c1).toFixed(0)} ms CPU (${((t1 - t0) * 1000 / n).toFixed(1)} µs/rule wall)`);
console.log(`prefilter build: ${(t2 - t1).toFixed(0)} ms wall, ${cpuMs(c1, c2).toFixed(0)} ms CPU for ${patterns} patterns in ${filters.length} buffers`);
console.log(`load total: ${((t2 - t0) / 1000).toFixed(2)} s wall, ${(cpuMs(c0, c2) / 1000).toFixed(2)} s CPU (target < 3 s); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
console.log(`scan: ${(5 * buf.length / 1048576 / ((s1 - s0) / 1000)).toFixed(0)} MiB/s wall, ${(5 * buf.length / 1048576 / (cpuMs(sc0, sc1) / 1000)).toFixed(0)} MiB/s CPU over the ${biggest.buffer} prefilter (${biggest.patternCount} patterns), ${candidates} candidates`);
console.log(`heap used: ${(mem.heapUsed / 1048576).toFixed(0)} MiB, rss ${(mem.rss / 1048576).toFixed(0)} MiB`);

writeFileSync(new URL('./results/rules-load.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), rules: n, loadAverage: loadavg()[0], cores: cpus().length,
  parseWallMs: Math.round(t1 - t0), parseCpuMs: Math.round(cpuMs(c0, c1)),
  prefilterWallMs: Math.round(t2 - t1), prefilterCpuMs: Math.round(cpuMs(c1, c2)), patterns,
  loadWallS: Number(((t2 - t0) / 1000).toFixed(2)), loadCpuS: Number((cpuMs(c0, c2) / 1000).toFixed(2)),
  scanMiBPerSecCpu: Math.round(5 * buf.length / 1048576 / (cpuMs(sc0, sc1) / 1000)),
}, null, 2) + '\n');
