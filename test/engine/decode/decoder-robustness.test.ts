/**
 * The link-layer and tunnel decoders never throw: every frame of their captures (and of the
 * synthetic frames) is fed cut at every length, and with seeded random byte corruption, with
 * checksum validation off so corrupted inner headers still reach the deeper decoders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCapture } from '../../../src/engine/capture/source.js';
import type { FrameSink } from '../../../src/engine/capture/frame-sink.js';
import { DEFAULT_ENGINE_OPTIONS, Engine } from '../../../src/engine/pipeline.js';
import { MemorySink } from '../../../src/engine/logs/file-sink.js';
import { pcap } from '../../helpers.js';
import { sampleFrames } from './frames.js';
import { prng } from '../../support/prng.js';

const CAPTURES = [
  'link-mpls-basic.pcap', 'link-pppoe.pcap', 'link-ppp-dns.pcap', 'link-radiotap-80211-http.pcap',
  'link-80211-beacon.pcapng', 'link-nflog.pcap', 'link-frame-relay-icmp.pcap', 'link-ppi-nanosecond-someip.pcap',
  'tunnel-6in4.pcap', 'tunnel-geneve.pcap', 'tunnel-gre-erspan.pcap', 'tunnel-gre-ppp-dns.pcap',
  'tunnel-gre-variants.pcap', 'tunnel-gre.pcap', 'tunnel-gtpu.pcap', 'tunnel-gtpu-ipv6-nanosecond.pcap',
  'tunnel-ipip-4in4.pcap', 'tunnel-ipip-4in6.pcap', 'tunnel-ipip-6in6.pcap', 'tunnel-teredo.pcap', 'tunnel-vxlan.pcap',
];

interface Frame { bytes: Buffer; linkType: number; tsSec: number; tsNsec: number }

async function framesOf(name: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  const sink: FrameSink = {
    frame(buf, off, capLen, _wire, tsSec, tsNsec, linkType) {
      frames.push({ bytes: Buffer.from(buf.subarray(off, off + capLen)), linkType, tsSec, tsNsec });
    },
    captureWeird() {},
  };
  await readCapture(pcap(name), sink);
  return frames;
}


/** Feeds every cut and `rounds` random corruptions of `bytes`; the engine must never throw. */
function batter(engine: Engine, bytes: Buffer, linkType: number, ts: number, rand: () => number, rounds: number, what: string): void {
  const n = bytes.length;
  for (let cut = 0; cut <= n; cut++) {
    assert.doesNotThrow(() => engine.frame(bytes, 0, cut, n, ts, 0, linkType), `${what} cut at ${cut}`);
  }
  for (let round = 0; round < rounds; round++) {
    const b = Buffer.from(bytes);
    const flips = 1 + Math.floor(rand() * 4);
    // Corrupt the first 100 bytes mostly: that is where the headers (and their lengths) are.
    for (let i = 0; i < flips; i++) b[Math.floor(rand() * Math.min(n, 100))] = Math.floor(rand() * 256);
    assert.doesNotThrow(() => engine.frame(b, 0, n, n, ts, 0, linkType), `${what} round ${round}`);
  }
}

test('decoders survive truncated and corrupted synthetic encapsulations', () => {
  const engine = new Engine(new MemorySink(), { ...DEFAULT_ENGINE_OPTIONS, validateChecksums: false });
  const rand = prng(12345);
  let ts = 1_700_000_000;
  for (const [i, f] of sampleFrames().entries()) batter(engine, f.bytes, f.linkType, ts++, rand, 1000, `sample ${i}`);
  assert.doesNotThrow(() => engine.finish());
});

for (const name of CAPTURES) {
  test(`decoders survive truncated and corrupted frames of ${name}`, async () => {
    const frames = await framesOf(name);
    assert.ok(frames.length > 0);
    const engine = new Engine(new MemorySink(), { ...DEFAULT_ENGINE_OPTIONS, validateChecksums: false });
    const rand = prng(frames.length * 7919 + name.length);
    let ts = frames[0].tsSec;
    // Only the first few frames of big captures: every cut of each is already thousands of runs.
    for (const f of frames.slice(0, 12)) batter(engine, f.bytes, f.linkType, ts++, rand, 200, name);
    assert.doesNotThrow(() => engine.finish());
  });
}
