/** Builds small synthetic frames for decoder tests and feeds them to an Engine in memory. */
import { DEFAULT_ENGINE_OPTIONS, Engine, type EngineOptions } from '../../../src/engine/pipeline.js';
import { MemorySink } from '../../../src/engine/logs/file-sink.js';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function ipv4Addr(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

/** An IPv4 header (valid checksum, no options) followed by `payload`. */
export function ipv4(src: string, dst: string, proto: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h[8] = 64;
  h[9] = proto;
  ipv4Addr(src).copy(h, 12);
  ipv4Addr(dst).copy(h, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([h, payload]);
}

/** A UDP header with checksum 0 ("none", allowed over IPv4 by RFC 768). */
export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function ether(type: number, payload: Buffer): Buffer {
  const h = hex('020000000002 020000000001 0000');
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

/** The standard inner packet of these tests: 10.9.0.1:40000 -> 10.9.0.2:7777 UDP. */
export const INNER_UDP = (): Buffer => ipv4('10.9.0.1', '10.9.0.2', 17, udp(40000, 7777, Buffer.from('hello')));

export interface Frame { linkType: number; bytes: Buffer; wireLen?: number }

export function runFrames(frames: readonly Frame[], opts: Partial<EngineOptions> = {}): MemorySink {
  const sink = new MemorySink();
  const engine = new Engine(sink, { ...DEFAULT_ENGINE_OPTIONS, ...opts });
  let t = 1_700_000_000;
  for (const f of frames) engine.frame(f.bytes, 0, f.bytes.length, f.wireLen ?? f.bytes.length, t++, 0, f.linkType);
  engine.finish();
  return sink;
}

/** One well-formed frame per decoder path the shared captures miss, for the robustness test. */
export function sampleFrames(): Frame[] {
  const ip = INNER_UDP();
  const snap = hex('aaaa03 000000 0800');
  const raw = (proto: number, payload: Buffer): Frame => ({ linkType: 101, bytes: ipv4('192.0.2.1', '192.0.2.2', proto, payload) });
  const overUdp = (port: number, payload: Buffer): Frame => raw(17, udp(40000, port, payload));
  const gtpBody = Buffer.concat([hex('0000 00 85 01 1000 00'), ip]);
  const ppp = Buffer.concat([hex('ff03 0021'), ip]);
  return [
    raw(132, Buffer.concat([hex('b0a3 0b59 00000000 00000000 00030004')])),
    overUdp(5072, Buffer.concat([hex('41 52 21 04 00000000'), Buffer.alloc(36), ip])),
    overUdp(2152, Buffer.concat([hex('36 ff'), Buffer.from([gtpBody.length >> 8, gtpBody.length & 0xff]), hex('00000001'), gtpBody])),
    overUdp(3544, Buffer.concat([hex('0001 00 00 0102030405060708 00 0000 1234 c0000201 60000000 0000 3b 40'), Buffer.alloc(32, 0x11)])),
    overUdp(4789, Buffer.concat([hex('0800000000000100'), ether(0x0800, ip)])),
    overUdp(6081, Buffer.concat([hex('0100 6558 00000100 0001 01 00'), ether(0x0800, ip)])),
    raw(47, Buffer.concat([hex('b000 0800 00000000 00000007 00000001'), ip])),
    raw(47, Buffer.concat([hex('1000 22eb 00000001 20000001 00000000 00000001'), Buffer.alloc(8), ether(0x0800, ip)])),
    raw(47, Buffer.concat([hex('1000 88be 00000001 10000001 00000000'), ether(0x0800, ip)])),
    raw(47, Buffer.concat([hex('2000 8909 00000028 0800 0101 0001 0000'), ip])),
    raw(47, Buffer.concat([hex('3081 880b'), Buffer.from([0, ppp.length]), hex('0001 00000005 00000004'), ppp])),
    raw(4, ip),
    { linkType: 1, bytes: ether(0x8847, Buffer.concat([hex('00010040 00020140 00000000'), ether(0x0800, ip)])) },
    { linkType: 1, bytes: ether(0x8864, Buffer.concat([hex('1100 0001'), Buffer.from([0, ip.length + 2]), hex('0021'), ip])) },
    { linkType: 1, bytes: ether(0x894f, Buffer.concat([hex('0fc6 0101 00000001'), Buffer.alloc(16), ip])) },
    { linkType: 1, bytes: ether(0x8909, Buffer.concat([hex('0000 0000 0000 0800'), ip])) },
    { linkType: 105, bytes: Buffer.concat([hex('8883 0000'), Buffer.alloc(18, 1), hex('0000'), Buffer.alloc(6, 2), hex('0000 00000000'), snap, ip]) },
    { linkType: 105, bytes: Buffer.concat([hex('8802 0000'), Buffer.alloc(18, 1), hex('0000 8000'), Buffer.alloc(12, 3), Buffer.from([0, ip.length + 8]), snap, ip]) },
    { linkType: 127, bytes: Buffer.concat([hex('00 00 1200 03000000'), Buffer.alloc(8), hex('10 00 0801 0000'), Buffer.alloc(18, 1), hex('0000'), snap, ip, hex('deadbeef')]) },
    { linkType: 192, bytes: Buffer.concat([hex('00 00 0800 01000000'), ether(0x0800, ip)]) },
    { linkType: 239, bytes: Buffer.concat([hex('02 00 0000 0008 0001 00000800'), Buffer.from([0, ip.length + 4, 0, 9]), ip]) },
    { linkType: 107, bytes: Buffer.concat([hex('1861 03 00 80 000000 0800'), ip]) },
    { linkType: 9, bytes: Buffer.concat([hex('21'), ip]) },
    { linkType: 50, bytes: Buffer.concat([hex('ff5f 7e08 00'), ip]) },
    { linkType: 104, bytes: Buffer.concat([hex('0f00 0800'), ip]) },
  ];
}
