/**
 * Hostile input never throws, hangs or grows memory: every shared capture unmodified, a fixed set
 * of seeded mutations of each (replayable with `npm run fuzz -- --replay capture:seed:index`),
 * and hand-made truncations/corruptions that must still yield what can be read plus a weird.
 *
 * Every run happens in a worker thread under a watchdog (harness.ts), so even a synchronous
 * infinite loop fails the test after HANG_MS instead of freezing `npm test`. BOUND_MS and HANG_MS
 * are hang detectors, not performance assertions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { gzipSync } from 'node:zlib';
import { PCAPS } from '../helpers.js';
import { CaseWorker, type RunOptions, type RunSummary, type TaskResult, budgetMs, loadCorpus } from './harness.js';
import { caseId, fixIpv4Checksum, parseLayout, writeField } from './mutate.js';

/** A run using more than this much CPU (its thread's; wall time where that is unknown) fails. */
const BOUND_MS = 5000;
/** Wall-clock watchdog: no result after this long is a hang (the worker is killed). Generous,
 *  because a loaded machine stretches wall time; a real infinite loop is caught all the same. */
const HANG_MS = 20_000;
/** Per capture; volume is the fuzzer's job (`npm run fuzz`), this keeps the file well under a minute. */
const MUTATIONS_PER_CAPTURE = 12;
const SEED = 20261125;
/** Heap growth (after a forced GC) allowed over the whole run of this file. */
const HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

const corpus = loadCorpus(PCAPS);
const workers = Array.from({ length: Math.min(2, availableParallelism()) }, () => new CaseWorker({ pcapsDir: PCAPS, maxHeapMb: 512 }));
const worker = workers[0];
let heapBefore: number | null = null;

before(async () => {
  heapBefore = await worker.heap();
});

after(async () => {
  for (const w of workers) await w.kill();
});

const WHOLE: RunOptions = { checksums: 'mark', chunkMode: 'whole', chunkSeed: 0 };

function describe(r: TaskResult): string {
  if (r.status === 'hang') return `hang: no result after ${r.ms.toFixed(0)} ms`;
  if (r.status === 'crash') return `worker crashed: ${r.error.stack}`;
  return `${r.status}${r.summary.error ? ': ' + r.summary.error.stack : ''} (${r.summary.ms.toFixed(0)} ms)`;
}

/** Runs bytes through the engine in the worker; fails on anything but a clean finish. */
async function analyseBytes(buf: Buffer, opts: RunOptions = WHOLE, w: CaseWorker = worker): Promise<RunSummary> {
  const r = await w.run({ kind: 'input', buf, opts }, HANG_MS);
  assert.ok(r.status === 'ok', describe(r));
  assert.ok(budgetMs(r.summary) < BOUND_MS, `took ${budgetMs(r.summary).toFixed(0)} ms`);
  return r.summary;
}

test('every shared capture, unmodified, is analysed without error', async () => {
  assert.ok(corpus.names.length > 0, `no captures in ${PCAPS}`);
  const problems: string[] = [];
  let next = 0;
  await Promise.all(workers.map(async (w) => {
    while (next < corpus.names.length) {
      const name = corpus.names[next++];
      const r = await w.run({ kind: 'input', buf: corpus.get(name), opts: WHOLE }, HANG_MS);
      if (r.status !== 'ok') problems.push(`${name}: ${describe(r)}`);
      else if (budgetMs(r.summary) >= BOUND_MS) problems.push(`${name}: took ${budgetMs(r.summary).toFixed(0)} ms`);
    }
  }));
  assert.deepEqual(problems, []);
});

test(`${MUTATIONS_PER_CAPTURE} seeded mutations of every shared capture: no exception, hang or bad record`, async () => {
  const problems: string[] = [];
  const tasks: Array<{ capture: string; index: number }> = [];
  for (let k = 0; k < MUTATIONS_PER_CAPTURE; k++) {
    for (const capture of corpus.names) tasks.push({ capture, index: k });
  }
  let next = 0;
  let notCapture = 0;
  await Promise.all(workers.map(async (w) => {
    while (next < tasks.length) {
      const { capture, index } = tasks[next++];
      const id = caseId(capture, SEED, index);
      const r = await w.run({ kind: 'case', capture, seed: SEED, index }, HANG_MS);
      if (r.status === 'not-a-capture') { notCapture++; continue; }
      if (r.status !== 'ok') {
        const ops = 'ops' in r && r.ops ? r.ops.join(' ') : '';
        problems.push(`npm run fuzz -- --replay ${id}  [${ops}]\n    ${describe(r).split('\n').slice(0, 6).join('\n    ')}`);
      }
      else if (budgetMs(r.summary) >= BOUND_MS) problems.push(`npm run fuzz -- --replay ${id}: took ${budgetMs(r.summary).toFixed(0)} ms`);
    }
  }));
  assert.ok(notCapture < tasks.length / 4, `${notCapture} of ${tasks.length} cases were refused as not a capture: mutations too blunt`);
  assert.deepEqual(problems, [], `${problems.length} failing case(s):\n${problems.join('\n')}`);
});

// ---------------------------------------------------------------- hand-picked damage

/** Packets before the record `i` (0-based) of a pcap, for "what can be read" assertions. */
function pcapLayout(name: string) {
  const buf = corpus.get(name);
  const L = parseLayout(buf);
  assert.ok(L.spans.length >= 4, `${name}: expected a few records`);
  return { buf, L };
}

test('a pcap cut in the middle of a record yields the records before it and a truncation weird', async () => {
  const { buf, L } = pcapLayout('http-get-simple.pcap');
  const cutRecord = 9;
  const s = L.spans[cutRecord];
  const sm = await analyseBytes(buf.subarray(0, s.start + 16 + Math.floor((s.end - s.start - 16) / 2)));
  assert.equal(sm.packets, cutRecord);
  assert.ok(sm.weirds.includes('truncated_capture_record'), `weirds: ${sm.weirds}`);
  assert.ok((sm.records.conn ?? 0) >= 1, 'the connection seen so far is still logged');
  assert.ok(sm.stoppedEarly);
});

test('a pcap cut inside a record header yields the records before it and a truncation weird', async () => {
  const { buf, L } = pcapLayout('http-get-simple.pcap');
  const sm = await analyseBytes(buf.subarray(0, L.spans[5].start + 7));
  assert.equal(sm.packets, 5);
  assert.ok(sm.weirds.includes('truncated_capture_record'), `weirds: ${sm.weirds}`);
  assert.ok((sm.records.conn ?? 0) >= 1);
});

test('a pcapng cut inside its last block yields the packets before it and a truncation weird', async () => {
  const buf = corpus.get('tcp-retransmissions.pcapng');
  const L = parseLayout(buf);
  const last = L.spans[L.spans.length - 1];
  const packetsBefore = 5; // 6 EPBs; the last one is cut
  const sm = await analyseBytes(buf.subarray(0, last.start + 40));
  assert.equal(sm.packets, packetsBefore);
  assert.ok(sm.weirds.includes('truncated_capture_record'), `weirds: ${sm.weirds}`);
  assert.ok((sm.records.conn ?? 0) >= 1);
});

test('a pcap record claiming a huge caplen stops the reader with a weird, keeping earlier records', async () => {
  const { buf, L } = pcapLayout('http-get-simple.pcap');
  const out = Buffer.from(buf);
  out.writeUInt32LE(0xffffffff, L.spans[6].start + 8);
  // Through a small-chunk stream too: the reader must not wait for 4 GiB to arrive.
  for (const opts of [WHOLE, { ...WHOLE, chunkMode: 'small' as const, chunkSeed: 7 }]) {
    const sm = await analyseBytes(out, opts);
    assert.equal(sm.packets, 6);
    assert.ok(sm.weirds.includes('capture_record_too_large'), `weirds: ${sm.weirds}`);
    assert.ok((sm.records.conn ?? 0) >= 1);
  }
});

test('a pcapng block with a corrupt total length stops the reader with a weird, keeping earlier packets', async () => {
  const buf = corpus.get('tcp-retransmissions.pcapng');
  const L = parseLayout(buf);
  const out = Buffer.from(buf);
  const target = L.spans[4]; // IDB, then EPBs 1-3, then this one (EPB 4)
  out.writeUInt32LE(13, target.start + 4);
  const sm = await analyseBytes(out);
  assert.equal(sm.packets, 3);
  assert.ok(sm.weirds.includes('pcapng_bad_block_length'), `weirds: ${sm.weirds}`);
  assert.ok((sm.records.conn ?? 0) >= 1);
});

test('an IPv4 total length beyond the frame is a truncated_IP_len weird; the other packets still count', async () => {
  const { buf, L } = pcapLayout('http-get-simple.pcap');
  const out = Buffer.from(buf);
  const f = L.lengthFields.find((x) => x.name === 'ipv4.total_length' && x.off > L.spans[3].start && x.off < L.spans[3].end)!;
  assert.ok(f, 'an IPv4 header in record 4');
  writeField(out, f, 0xfff0);
  fixIpv4Checksum(out, f.ipv4Hdr!, f.ipv4Avail!);
  const sm = await analyseBytes(out);
  assert.equal(sm.packets, L.spans.length);
  assert.ok(sm.weirds.includes('truncated_IP_len'), `weirds: ${sm.weirds}`);
  assert.equal(sm.records.conn ?? 0, 1);
});

test('a TCP data offset below 5 words is a weird, not a crash', async () => {
  const { buf, L } = pcapLayout('http-get-simple.pcap');
  const out = Buffer.from(buf);
  const f = L.lengthFields.find((x) => x.name === 'tcp.data_offset' && x.off > L.spans[2].start)!;
  writeField(out, f, 1);
  const sm = await analyseBytes(out, { ...WHOLE, checksums: 'off' });
  assert.equal(sm.packets, L.spans.length);
  assert.ok(sm.weirds.includes('bad_TCP_header_len'), `weirds: ${sm.weirds}`);
});

test('a UDP length that disagrees with the IP length is a weird on the connection', async () => {
  const buf = corpus.get('syslog-udp.pcap');
  const L = parseLayout(buf);
  const out = Buffer.from(buf);
  const f = L.lengthFields.find((x) => x.name === 'udp.length')!;
  assert.ok(f);
  writeField(out, f, 9);
  const sm = await analyseBytes(out, { ...WHOLE, checksums: 'off' });
  assert.equal(sm.packets, L.spans.length);
  assert.ok(sm.weirds.includes('UDP_datagram_length_mismatch'), `weirds: ${sm.weirds}`);
  assert.ok((sm.records.conn ?? 0) >= 1);
});

test('a cut gzip stream yields what decompressed plus a truncated_gzip weird', async () => {
  const buf = corpus.get('http-get-simple.pcap');
  const gz = gzipSync(buf);
  const sm = await analyseBytes(gz.subarray(0, Math.floor(gz.length * 0.7)));
  assert.ok(sm.gzip);
  assert.ok(sm.packets >= 1 && sm.packets < 16, `packets: ${sm.packets}`);
  assert.ok(sm.weirds.includes('truncated_gzip'), `weirds: ${sm.weirds}`);
  assert.ok((sm.records.conn ?? 0) >= 1);
});

/** A classic pcap (LE, µs) holding `frames` on `linkType`. */
function syntheticPcap(linkType: number, frames: Buffer[]): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(65535, 16); h.writeUInt32LE(linkType, 20);
  const parts: Buffer[] = [h];
  frames.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1_700_000_000 + i, 0); r.writeUInt32LE(f.length, 8); r.writeUInt32LE(f.length, 12);
    parts.push(r, f);
  });
  return Buffer.concat(parts);
}

function ipv4(proto: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45; h.writeUInt16BE(20 + payload.length, 2); h[8] = 64; h[9] = proto;
  h.writeUInt32BE(0x0a000001, 12); h.writeUInt32BE(0x0a000002, 16);
  fixIpv4Checksum(h, 0, 20);
  return Buffer.concat([h, payload]);
}

test('encapsulation nested beyond the depth limit (IP-in-IP, GRE) is cut with a weird', async () => {
  const udp = Buffer.from('0035003500080000', 'hex');
  let ipip = ipv4(17, udp);
  let gre = ipv4(17, udp);
  for (let i = 0; i < 60; i++) {
    ipip = ipv4(4, ipip);
    gre = ipv4(47, Buffer.concat([Buffer.from('00000800', 'hex'), gre]));
  }
  for (const frame of [ipip, gre]) {
    const sm = await analyseBytes(syntheticPcap(101, [frame, frame]));
    assert.equal(sm.packets, 2);
    assert.ok(sm.weirds.includes('exceeded_encapsulation_depth'), `weirds: ${sm.weirds}`);
  }
});

test('an IPv6 extension-header chain beyond the limit is cut with a weird', async () => {
  const n = 40;
  const ext = Buffer.alloc(8 * n);
  for (let i = 0; i < n; i++) ext[i * 8] = i === n - 1 ? 59 : 60; // destination options chain, then "no next header"
  const ip6 = Buffer.alloc(40);
  ip6[0] = 0x60; ip6.writeUInt16BE(ext.length, 4); ip6[6] = 60; ip6[7] = 64; ip6[23] = 1; ip6[39] = 2;
  const sm = await analyseBytes(syntheticPcap(101, [Buffer.concat([ip6, ext])]));
  assert.equal(sm.packets, 1);
  assert.ok(sm.weirds.includes('too_many_IPv6_extension_headers'), `weirds: ${sm.weirds}`);
});

test('memory stays bounded over the whole run (heap after a forced GC)', async (t) => {
  if (worker.starts > 1) {
    t.skip('the worker was restarted after a hang or crash (reported above); heap check skipped');
    return;
  }
  const heapAfter = await worker.heap();
  if (heapBefore === null || heapAfter === null) {
    t.skip('cannot force a GC here (no --expose-gc and V8 flags unavailable); heap check skipped');
    return;
  }
  const growth = heapAfter - heapBefore;
  t.diagnostic(`worker heap after GC: ${(heapBefore / 1048576).toFixed(1)} MB before, ${(heapAfter / 1048576).toFixed(1)} MB after`);
  assert.ok(growth < HEAP_GROWTH_BYTES, `heap grew ${(growth / 1048576).toFixed(1)} MB`);
});
