/**
 * Oracle: for every shared capture, our capture readers deliver the same frames as tshark — same
 * count, same timestamps at microsecond precision, same captured and wire lengths.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCaptures, pcap, run } from '../helpers.js';
import { readCapture } from '../../src/engine/capture/source.js';
import type { FrameSink } from '../../src/engine/capture/frame-sink.js';
import { tshark, tsharkAll, tsharkAvailable, type TsharkFrame, type TsharkResult } from './tshark.js';

interface OurFrame { sec: number; nsec: number; capLen: number; wireLen: number; linkType: number }
interface OurRead { frames: OurFrame[]; weirds: { name: string; addl?: string }[]; error?: Error }

class RecordingSink implements FrameSink {
  readonly frames: OurFrame[] = [];
  readonly weirds: { name: string; addl?: string }[] = [];
  frame(_buf: Buffer, _off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    this.frames.push({ sec: tsSec, nsec: tsNsec, capLen, wireLen, linkType });
  }
  captureWeird(name: string, addl?: string): void {
    this.weirds.push({ name, addl });
  }
}

async function ours(path: string): Promise<OurRead> {
  const sink = new RecordingSink();
  try {
    await readCapture(path, sink);
  } catch (e) {
    return { frames: sink.frames, weirds: sink.weirds, error: e as Error };
  }
  return { frames: sink.frames, weirds: sink.weirds };
}

/** Microseconds since the epoch as a bigint, truncating the sub-microsecond part. A fraction of a
 *  second >= 1e9 ns (a broken capture) is carried into the seconds, as libpcap does. */
function usec(sec: bigint, nsec: bigint): bigint {
  return sec * 1_000_000n + nsec / 1000n;
}

function oursUsec(f: OurFrame): bigint {
  return usec(BigInt(f.sec), BigInt(f.nsec));
}

function theirsUsec(f: TsharkFrame): bigint {
  return usec(f.sec, f.nsec);
}

function fmtUsec(u: bigint): string {
  const s = u / 1_000_000n, f = u % 1_000_000n;
  return `${s}.${String(f).padStart(6, '0')}`;
}

/**
 * Deliberate differences from tshark, with what we do instead. Every other capture must match
 * tshark exactly; each of these has its own test below asserting our behaviour.
 *
 * | capture                            | tshark                                   | we                                           |
 * |------------------------------------|------------------------------------------|----------------------------------------------|
 * | bad-unsupported-linktype-281.pcap  | refuses the whole file ("network type     | read every record; the engine logs one        |
 * |                                    | 281 unknown or unsupported")             | unsupported_link_type weird (addl 281) and no |
 * |                                    |                                          | connection. Frames compared to tshark reading |
 * |                                    |                                          | a copy relabelled as Ethernet                 |
 * | bad-cut-short-last-record.pcap     | prints frame 1, then fails ("cut short   | frame 1 too, then a truncated_capture_record  |
 * |                                    | in the middle of a packet"), exit 2;      | weird; its nanosecond fraction (1882137472)   |
 * |                                    | prints the fraction >= 1e9 verbatim      | is >= 1e9: carried into seconds as libpcap    |
 * |                                    |                                          | does (capture_timestamp_fraction_overflow)    |
 * | bad-timestamp-invalid-usec.pcap    | frame 2: prints usec 1000000 verbatim     | carried into the seconds (libpcap); weird     |
 * |                                    | ("x.1000000000"); frame 3: usec 2^31      | capture_timestamp_fraction_overflow; frame 3  |
 * |                                    | overflows its 32-bit nanosecond product   | becomes x+2147.483648 s, the time libpcap     |
 * |                                    | to exactly 0 and prints "x.000000000"     | and Zeek compute (sec + usec/1e6)             |
 * | bad-empty.pcap, bad-empty.pcapng   | exit status 1 with no frames             | zero frames, no error, no weird               |
 *
 * (For the fraction overflows the comparison below normalises tshark's value the same way, so
 * the timestamps are still checked against tshark.)
 */
const TSHARK_REFUSES = new Set(['bad-unsupported-linktype-281.pcap']);
const TSHARK_FAILS_AFTER_FRAMES = new Set(['bad-cut-short-last-record.pcap']);
const TSHARK_EXIT_NONZERO_EMPTY = new Set(['bad-empty.pcap', 'bad-empty.pcapng']);

const captures = allCaptures();
let theirs: Map<string, TsharkResult>;
const available = tsharkAvailable();

before(async () => {
  if (available) theirs = await tsharkAll(captures.map(pcap));
});

/** Frames whose timestamp deliberately differs from tshark's (see the table above): capture →
 *  1-based frame number → our timestamp. */
const TIMESTAMP_DIFFERENCES: Record<string, Record<number, string>> = {
  'bad-timestamp-invalid-usec.pcap': { 3: '1418147517.483648' },
};

function compareFrames(name: string, our: OurRead, their: TsharkFrame[]): void {
  assert.equal(our.frames.length, their.length, `${name}: frame count (ours ${our.frames.length}, tshark ${their.length})`);
  const diffs = TIMESTAMP_DIFFERENCES[name] ?? {};
  for (let i = 0; i < their.length; i++) {
    const a = our.frames[i], b = their[i];
    const ua = oursUsec(a), ub = theirsUsec(b);
    if (diffs[i + 1] !== undefined) {
      assert.notEqual(fmtUsec(ua), fmtUsec(ub), `${name} frame ${i + 1}: now agrees with tshark; drop the difference`);
      assert.equal(fmtUsec(ua), diffs[i + 1], `${name} frame ${i + 1}: our timestamp`);
      continue;
    }
    assert.equal(fmtUsec(ua), fmtUsec(ub), `${name} frame ${i + 1}: timestamp`);
    assert.equal(a.capLen, b.capLen, `${name} frame ${i + 1}: captured length`);
    assert.equal(a.wireLen, b.wireLen, `${name} frame ${i + 1}: wire length`);
  }
}

test('tshark is installed (scripts/setup.sh installs it)', () => {
  assert.ok(available, 'tshark not found: run scripts/setup.sh');
});

test('every shared capture: frame count, timestamps (µs) and lengths match tshark', { skip: !available }, async (t) => {
  assert.ok(captures.length >= 100, `expected the shared captures under ${pcap('')}`);
  for (const name of captures) {
    if (TSHARK_REFUSES.has(name)) continue;
    await t.test(name, async () => {
      const our = await ours(pcap(name));
      assert.equal(our.error, undefined, `${name}: we failed to read it: ${our.error?.message}`);
      const their = theirs.get(pcap(name))!;
      if (TSHARK_FAILS_AFTER_FRAMES.has(name)) assert.notEqual(their.exitCode, 0, `${name}: tshark now reads it cleanly; move it out of the differences`);
      else if (TSHARK_EXIT_NONZERO_EMPTY.has(name)) assert.equal(their.frames.length, 0);
      else assert.equal(their.exitCode, 0, `${name}: tshark failed: ${their.stderr}`);
      compareFrames(name, our, their.frames);
      // A capture tshark reads cleanly gives us no capture weird either, except the ones below.
      const expectedWeirds = EXPECTED_CAPTURE_WEIRDS[name] ?? [];
      assert.deepEqual(our.weirds.map((w) => w.name).sort(), [...expectedWeirds].sort(), `${name}: capture weirds ${JSON.stringify(our.weirds)}`);
    });
  }
});

/** Capture-level weirds we expect on the shared captures (all others: none). */
const EXPECTED_CAPTURE_WEIRDS: Record<string, string[]> = {
  'bad-cut-short-last-record.pcap': ['capture_timestamp_fraction_overflow', 'truncated_capture_record'],
  'bad-timestamp-invalid-usec.pcap': ['capture_timestamp_fraction_overflow'],
};

test('bad-unsupported-linktype-281.pcap: tshark refuses it; we read every record of link type 281', { skip: !available }, async () => {
  const name = 'bad-unsupported-linktype-281.pcap';
  const their = await tshark(pcap(name));
  assert.notEqual(their.exitCode, 0, 'tshark now reads link type 281; compare it directly');
  assert.equal(their.frames.length, 0);
  assert.match(their.stderr, /281 unknown or unsupported/);

  const our = await ours(pcap(name));
  assert.equal(our.error, undefined);
  assert.deepEqual(our.weirds, []);
  assert.ok(our.frames.length > 0);
  assert.ok(our.frames.every((f) => f.linkType === 281));
  // The records themselves are ordinary: relabelled as Ethernet, tshark reads the same frames.
  const bytes = readFileSync(pcap(name));
  assert.equal(bytes.readUInt32LE(20) & 0xffff, 281);
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(1, 20);
  const dir = mkdtempSync(join(tmpdir(), 'capdex-oracle-'));
  const relabelled = join(dir, 'brcm-as-ethernet.pcap');
  writeFileSync(relabelled, copy);
  const asEthernet = await tshark(relabelled);
  assert.equal(asEthernet.exitCode, 0, asEthernet.stderr);
  compareFrames(name, our, asEthernet.frames);
  // The engine says why nothing came of them: one unsupported_link_type weird naming 281.
  const { sink, result } = await run(pcap(name));
  assert.equal(result.stats.packets, our.frames.length);
  const weirds = sink.get('weird').filter((w) => w.name === 'unsupported_link_type');
  assert.equal(weirds.length, 1);
  assert.equal(weirds[0].addl, '281');
  assert.deepEqual(sink.get('conn'), []);
});

test('bad-cut-short-last-record.pcap: one frame (old-format swapped lengths), then the cut is a weird', { skip: !available }, async () => {
  const name = 'bad-cut-short-last-record.pcap';
  const their = await tshark(pcap(name));
  assert.match(their.stderr, /cut short in the middle of a packet/);
  assert.equal(their.frames.length, 1);
  // tshark prints the out-of-range nanosecond fraction as is.
  assert.equal(their.frames[0].nsec, 1882137472n);
  const our = await ours(pcap(name));
  assert.equal(our.frames.length, 1);
  // Version 2.0 header: caplen and len are swapped in the record (libpcap's lengths_swapped).
  assert.equal(our.frames[0].capLen, 197);
  assert.equal(our.frames[0].wireLen, 524501);
  assert.deepEqual([our.frames[0].sec, our.frames[0].nsec], [980658803, 882137472]);
  const cut = our.weirds.find((w) => w.name === 'truncated_capture_record');
  assert.ok(cut, JSON.stringify(our.weirds));
  assert.match(cut.addl ?? '', /2 trailing bytes after record 1/);
});

test('bad-timestamp-invalid-usec.pcap: usec >= 1e6 carried into the seconds, as libpcap does', { skip: !available }, async () => {
  const name = 'bad-timestamp-invalid-usec.pcap';
  const their = await tshark(pcap(name));
  assert.equal(their.frames[1].nsec, 1_000_000_000n, 'tshark prints the overflowing fraction verbatim');
  const our = await ours(pcap(name));
  assert.equal(their.frames[2].nsec, 0n, 'tshark: usec 2^31 times 1000 wraps to 0 in 32 bits');
  assert.deepEqual(our.frames.map((f) => [f.sec, f.nsec]), [[1418145369, 999999000], [1418145371, 0], [1418147517, 483648000]]);
  assert.equal(our.weirds.filter((w) => w.name === 'capture_timestamp_fraction_overflow').length, 1);
});

test('empty captures: tshark exits non-zero, we read zero frames quietly', { skip: !available }, async () => {
  for (const name of TSHARK_EXIT_NONZERO_EMPTY) {
    const their = await tshark(pcap(name));
    assert.equal(their.frames.length, 0);
    const our = await ours(pcap(name));
    assert.equal(our.error, undefined);
    assert.equal(our.frames.length, 0);
    assert.deepEqual(our.weirds, []);
  }
});
