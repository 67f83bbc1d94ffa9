/**
 * Where the per-packet time goes: the engine run with more and more of itself switched on, in
 * one process, stages interleaved, median CPU per stage and per packet. Each stage includes the
 * ones before it, so the differences are what each layer adds.
 *
 *   node --import tsx bench/engine-stages.ts FILE [--runs K] [--stages read,decode,flow,...]
 *
 *   read      capture file read + pcap/pcapng record parsing (a sink that only counts)
 *   decode    + link/IP/TCP/UDP decoding and checksums (the flow layer answers "drop")
 *   flow      + flow table, TCP state machine, conn accounting, conn records (counting sink)
 *   json      + conn/weird records encoded as JSON lines (not written)
 *   rules     + the bundled rules (packet detection, TCP reassembly for stream rules)
 *   heur      + heuristics (notice.log) — the whole `capdex analyze --analyzers none` but the write
 *   all       every analyzer, rules and heuristics, JSON encoded (the full analysis but the write)
 *
 * Allocation: each stage's young-generation GCs are counted (perf_hooks 'gc' entries); with
 * --alloc a stage runs once more under V8's sampling heap profiler (collected objects kept), and
 * the top allocating functions are listed with bytes per packet.
 */
import { statSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { readCapture } from '../src/engine/capture/source.js';
import type { FrameSink } from '../src/engine/capture/frame-sink.js';
import { Packet } from '../src/engine/decode/packet.js';
import { Dispatcher, type DecodeServices } from '../src/engine/decode/registry.js';
import { DECODERS } from '../src/engine/decode/index.js';
import { setChecksumMode } from '../src/engine/decode/settings.js';
import { analyze } from '../src/engine/pipeline.js';
import type { LogRecord, LogSchema, RecordSink } from '../src/engine/logs/schema.js';
import { jsonLine } from '../src/engine/logs/json-writer.js';
import { loadRuleset } from '../src/engine/detect/ruleset.js';
import { ANALYZERS } from '../src/engine/analyzers/index.js';

const args = process.argv.slice(2);
const file = args[0];
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i > 0 ? args[i + 1] : undefined; };
const runs = Number(opt('--runs') ?? 3);
const ALL_STAGES = ['read', 'decode', 'flow', 'json', 'rules', 'heur', 'all'] as const;
type Stage = typeof ALL_STAGES[number];
const stages = (opt('--stages')?.split(',') ?? ['read', 'decode', 'flow', 'json', 'rules', 'heur']) as Stage[];
if (!file || stages.some((s) => !ALL_STAGES.includes(s))) {
  process.stderr.write(`usage: engine-stages.ts FILE [--runs K] [--stages ${ALL_STAGES.join(',')}] [--alloc STAGE]\n`);
  process.exit(2);
}

class CountingSink implements RecordSink {
  records = 0;
  write(_s: LogSchema, _r: LogRecord): void { this.records++; }
}
class JsonSink implements RecordSink {
  records = 0;
  chars = 0;
  write(s: LogSchema, r: LogRecord): void {
    this.records++;
    this.chars += s.document ? JSON.stringify(r).length : jsonLine(s, r).length;
  }
}

/** Capture read only: every frame counted, nothing decoded. */
class CountFrames implements FrameSink {
  frames = 0;
  frame(): void { this.frames++; }
  captureWeird(): void {}
}

/** Frames decoded down to the transport layer; the flow layer is replaced by "drop". */
class DecodeOnly implements FrameSink, DecodeServices {
  frames = 0;
  sessions = 0;
  private readonly pkt = new Packet();
  private readonly d = new Dispatcher(DECODERS, this);
  frame(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    const pkt = this.pkt;
    pkt.reset();
    pkt.index = ++this.frames;
    pkt.buf = buf;
    pkt.tsSec = tsSec; pkt.tsNsec = tsNsec; pkt.ts = tsSec + tsNsec / 1e9;
    pkt.capLen = capLen; pkt.wireLen = wireLen; pkt.linkType = linkType;
    this.d.dispatch('linkType', linkType, pkt, off, off + capLen);
  }
  captureWeird(): void {}
  weird(): void {}
  session(): number { this.sessions++; return -1; }
  ipTunnel(): number { return -1; }
  connTunnel(): number { return -1; }
  fragment(): boolean { return false; }
}

const bundled = loadRuleset([], { bundled: true }).rules;

async function runStage(stage: Stage): Promise<{ packets: number; records: number }> {
  setChecksumMode('mark');
  if (stage === 'read') {
    const s = new CountFrames();
    await readCapture(file, s);
    return { packets: s.frames, records: 0 };
  }
  if (stage === 'decode') {
    const s = new DecodeOnly();
    await readCapture(file, s);
    return { packets: s.frames, records: s.sessions };
  }
  const sink = stage === 'flow' ? new CountingSink() : new JsonSink();
  const withRules = stage === 'rules' || stage === 'heur' || stage === 'all';
  const r = await analyze(file, sink, {
    heuristics: stage === 'heur' || stage === 'all' ? undefined : false,
    engine: { analyzers: stage === 'all' ? ANALYZERS : [], rules: withRules ? bundled : [] },
  });
  return { packets: r.stats.packets, records: sink.records };
}

let scavenges = 0;
let majors = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e.detail as { kind?: number } | undefined)?.kind;
    if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    else majors++;
  }
}).observe({ entryTypes: ['gc'] });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mb = statSync(file).size / 1048576;
const cpu: Record<string, number[]> = {};
const gcs: Record<string, string> = {};
const packets: Record<string, number> = {};
for (const s of stages) await runStage(s); // warm-up: JIT, page cache
for (let i = 0; i < runs; i++) {
  for (const s of stages) {
    const sc0 = scavenges, mj0 = majors;
    const c0 = process.cpuUsage();
    const r = await runStage(s);
    const c = process.cpuUsage(c0);
    await new Promise((res) => setImmediate(res)); // let the gc observer report
    (cpu[s] ??= []).push((c.user + c.system) / 1e6);
    packets[s] = r.packets;
    gcs[s] = `${scavenges - sc0} scavenges, ${majors - mj0} full`;
  }
}
process.stdout.write(`${file}: ${mb.toFixed(1)} MiB, ${packets[stages[0]]} packets, median of ${runs} runs per stage (CPU user+sys)\n`);
let prev = 0;
for (const s of stages) {
  const m = median(cpu[s]);
  const per = (m * 1e6) / packets[s];
  process.stdout.write(`  ${s.padEnd(7)} ${m.toFixed(3)} s  ${per.toFixed(2).padStart(6)} µs/pkt  (+${(((m - prev) * 1e6) / packets[s]).toFixed(2)} µs)  ${(mb / m).toFixed(0).padStart(4)} MiB/s  ${gcs[s]}\n`);
  prev = m;
}

const allocStage = opt('--alloc') as Stage | undefined;
if (allocStage) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
  } as never);
  const r = await runStage(allocStage);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: HeapNode };
  const byFn = new Map<string, number>();
  const walk = (n: HeapNode): void => {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + n.selfSize);
    for (const ch of n.children) walk(ch);
  };
  walk(profile.head);
  let total = 0;
  for (const v of byFn.values()) total += v;
  process.stdout.write(`\nallocation in stage ${allocStage} (sampled): ${(total / 1048576).toFixed(1)} MiB, ${(total / r.packets).toFixed(0)} bytes/packet\n`);
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    process.stdout.write(`  ${(v / r.packets).toFixed(1).padStart(7)} B/pkt  ${k}\n`);
  }
  session.disconnect();
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}
