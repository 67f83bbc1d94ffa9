/**
 * Downloads figures (issue 8):
 *  1. a per-flow slice out of a large capture (bench/build-capture.ts, 64 MB by default): the
 *     engine's sliceFlow, as GET /api/captures/{id}/pcap?uid= runs it, for the flow with the most
 *     packets and for one near the end of the file (RUNS runs each, median), MB/s of capture read;
 *  2. zip throughput of files.zip (ZipCrypto, password "infected") and logs.zip (no password),
 *     through @zip.js/zip.js as the routes configure it, on incompressible and on text-like data.
 *
 *   node --import tsx bench/downloads.ts [--size-mb 64] [--zip-mb 64]
 *
 * Wall-clock figures on a shared 2-core machine: the load average is printed with them.
 */
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ZipWriter, configure } from '@zip.js/zip.js';
import { analyze, DEFAULT_ENGINE_OPTIONS } from '../src/engine/pipeline.js';
import { MemorySink } from '../src/engine/logs/file-sink.js';
import { flowSelectorOf, sliceFlow } from '../src/engine/capture/slice.js';
import { buildBenchCapture } from './build-capture.js';

const RUNS = 3;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function sliceFigures(sizeMb: number): Promise<void> {
  const info = buildBenchCapture({ sizeMb, log: () => {} });
  const bytes = statSync(info.path).size;
  console.log(`capture ${info.path}: ${(bytes / 1e6).toFixed(1)} MB, ${info.packets} packets`);
  // Connections only: the slice needs conn.log, not the analyzers.
  const mem = new MemorySink();
  await analyze(info.path, mem, { engine: { ...DEFAULT_ENGINE_OPTIONS, analyzers: [] }, heuristics: false });
  const conns = mem.get('conn');
  const pkts = (c: Record<string, unknown>): number => Number(c.orig_pkts ?? 0) + Number(c.resp_pkts ?? 0);
  const biggest = conns.reduce((a, c) => (pkts(c) > pkts(a) ? c : a));
  const last = conns.reduce((a, c) => (Number(c.ts) > Number(a.ts) ? c : a));
  for (const [label, c] of [['most packets', biggest], ['last to start', last]] as const) {
    const sel = flowSelectorOf(c, conns.filter((o) => o.community_id === c.community_id))!;
    const times: number[] = [];
    let written = 0;
    let out = 0;
    for (let i = 0; i < RUNS; i++) {
      out = 0;
      const t0 = process.hrtime.bigint();
      const r = await sliceFlow(info.path, sel, (chunk) => { out += chunk.length; });
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      written = r.packets;
    }
    const s = median(times);
    console.log(`slice (${label}) ${String(c.uid)} ${String(c.proto)}: ${written} packets (conn.log says ${pkts(c)}), ${out} bytes out; ` +
      `median ${(s * 1000).toFixed(0)} ms of ${RUNS} (${times.map((t) => (t * 1000).toFixed(0)).join(', ')}), ${(bytes / 1e6 / s).toFixed(0)} MB/s of capture`);
  }
}

async function zipFigures(zipMb: number): Promise<void> {
  configure({ useWebWorkers: false });
  const n = zipMb * 1024 * 1024;
  const random = randomBytes(n);
  const line = Buffer.from('{"ts":1407242224.712873,"uid":"C0ACGq8ODGJ5KzRtvz","id.orig_h":"10.0.0.1","id.orig_p":50638,"id.resp_h":"10.0.0.2","id.resp_p":80,"proto":"tcp"}\n');
  const text = Buffer.alloc(n);
  for (let o = 0; o < n; o += line.length) line.copy(text, o, 0, Math.min(line.length, n - o));
  const cases = [
    ['files.zip, ZipCrypto, incompressible', random, 'infected'],
    ['files.zip, ZipCrypto, text-like', text, 'infected'],
    ['logs.zip, no password, text-like', text, undefined],
  ] as const;
  for (const [label, data, password] of cases) {
    let out = 0;
    const sinkStream = new Writable({ write(chunk: Buffer, _e, done) { out += chunk.length; done(); } });
    const t0 = process.hrtime.bigint();
    const zip = new ZipWriter(Writable.toWeb(sinkStream), password ? { password, zipCrypto: true } : {});
    // Eight entries, streamed in 1 MiB chunks as blobs are read.
    const per = Math.floor(data.length / 8);
    for (let e = 0; e < 8; e++) {
      const part = data.subarray(e * per, (e + 1) * per);
      async function* chunks(): AsyncGenerator<Buffer> { for (let o = 0; o < part.length; o += 1 << 20) yield part.subarray(o, o + (1 << 20)); }
      await zip.add(`entry-${e}.bin`, Readable.toWeb(Readable.from(chunks())) as ReadableStream<Uint8Array>);
    }
    await zip.close();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${label}: ${zipMb} MiB in ${s.toFixed(2)} s = ${(zipMb / s).toFixed(0)} MiB/s in, ${(out / 1024 / 1024).toFixed(1)} MiB out`);
  }
}

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await sliceFigures(arg('--size-mb', 64));
await zipFigures(arg('--zip-mb', 64));
