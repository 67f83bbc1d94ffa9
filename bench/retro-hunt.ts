/**
 * Retro-hunt throughput (issue 10: "retro-hunt at the engine's speed over stored captures"): the
 * bundled rules hunted over K stored copies of a capture (a real store and blob folder, the real
 * hunt worker), against `capdex analyze` of the same file with the same rules, in the same run.
 *
 *   node --import tsx bench/retro-hunt.ts [--file PCAP] [--copies K]
 *
 * Copies differ by one appended byte-identical record (a pcap's trailing packet duplicated), so
 * each is its own capture (its own sha256) with the same traffic. MB is MiB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openService } from '../src/service.js';
import { RetroHunts } from '../src/jobs/retro-hunt.js';
import { BUNDLED_RULES_FILE } from '../src/engine/detect/ruleset.js';
import { REPO_ROOT } from './build-capture.js';

const MiB = 1024 * 1024;
const { values } = parseArgs({ options: { file: { type: 'string', default: join(REPO_ROOT, '.bench', 'bench-16m.pcap') }, copies: { type: 'string', default: '4' } } });
const copies = Number(values.copies);
const dir = mkdtempSync(join(tmpdir(), 'capdex-bench-hunt-'));
const original = readFileSync(values.file!);

/** The i-th copy: the original plus i copies of its last record (valid pcap, distinct sha256). */
function copy(i: number): string {
  const path = join(dir, `copy-${i}.pcap`);
  // Classic pcap: records after the 24-byte header; find the last one by walking the headers.
  let off = 24;
  let last = 24;
  const le = original.readUInt32LE(0) === 0xa1b2c3d4 || original.readUInt32LE(0) === 0xa1b23c4d;
  while (off + 16 <= original.length) {
    const incl = le ? original.readUInt32LE(off + 8) : original.readUInt32BE(off + 8);
    if (off + 16 + incl > original.length) break;
    last = off;
    off += 16 + incl;
  }
  const record = original.subarray(last, off);
  writeFileSync(path, Buffer.concat([original.subarray(0, off), ...new Array<Buffer>(i).fill(record)]));
  return path;
}

const svc = await openService({ dataDir: join(dir, 'data') }, { worker: false });
let bytes = 0;
for (let i = 0; i < copies; i++) {
  const path = copy(i);
  const d = await svc.blobs.put(createReadStream(path));
  await svc.store.importCapture({ id: d.sha256, md5: d.md5, sha1: d.sha1, size: d.size, name: `copy-${i}`, visibility: 'public', format: 'pcap' }, async () => ({}));
  bytes += d.size;
}
const rules = readFileSync(BUNDLED_RULES_FILE, 'utf8');
const hunts = new RetroHunts(svc.store, svc.blobs);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const started = await hunts.start(rules, {}, { admin: true });
let hunt = started;
while (hunt.status === 'running') {
  await new Promise((r) => setTimeout(r, 50));
  hunt = (await hunts.get(started.id, { admin: true }))!;
}
const huntS = (performance.now() - t0) / 1000;
const huntCpu = process.cpuUsage(cpu0);
await hunts.close();
await svc.close();

// The same traffic through `capdex analyze` with only the same rules (no heuristics), K times.
const t1 = performance.now();
for (let i = 0; i < copies; i++) {
  const out = join(dir, `out-${i}`);
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), 'analyze', join(dir, `copy-${i}.pcap`), '--out', out, '--no-heuristics', '--no-progress', '-q'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('capdex analyze failed (run `npx tsc -p tsconfig.json` first)');
}
const analyzeS = (performance.now() - t1) / 1000;
rmSync(dir, { recursive: true, force: true });

const mb = bytes / MiB;
console.log(`retro-hunt: ${copies} captures, ${mb.toFixed(1)} MB, status ${hunt.status}, ${hunt.matches.length} captures with alerts`);
console.log(`  hunt (worker thread, whole hunt):       ${huntS.toFixed(2)} s wall, ${(mb / huntS).toFixed(1)} MB/s (main thread CPU ${((huntCpu.user + huntCpu.system) / 1e6).toFixed(2)} s, worker included)`);
console.log(`  capdex analyze, same rules, K times:    ${analyzeS.toFixed(2)} s wall, ${(mb / analyzeS).toFixed(1)} MB/s (processes started K times, logs written)`);
console.log(`  hunt / analyze throughput:              ${(analyzeS / huntS).toFixed(2)}x`);
