/**
 * The dispatch tables: lookups past a table's last registered key, conflicting registrations,
 * and the undecoded-payload summary (counted as they happen, reported in table order, keys
 * ascending), checked against tshark's count of ARP frames on a real capture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Dispatcher, type DecodeServices, type LayerDecoder } from '../../../src/engine/decode/registry.js';
import { Packet } from '../../../src/engine/decode/packet.js';
import { analyze } from '../../../src/engine/pipeline.js';
import type { LogRecord, LogSchema, RecordSink } from '../../../src/engine/logs/schema.js';

const PCAPS = join(import.meta.dirname, '../../../../shared/pcaps');

const noServices: DecodeServices = {
  weird: () => {}, session: () => -1, ipTunnel: () => -1, connTunnel: () => -1, fragment: () => false,
};

test('dispatch: registered keys decode, keys past the last registered one count as undecoded', () => {
  const seen: number[] = [];
  const decoders: LayerDecoder[] = [
    { name: 'a', keys: [['etherType', 0x0800]], decode: (_p, off) => { seen.push(off); } },
    { name: 'b', keys: [['ipProto', 6], ['udpPort', 53]], decode: () => { seen.push(-1); } },
  ];
  const d = new Dispatcher(decoders, noServices);
  const pkt = new Packet();
  assert.equal(d.dispatch('etherType', 0x0800, pkt, 14, 60), true);
  assert.deepEqual(seen, [14]);
  assert.equal(d.has('udpPort', 53), true);
  assert.equal(d.has('udpPort', 54), false);
  assert.equal(d.has('udpPort', 65535), false);
  assert.equal(d.has('linkType', 1), false);
  // Undecoded: in the middle of a table, past its end, in an empty table; repeats counted.
  assert.equal(d.dispatch('etherType', 0x0806, pkt, 0, 0), false);
  assert.equal(d.dispatch('etherType', 0xffff, pkt, 0, 0), false);
  assert.equal(d.dispatch('etherType', 0x0806, pkt, 0, 0), false);
  assert.equal(d.dispatch('ipProto', 255, pkt, 0, 0), false);
  assert.equal(d.dispatch('linkType', 147, pkt, 0, 0), false);
  assert.equal(d.dispatch('ipProto', 2, pkt, 0, 0), false);
  assert.deepEqual(Object.entries(d.undecoded()), [
    ['linkType 0x93', 1], ['etherType 0x806', 2], ['etherType 0xffff', 1], ['ipProto 0x2', 1], ['ipProto 0xff', 1],
  ]);
  assert.deepEqual(seen, [14]);
});

test('dispatch: two decoders claiming one key, or a key outside its field, are refused', () => {
  const f = () => {};
  assert.throws(() => new Dispatcher([
    { name: 'x', keys: [['udpPort', 4789]], decode: f }, { name: 'y', keys: [['udpPort', 4789]], decode: f },
  ], noServices), /y and x both claim udpPort 4789/);
  assert.throws(() => new Dispatcher([{ name: 'z', keys: [['ipProto', 256]], decode: f }], noServices), /out of range/);
});

class Null implements RecordSink { write(_s: LogSchema, _r: LogRecord): void {} }

test('undecoded summary of a real capture: ARP frames as tshark counts them', async () => {
  const file = join(PCAPS, 'frag-ipv4-teardrop-overlap.pcap');
  const arp = execFileSync('tshark', ['-r', file, '-Y', 'arp'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '').length;
  assert.ok(arp > 0);
  const { stats } = await analyze(file, new Null(), { heuristics: false, engine: { analyzers: [] } });
  assert.equal(stats.undecoded['etherType 0x806'], arp);
});
