/**
 * The slice writers round-trip through our own readers and through capinfos/tshark: pcapng with
 * two link types (an interface each, nanosecond timestamps), pcap in both precisions, packets
 * larger than a write chunk, and an empty file that is still a valid capture.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, PcapngWriter, WRITER_CHUNK_BYTES, createCaptureWriter, type CaptureWriter } from '../../../src/engine/capture/pcap-writer.js';
import { readCapture } from '../../../src/engine/capture/source.js';
import type { FrameSink } from '../../../src/engine/capture/frame-sink.js';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'capdex-writer-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

interface Frame { sec: number; nsec: number; capLen: number; wireLen: number; linkType: number; data: Buffer }

async function readBack(path: string): Promise<{ frames: Frame[]; weirds: string[] }> {
  const frames: Frame[] = [];
  const weirds: string[] = [];
  const sink: FrameSink = {
    frame(buf, off, capLen, wireLen, sec, nsec, linkType) { frames.push({ sec, nsec, capLen, wireLen, linkType, data: Buffer.from(buf.subarray(off, off + capLen)) }); },
    captureWeird(name) { weirds.push(name); },
  };
  await readCapture(path, sink);
  return { frames, weirds };
}

function write(name: string, make: (emit: (c: Buffer) => void) => CaptureWriter, frames: Frame[]): { path: string; chunks: number[]; writer: CaptureWriter } {
  const chunks: Buffer[] = [];
  const writer = make((c) => chunks.push(c));
  for (const f of frames) writer.packet(f.data, 0, f.capLen, f.wireLen, f.sec, f.nsec, f.linkType);
  writer.finish();
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(chunks));
  return { path, chunks: chunks.map((c) => c.length), writer };
}

const frame = (i: number, linkType: number, len: number): Frame => {
  const data = Buffer.alloc(len, i & 0xff);
  return { sec: 1_700_000_000 + i, nsec: 123_456_789 + i, capLen: len, wireLen: len + 4, linkType, data };
};

test('pcapng: two link types, one interface each, nanoseconds kept; tshark reads both encapsulations', async () => {
  const frames = [frame(1, 1, 60), frame(2, 101, 41), frame(3, 1, 1514), frame(4, 101, 1)];
  const { path, writer } = write('two.pcapng', (e) => new PcapngWriter(e), frames);
  assert.deepEqual(writer.linkTypes, [1, 101]);
  const back = await readBack(path);
  assert.deepEqual(back.weirds, []);
  assert.deepEqual(back.frames, frames);
  const encaps = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.encap_type'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
  assert.equal(encaps.length, 4);
  assert.equal(new Set(encaps).size, 2);
});

test('pcap: microsecond and nanosecond precision; a packet of another link type is left out', async () => {
  const frames = [frame(1, 1, 60), frame(2, 1, 70)];
  const us = write('us.pcap', (e) => createCaptureWriter('pcap', e), [...frames, frame(3, 113, 50)]);
  assert.equal((us.writer as PcapWriter).skippedLinkType, 1);
  const backUs = await readBack(us.path);
  assert.deepEqual(backUs.frames.map((f) => f.nsec), frames.map((f) => Math.floor(f.nsec / 1000) * 1000));
  assert.deepEqual(backUs.frames.map((f) => f.data), frames.map((f) => f.data));
  const ns = write('ns.pcap', (e) => createCaptureWriter('pcap-ns', e), frames);
  assert.deepEqual((await readBack(ns.path)).frames, frames);
  const counts = execFileSync('capinfos', ['-T', '-r', '-c', us.path, ns.path], { encoding: 'utf8' }).trim().split('\n').map((l) => Number(l.split('\t')[1]));
  assert.deepEqual(counts, [2, 2]);
});

test('output comes in chunks of at most WRITER_CHUNK_BYTES, except a single larger packet', async () => {
  const small = Array.from({ length: 2000 }, (_, i) => frame(i, 1, 1500));
  const many = write('many.pcap', (e) => new PcapWriter(e, false), small);
  assert.ok(many.chunks.length > 1);
  assert.ok(many.chunks.every((n) => n <= WRITER_CHUNK_BYTES));
  const big = write('big.pcapng', (e) => new PcapngWriter(e), [frame(1, 1, 60), frame(2, 1, WRITER_CHUNK_BYTES + 10)]);
  assert.ok(big.chunks.some((n) => n > WRITER_CHUNK_BYTES));
  assert.equal((await readBack(big.path)).frames[1].capLen, WRITER_CHUNK_BYTES + 10);
});

test('no packets: a valid empty capture in each format', async () => {
  for (const format of ['pcap', 'pcap-ns', 'pcapng'] as const) {
    const { path } = write(`empty.${format}`, (e) => createCaptureWriter(format, e), []);
    const back = await readBack(path);
    assert.deepEqual(back, { frames: [], weirds: [] });
    assert.equal(execFileSync('capinfos', ['-T', '-r', '-c', path], { encoding: 'utf8' }).trim().split('\t')[1], '0');
  }
});
