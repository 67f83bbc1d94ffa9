/**
 * The archive's one-click download (GET /api/archive/{label}/captures.zip): a label's captures in
 * one ZipCrypto zip ("infected"), streamed from the blob store through the real API, timed end to
 * end by a client reading it. COPIES distinct captures (the bench capture with its pcap header's
 * sigfigs field set to the copy number: same packets, another sha256) are put in the blob store,
 * stored as captures (no records: the zip reads only blobs) and labelled one family.
 *
 *   node --import tsx bench/archive-zip.ts [--size-mb 32] [--copies 8]
 *
 * Prints MB/s of capture bytes, the zip's size against them, and the server process's CPU seconds
 * (client and server share the process: the client only counts bytes). Wall-clock figures on a
 * shared machine: the load average is printed with them.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openService } from '../src/service.js';
import { buildApi } from '../src/api/app.js';
import { buildBenchCapture } from './build-capture.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const SIZE_MB = arg('--size-mb', 32);
const COPIES = arg('--copies', 8);

const dir = mkdtempSync(join(tmpdir(), 'capdex-bench-archive-zip-'));
try {
  const info = buildBenchCapture({ sizeMb: SIZE_MB });
  const bytes = readFileSync(info.path);
  const svc = await openService({ dataDir: join(dir, 'data') }, { worker: false });
  let total = 0;
  for (let i = 0; i < COPIES; i++) {
    bytes.writeUInt32LE(i + 1, 12); // sigfigs: unused by readers, so the copy is the same capture under another sha256
    const path = join(dir, `copy-${i}.pcap`);
    writeFileSync(path, bytes);
    const d = await svc.blobs.put(createReadStream(path));
    rmSync(path);
    await svc.store.importCapture({ id: d.sha256, md5: d.md5, sha1: d.sha1, size: d.size, name: `copy-${i}.pcap`, visibility: 'public', format: 'pcap' },
      async () => ({ firstTs: 1_700_000_000 + i, lastTs: 1_700_000_100 + i }));
    await svc.store.intel.addLabel(d.sha256, 'family', 'benchfam', null);
    total += d.size;
  }
  const app = await buildApi(svc, { rateLimit: false, archiveZipMaxBytes: total + 1 });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await fetch(`${base}/api/archive/benchfam/captures.zip`);
  let zipBytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) zipBytes += chunk.length;
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await app.close();
  await svc.close();
  process.stdout.write(JSON.stringify({
    status: res.status, copies: COPIES, captureMB: Number((total / 1e6).toFixed(1)), zipMB: Number((zipBytes / 1e6).toFixed(1)),
    seconds: Number(s.toFixed(2)), captureMBps: Number((total / 1e6 / s).toFixed(1)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    load: loadavg().map((l) => Number(l.toFixed(1))),
  }, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
