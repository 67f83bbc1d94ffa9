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
