/**
 * Capture readers on synthetic files: classic pcap in every variant, pcapng sections, interfaces,
 * timestamp resolutions and block kinds, gzip, streams, and refusal of what is not a capture.
 * Every weird the readers can emit is checked by name.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { NotACaptureError, readCapture, type OpenedCapture } from '../../../src/engine/capture/source.js';
import type { FrameSink } from '../../../src/engine/capture/frame-sink.js';
import { PcapngReader } from '../../../src/engine/capture/pcapng-reader.js';
import { Ng, frameBytes, pcapFile, pcapHeader, pcapRecord } from './build-capture.js';
import { allCaptures, pcap, run } from '../../helpers.js';
import { readFileSync } from 'node:fs';

interface Frame { sec: number; nsec: number; capLen: number; wireLen: number; linkType: number; data: Buffer }

class Sink implements FrameSink {
  readonly frames: Frame[] = [];
  readonly weirds: { name: string; addl?: string }[] = [];
  frame(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    // The bytes are only valid during the call: copy them.
    this.frames.push({ sec: tsSec, nsec: tsNsec, capLen, wireLen, linkType, data: Buffer.from(buf.subarray(off, off + capLen)) });
  }
  captureWeird(name: string, addl?: string): void {
    this.weirds.push({ name, addl });
  }
  names(): string[] {
    return this.weirds.map((w) => w.name);
  }
}

let dir: string;
let fileNo = 0;
before(() => { dir = mkdtempSync(join(tmpdir(), 'capdex-readers-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

function file(bytes: Buffer, ext = 'bin'): string {
  const p = join(dir, `f${++fileNo}.${ext}`);
  writeFileSync(p, bytes);
  return p;
}

async function read(bytes: Buffer): Promise<{ sink: Sink; opened: OpenedCapture }> {
  const sink = new Sink();
  const opened = await readCapture(file(bytes), sink);
  return { sink, opened };
}

/** Reads the same bytes from a file, as a stream in 7-byte chunks, and gzip'd; all must agree. */
async function readAllWays(bytes: Buffer): Promise<Sink> {
  const { sink } = await read(bytes);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  const streamed = new Sink();
  await readCapture(Readable.from(chunks), streamed);
  const gz = new Sink();
  const opened = await readCapture(file(gzipSync(bytes), 'gz'), gz);
  assert.equal(opened.gzip, true);
  for (const other of [streamed, gz]) {
    assert.deepEqual(other.frames, sink.frames, 'stream / gzip read differs from the file read');
    assert.deepEqual(other.weirds, sink.weirds);
  }
  return sink;
}

describe('classic pcap', () => {
  const recs = [
    { sec: 1_700_000_000, frac: 123_456, data: frameBytes(1) },
    { sec: 1_700_000_001, frac: 999_999, data: frameBytes(2, 100) },
    { sec: 1_700_000_002, frac: 0, data: frameBytes(3, 14) },
  ];

  for (const le of [true, false]) {
    test(`${le ? 'little' : 'big'}-endian, microsecond magic`, async () => {
      const sink = await readAllWays(pcapFile({ le }, recs));
      assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec, f.capLen, f.wireLen, f.linkType]), [
        [1_700_000_000, 123_456_000, 60, 60, 1], [1_700_000_001, 999_999_000, 100, 100, 1], [1_700_000_002, 0, 14, 14, 1],
      ]);
      assert.deepEqual(sink.frames.map((f) => f.data), recs.map((r) => r.data));
      assert.deepEqual(sink.weirds, []);
    });

    test(`${le ? 'little' : 'big'}-endian, nanosecond magic`, async () => {
      const ns = [{ sec: 1_700_000_000, frac: 123_456_789, data: frameBytes(1) }, { sec: 1_700_000_000, frac: 999_999_999, data: frameBytes(2) }];
      const { sink, opened } = await read(pcapFile({ le, nano: true }, ns));
      assert.equal(opened.format, 'pcap');
      assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec]), [[1_700_000_000, 123_456_789], [1_700_000_000, 999_999_999]]);
      assert.deepEqual(sink.weirds, []);
    });
  }

  test('link-type field with FCS bits: the link type is the low 16 bits', async () => {
    // draft-ietf-opsawg-pcap §4: F bit (0x10000000) set, FCS length 2 (0x40000000 | ...).
    const { sink, opened } = await read(pcapFile({ linkTypeField: 0x14000000 | 105 }, recs.slice(0, 1)));
    assert.equal(sink.frames[0].linkType, 105);
    assert.deepEqual(opened.reader.info.linkTypes, [105]);
    assert.deepEqual(sink.weirds, []);
  });

  test('caplen > snaplen: read anyway, one weird', async () => {
    const { sink, opened } = await read(pcapFile({ snaplen: 50 }, recs));
    assert.equal(sink.frames.length, 3);
    assert.equal(sink.frames[0].capLen, 60);
    assert.deepEqual(sink.names(), ['capture_caplen_exceeds_snaplen']);
    assert.match(sink.weirds[0].addl!, /record 1: 60 > snaplen 50/);
    assert.equal(opened.reader.info.snaplen, 50);
  });

  test('caplen > len: the wire length becomes the captured length, one weird', async () => {
    const { sink } = await read(pcapFile({}, [{ ...recs[0], wireLen: 40 }, { ...recs[1], wireLen: 10 }]));
    assert.deepEqual(sink.frames.map((f) => [f.capLen, f.wireLen]), [[60, 60], [100, 100]]);
    assert.deepEqual(sink.names(), ['capture_caplen_exceeds_len']);
  });

  test('caplen < len (snaplen cut): both lengths kept, no weird', async () => {
    const { sink } = await read(pcapFile({ snaplen: 60 }, [{ ...recs[0], wireLen: 1514 }]));
    assert.deepEqual(sink.frames.map((f) => [f.capLen, f.wireLen]), [[60, 1514]]);
    assert.deepEqual(sink.weirds, []);
  });

  test('version 2.0 header: caplen and len are swapped in every record (libpcap lengths_swapped)', async () => {
    const data = frameBytes(1, 30);
    const bytes = Buffer.concat([pcapHeader({ major: 2, minor: 0 }), pcapRecord({ sec: 1, frac: 0, data, capLen: 1500, wireLen: 30 })]);
    const { sink } = await read(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.capLen, f.wireLen]), [[30, 1500]]);
    assert.deepEqual(sink.weirds, []);
  });

  test('version 2.3 header: swapped only when caplen > len', async () => {
    const a = frameBytes(1, 30), b = frameBytes(2, 40);
    const bytes = Buffer.concat([pcapHeader({ major: 2, minor: 3 }),
      pcapRecord({ sec: 1, frac: 0, data: a, capLen: 1500, wireLen: 30 }),
      pcapRecord({ sec: 2, frac: 0, data: b, capLen: 40, wireLen: 1500 })]);
    const { sink } = await read(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.capLen, f.wireLen]), [[30, 1500], [40, 1500]]);
  });

  test('fraction >= 1 s: carried into the seconds (libpcap), one weird', async () => {
    const { sink } = await read(pcapFile({}, [{ sec: 10, frac: 2_500_000, data: frameBytes(1) }, { sec: 20, frac: 1_000_000, data: frameBytes(2) }]));
    assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec]), [[12, 500_000_000], [21, 0]]);
    assert.deepEqual(sink.names(), ['capture_timestamp_fraction_overflow']);
  });

  test('truncated last record (data cut): earlier records read, one weird, stopped early', async () => {
    const whole = pcapFile({}, recs);
    for (const cut of [1, recs[2].data.length - 1]) {
      const { sink, opened } = await read(whole.subarray(0, whole.length - cut));
      assert.equal(sink.frames.length, 2, `cut ${cut}`);
      assert.deepEqual(sink.names(), ['truncated_capture_record']);
      assert.match(sink.weirds[0].addl!, /record 3 cut short/);
      assert.equal(opened.reader.info.stoppedEarly, true);
      assert.equal(opened.reader.info.records, 2);
    }
  });

  test('truncated last record (header cut): trailing bytes reported', async () => {
    const three = pcapFile({}, recs);
    const cutInHeader = await read(three.subarray(0, three.length - recs[2].data.length - 6));
    assert.equal(cutInHeader.sink.frames.length, 2);
    assert.deepEqual(cutInHeader.sink.names(), ['truncated_capture_record']);
    assert.match(cutInHeader.sink.weirds[0].addl!, /10 trailing bytes after record 2, less than a record header/);
    const whole = pcapFile({}, recs.slice(0, 1));
    const { sink } = await read(Buffer.concat([whole, Buffer.alloc(5)]));
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(sink.names(), ['truncated_capture_record']);
    assert.match(sink.weirds[0].addl!, /5 trailing bytes after record 1/);
  });

  test('a record larger than any sane capture: stop with a weird', async () => {
    const bytes = Buffer.concat([pcapFile({}, recs.slice(0, 1)), pcapRecord({ sec: 1, frac: 0, data: Buffer.alloc(0), capLen: 0x7fffffff, wireLen: 0x7fffffff })]);
    const { sink, opened } = await read(bytes);
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(sink.names(), ['capture_record_too_large']);
    assert.equal(opened.reader.info.stoppedEarly, true);
  });

  test('header only: zero frames, no weird', async () => {
    const sink = await readAllWays(pcapHeader());
    assert.deepEqual(sink.frames, []);
    assert.deepEqual(sink.weirds, []);
  });

  test('truncated global header: one weird', async () => {
    const { sink, opened } = await read(pcapHeader().subarray(0, 10));
    assert.deepEqual(sink.frames, []);
    assert.deepEqual(sink.names(), ['truncated_capture_header']);
    assert.match(sink.weirds[0].addl!, /10 of 24 bytes/);
    assert.equal(opened.reader.info.stoppedEarly, true);
  });

  test('zero-length records are frames', async () => {
    const { sink } = await read(pcapFile({}, [{ sec: 5, frac: 0, data: Buffer.alloc(0) }, recs[0]]));
    assert.deepEqual(sink.frames.map((f) => f.capLen), [0, 60]);
    assert.deepEqual(sink.weirds, []);
  });
});

describe('pcapng', () => {
  const le = new Ng(true), be = new Ng(false);

  test('two sections in different byte orders; interfaces restart per section', async () => {
    const bytes = Buffer.concat([
      le.shb(), le.idb(1), le.idb(113), le.epb(1, 1_700_000_000_000_000n, frameBytes(1)), le.epb(0, 1_700_000_000_500_000n, frameBytes(2)),
      be.shb(), be.idb(101), be.epb(0, 1_700_000_001_000_001n, frameBytes(3)),
    ]);
    const sink = await readAllWays(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.linkType, f.sec, f.nsec]), [
      [113, 1_700_000_000, 0], [1, 1_700_000_000, 500_000_000], [101, 1_700_000_001, 1_000],
    ]);
    assert.deepEqual(sink.frames.map((f) => f.data), [frameBytes(1), frameBytes(2), frameBytes(3)]);
    assert.deepEqual(sink.weirds, []);
    const { opened } = await read(bytes);
    assert.equal(opened.format, 'pcapng');
    assert.deepEqual(opened.reader.info.linkTypes, [1, 113, 101]);
    assert.equal(opened.reader.info.records, 3);
  });

  test('several interfaces with different link types and snaplens', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1, 1514), le.idb(276, 262144), le.idb(127, 0),
      le.epb(2, 0n, frameBytes(1)), le.epb(1, 0n, frameBytes(2)), le.epb(0, 0n, frameBytes(3))]);
    const { sink, opened } = await read(bytes);
    assert.deepEqual(sink.frames.map((f) => f.linkType), [127, 276, 1]);
    assert.equal(opened.reader.info.snaplen, 262144);
  });

  test('if_tsresol 10^-9, big tick counts (beyond 2^53) converted exactly', async () => {
    const ticks = 1_700_000_000_123_456_789n;
    const bytes = Buffer.concat([be.shb(), be.idb(1, 65535, { tsresol: 9 }), be.epb(0, ticks, frameBytes(1)), be.epb(0, 4_323_283_200_999_999_999n, frameBytes(2))]);
    const sink = await readAllWays(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec]), [[1_700_000_000, 123_456_789], [4_323_283_200, 999_999_999]]);
  });

  test('if_tsresol 2^-20 (binary fractions)', async () => {
    const sec = 1_700_000_000n;
    const bytes = Buffer.concat([le.shb(), le.idb(1, 65535, { tsresol: 0x80 | 20 }),
      le.epb(0, (sec << 20n) + 524_288n, frameBytes(1)), le.epb(0, (sec << 20n) + 1n, frameBytes(2)), le.epb(0, (sec << 20n) + 1_048_575n, frameBytes(3))]);
    const { sink } = await read(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec]), [
      [1_700_000_000, 500_000_000], [1_700_000_000, 954], [1_700_000_000, 999_999_046],
    ]);
  });

  test('if_tsoffset (signed seconds) is added, per interface', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1, 65535, { tsoffset: 1_600_000_000n }), le.idb(1, 65535, { tsoffset: -100n }),
      le.epb(0, 1_500_000n, frameBytes(1)), le.epb(1, 1_000_000_000n, frameBytes(2))]);
    const { sink } = await read(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec]), [[1_600_000_001, 500_000_000], [900, 0]]);
  });

  test('EPB, SPB and OPB; SPB has no timestamp and is cut to the snaplen', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1, 50),
      le.epb(0, 3_000_000n, frameBytes(1, 40), 1514), le.spb(frameBytes(2, 60), 60), le.opb(0, 4_000_001n, frameBytes(3, 20))]);
    const sink = await readAllWays(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec, f.capLen, f.wireLen]), [[3, 0, 40, 1514], [0, 0, 50, 60], [4, 1000, 20, 20]]);
    assert.deepEqual(sink.frames[1].data, frameBytes(2, 60).subarray(0, 50));
    assert.deepEqual(sink.weirds, []);
  });

  test('unknown, NRB, ISB and custom blocks are skipped by their length', async () => {
    const bytes = Buffer.concat([le.shb(), le.block(0x0badcafe, Buffer.alloc(13, 0xee)), le.idb(1), le.block(4, Buffer.alloc(8)),
      le.epb(0, 1n, frameBytes(1)), le.block(5, Buffer.alloc(20)), le.block(0x40000bad, Buffer.alloc(4)), le.epb(0, 2n, frameBytes(2))]);
    const { sink } = await read(bytes);
    assert.equal(sink.frames.length, 2);
    assert.deepEqual(sink.weirds, []);
  });

  test('a block with a bad length (not a multiple of 4, below 12, absurd): stop with a weird', async () => {
    for (const total of [30, 8, 0x7ffffff0]) {
      const bytes = Buffer.concat([le.shb(), le.idb(1), le.epb(0, 1n, frameBytes(1)), le.block(6, Buffer.alloc(40), { total }), le.epb(0, 2n, frameBytes(2))]);
      const { sink, opened } = await read(bytes);
      assert.equal(sink.frames.length, 1, `total ${total}`);
      assert.deepEqual(sink.names(), ['pcapng_bad_block_length'], `total ${total}`);
      assert.equal(opened.reader.info.stoppedEarly, true);
    }
  });

  test('trailing length differing from the leading one: a weird (once), reading goes on', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1), le.block(6, Buffer.concat([le.u32(0), le.u32(0), le.u32(1), le.u32(4), le.u32(4), Buffer.alloc(4)]), { trailer: 99 }),
      le.epb(0, 2n, frameBytes(2)), le.block(4, Buffer.alloc(4), { trailer: 7 })]);
    const { sink } = await read(bytes);
    assert.equal(sink.frames.length, 2);
    assert.deepEqual(sink.names(), ['pcapng_block_length_mismatch']);
  });

  test('truncated last block: earlier packets read, one weird', async () => {
    const whole = Buffer.concat([le.shb(), le.idb(1), le.epb(0, 1n, frameBytes(1)), le.epb(0, 2n, frameBytes(2))]);
    const sink = await readAllWays(whole.subarray(0, whole.length - 10));
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(sink.names(), ['truncated_capture_record']);
  });

  test('SHB and IDB only: zero frames, no weird', async () => {
    const sink = await readAllWays(Buffer.concat([le.shb(), le.idb(1)]));
    assert.deepEqual(sink.frames, []);
    assert.deepEqual(sink.weirds, []);
  });

  test('a packet on an undefined interface is dropped with one weird', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1), le.epb(3, 1n, frameBytes(1)), le.epb(7, 1n, frameBytes(2)), le.epb(0, 1n, frameBytes(3))]);
    const { sink } = await read(bytes);
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(sink.names(), ['pcapng_packet_without_interface']);
    const spbFirst = await read(Buffer.concat([le.shb(), le.spb(frameBytes(1))]));
    assert.equal(spbFirst.sink.frames.length, 0);
    assert.deepEqual(spbFirst.sink.names(), ['pcapng_packet_without_interface']);
  });

  test('EPB caplen beyond its block: cut to the block, one weird', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1), le.epb(0, 1n, frameBytes(1, 20), 2000, 1500)]);
    const { sink } = await read(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.capLen, f.wireLen]), [[20, 2000]]);
    assert.deepEqual(sink.names(), ['pcapng_caplen_exceeds_block']);
  });

  test('EPB caplen > len: wire length raised, one weird', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1), le.epb(0, 1n, frameBytes(1, 20), 10)]);
    const { sink } = await read(bytes);
    assert.deepEqual(sink.frames.map((f) => [f.capLen, f.wireLen]), [[20, 20]]);
    assert.deepEqual(sink.names(), ['capture_caplen_exceeds_len']);
  });

  test('packet blocks too short for their fixed fields', async () => {
    const bytes = Buffer.concat([le.shb(), le.idb(1), le.block(6, Buffer.alloc(8)), le.block(2, Buffer.alloc(4)), le.block(3, Buffer.alloc(0)), le.epb(0, 1n, frameBytes(1))]);
    const { sink } = await read(bytes);
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(sink.names(), ['pcapng_truncated_packet_block']);
  });

  test('IDB problems: truncated block, truncated option, unsupported if_tsresol', async () => {
    const shortIdb = le.block(1, Buffer.alloc(4));
    const badOpt = le.block(1, Buffer.concat([le.u16(1), le.u16(0), le.u32(0), le.u16(9), le.u16(200), Buffer.alloc(4)]));
    const hugeRes = le.idb(1, 0, { tsresol: 0x7f });
    const bytes = Buffer.concat([le.shb(), shortIdb, badOpt, hugeRes, le.epb(0, 1n, frameBytes(1)), le.epb(1, 2_000_000n, frameBytes(2))]);
    const { sink } = await read(bytes);
    assert.deepEqual(sink.names().sort(), ['pcapng_truncated_interface_block', 'pcapng_truncated_option', 'pcapng_unsupported_tsresol']);
    // The truncated IDB defines no interface: packets refer to the other two (µs default resolution).
    assert.deepEqual(sink.frames.map((f) => [f.sec, f.nsec]), [[0, 1000], [2, 0]]);
  });

  test('bad byte-order magic: stop with a weird', async () => {
    const shb = le.shb();
    shb.writeUInt32LE(0x11223344, 8);
    const { sink, opened } = await read(Buffer.concat([shb, le.idb(1), le.epb(0, 1n, frameBytes(1))]));
    assert.deepEqual(sink.frames, []);
    assert.deepEqual(sink.names(), ['pcapng_bad_byte_order_magic']);
    assert.equal(opened.reader.info.stoppedEarly, true);
  });

  test('a first block that is not a Section Header Block (reader fed directly)', () => {
    const sink = new Sink();
    const r = new PcapngReader(sink);
    const bytes = Buffer.concat([le.idb(1), le.epb(0, 1n, frameBytes(1))]);
    r.parse(bytes, 0, bytes.length, true);
    assert.deepEqual(sink.names(), ['pcapng_missing_section_header']);
    assert.equal(r.info.stoppedEarly, true);
  });

  test('more interfaces than a section may have: one weird', async () => {
    const idb = le.idb(1);
    const bytes = Buffer.concat([le.shb(), ...Array.from({ length: 65537 }, () => idb), le.epb(65535, 1n, frameBytes(1))]);
    const { sink } = await read(bytes);
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(sink.names(), ['pcapng_too_many_interfaces']);
  });
});

describe('gzip and streams', () => {
  const pcapBytes = pcapFile({}, [{ sec: 1, frac: 2, data: frameBytes(1) }, { sec: 3, frac: 4, data: frameBytes(2) }]);
  const ngBytes = Buffer.concat([new Ng().shb(), new Ng().idb(1), new Ng().epb(0, 5_000_006n, frameBytes(3))]);

  test("gzip'd pcap and pcapng are read transparently", async () => {
    for (const [bytes, format, n] of [[pcapBytes, 'pcap', 2], [ngBytes, 'pcapng', 1]] as const) {
      const sink = new Sink();
      const opened = await readCapture(file(gzipSync(bytes), 'gz'), sink);
      assert.equal(opened.gzip, true);
      assert.equal(opened.format, format);
      assert.equal(sink.frames.length, n);
      assert.deepEqual(sink.weirds, []);
    }
  });

  test("a cut gzip stream: what decompressed is read, then truncated_gzip", async () => {
    const big = pcapFile({}, Array.from({ length: 400 }, (_, i) => ({ sec: i, frac: 0, data: frameBytes(i, 200 + (i % 50)) })));
    const gz = gzipSync(big);
    const sink = new Sink();
    await readCapture(file(gz.subarray(0, Math.floor(gz.length * 0.6)), 'gz'), sink);
    assert.ok(sink.frames.length > 0 && sink.frames.length < 400, `${sink.frames.length} frames`);
    assert.ok(sink.names().includes('truncated_gzip'), JSON.stringify(sink.weirds));
    // The frames that came through are exact.
    sink.frames.forEach((f, i) => assert.deepEqual(f.data, frameBytes(i, 200 + (i % 50))));
  });

  test('stream input: pcap and pcapng, gzip\'d or not, one byte at a time', async () => {
    for (const bytes of [pcapBytes, ngBytes, gzipSync(pcapBytes), gzipSync(ngBytes)]) {
      const sink = new Sink();
      const opened = await readCapture(Readable.from([...bytes].map((b) => Buffer.from([b]))), sink);
      assert.ok(sink.frames.length >= 1, opened.format);
      assert.deepEqual(sink.weirds, []);
    }
  });

  test('a file spanning several read chunks, records across chunk boundaries', async () => {
    const recs = Array.from({ length: 7000 }, (_, i) => ({ sec: i, frac: i, data: frameBytes(i, 1400 + (i % 100)) }));
    const { sink } = await read(pcapFile({}, recs));
    assert.equal(sink.frames.length, 7000);
    sink.frames.forEach((f, i) => { if (!f.data.equals(recs[i].data)) assert.fail(`frame ${i + 1} bytes differ`); });
    assert.deepEqual(sink.weirds, []);
  });

  test('a record larger than the read chunk (5 MiB) between small ones', async () => {
    const bigData = Buffer.alloc(5 * 1024 * 1024, 0x5a);
    const recs = [{ sec: 1, frac: 0, data: frameBytes(1) }, { sec: 2, frac: 0, data: bigData }, { sec: 3, frac: 0, data: frameBytes(3) }];
    const bytes = pcapFile({ snaplen: 0 }, recs);
    for (const sink of [(await read(bytes)).sink, await (async () => { const s = new Sink(); await readCapture(file(gzipSync(bytes), 'gz'), s); return s; })()]) {
      assert.deepEqual(sink.frames.map((f) => f.capLen), [60, bigData.length, 60]);
      assert.ok(sink.frames[1].data.equals(bigData));
      assert.deepEqual(sink.frames[2].data, frameBytes(3));
    }
  });

  test('stream input larger than the sniff window and the read chunk', async () => {
    const recs = Array.from({ length: 3000 }, (_, i) => ({ sec: i, frac: i, data: frameBytes(i, 1400 + (i % 100)) }));
    const bytes = pcapFile({}, recs);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const sink = new Sink();
    await readCapture(Readable.from(chunks), sink);
    assert.equal(sink.frames.length, 3000);
    assert.deepEqual(sink.frames[2999].data, recs[2999].data);
    assert.deepEqual([sink.frames[1234].sec, sink.frames[1234].nsec], [1234, 1234_000]);
  });
});

test('every shared capture: file, gzip\'d file and chunked stream give the same frames and weirds', async () => {
  for (const name of allCaptures()) {
    const bytes = readFileSync(pcap(name));
    const sink = new Sink();
    await readCapture(pcap(name), sink);
    const gz = new Sink();
    await readCapture(file(gzipSync(bytes), 'gz'), gz);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
    const streamed = new Sink();
    await readCapture(Readable.from(chunks), streamed);
    for (const [how, other] of [['gzip', gz], ['stream', streamed]] as const) {
      assert.equal(other.frames.length, sink.frames.length, `${name} (${how}): frame count`);
      other.frames.forEach((f, i) => assert.deepEqual(f, sink.frames[i], `${name} (${how}): frame ${i + 1}`));
      assert.deepEqual(other.weirds, sink.weirds, `${name} (${how}): weirds`);
    }
  }
});

test('capture weirds about a record carry that record\'s time in weird.log (even the first record)', async () => {
  const bytes = pcapFile({ snaplen: 50 }, [
    { sec: 1_700_000_000, frac: 1_250_000, data: frameBytes(1), wireLen: 30 },
  ]);
  const { sink } = await run(file(bytes));
  const byName = new Map(sink.get('weird').map((w) => [String(w.name), w]));
  for (const name of ['capture_caplen_exceeds_snaplen', 'capture_caplen_exceeds_len', 'capture_timestamp_fraction_overflow']) {
    assert.equal(byName.get(name)?.ts, 1_700_000_001.25, `${name}: ${JSON.stringify(byName.get(name))}`);
  }
  const ng = new Ng();
  const ngBytes = Buffer.concat([ng.shb(), ng.idb(1), ng.epb(0, 1_700_000_002_500_000n, frameBytes(1, 20), 10, 30)]);
  const ngRun = await run(file(ngBytes));
  const ngWeirds = new Map(ngRun.sink.get('weird').map((w) => [String(w.name), w]));
  for (const name of ['pcapng_caplen_exceeds_block', 'capture_caplen_exceeds_len']) {
    assert.equal(ngWeirds.get(name)?.ts, 1_700_000_002.5, `${name}: ${JSON.stringify(ngWeirds.get(name))}`);
  }
});

describe('non-captures are refused with what they are', () => {
  const zip = Buffer.concat([
    // A one-entry zip archive (local file header, data, central directory, end record).
    Buffer.from('504b0304140000000000000000000000000000000000000000000500000068656c6c6f', 'hex'),
    Buffer.from('504b01021400140000000000000000000000000000000000000000000500000000000000000000000000000068656c6c6f', 'hex'),
    Buffer.from('504b0506000000000100010033000000230000000000', 'hex'),
  ]);
  const cases: [string, Buffer, RegExp][] = [
    ['zip', zip, /^not a packet capture: this is a zip archive$/],
    ['text', Buffer.from('just some notes\nabout a capture\n'), /^not a packet capture: this is text$/],
    ['HTML', Buffer.from('<!DOCTYPE html>\n<html><head><title>x</title></head><body>hi</body></html>\n'), /^not a packet capture: this is an HTML document$/],
    ['PDF', Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1'), /^not a packet capture: this is a PDF document$/],
    ["gzip'd zip", gzipSync(zip), /^not a packet capture: this is a gzip file holding a zip archive$/],
    ['empty file', Buffer.alloc(0), /^not a packet capture: this is an empty file$/],
  ];

  for (const [what, bytes, message] of cases) {
    test(`${what} (file)`, async () => {
      const sink = new Sink();
      const err = await readCapture(file(bytes), sink).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof NotACaptureError, `expected NotACaptureError, got ${String(err)}`);
      assert.match(err.message, message);
      assert.equal(err.code, 'CAPDEX_NOT_A_CAPTURE');
      assert.deepEqual(sink.frames, []);
    });

    test(`${what} (stream)`, async () => {
      const err = await readCapture(Readable.from(bytes.length ? [bytes] : []), new Sink()).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof NotACaptureError, `expected NotACaptureError, got ${String(err)}`);
      assert.match(err.message, message);
    });
  }

  test('a missing file is an ENOENT error, not a NotACaptureError', async () => {
    const err = await readCapture(join(dir, 'no-such-file.pcap'), new Sink()).then(() => undefined, (e: unknown) => e);
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOENT');
  });
});
