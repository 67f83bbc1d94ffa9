/**
 * Builds small, exact captures for tests: Ethernet + IPv4/IPv6 + TCP/UDP/ICMP frames with correct
 * checksums, written as a classic pcap. Each frame is described by what matters to the test.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAddr } from '../../src/engine/support/addr.js';

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;

export interface FrameSpec {
  ts: number;
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp';
  sport?: number;
  dport?: number;
  flags?: number;
  seq?: number;
  ack?: number;
  window?: number;
  payload?: Buffer | number;
  /** ICMP type/code. */
  type?: number;
  code?: number;
  /** Corrupt the transport checksum. */
  badChecksum?: boolean;
  /** TCP options bytes (padded to 4). */
  tcpOptions?: Buffer;
}

function sum16(buf: Buffer, initial = 0): number {
  let s = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) s += buf.readUInt16BE(i);
  if (buf.length % 2) s += buf[buf.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function addrBytes(a: string): { v6: boolean; bytes: Buffer } {
  const w = parseAddr(a);
  if (!w) throw new Error(`bad address ${a}`);
  const v6 = a.includes(':');
  const b = Buffer.alloc(v6 ? 16 : 4);
  if (v6) w.forEach((x, i) => b.writeUInt32BE(x >>> 0, i * 4));
  else b.writeUInt32BE(w[3] >>> 0, 0);
  return { v6, bytes: b };
}

export function buildFrame(f: FrameSpec): Buffer {
  const payload = typeof f.payload === 'number' ? Buffer.alloc(f.payload, 0x61) : (f.payload ?? Buffer.alloc(0));
  const src = addrBytes(f.src), dst = addrBytes(f.dst);
  const v6 = src.v6;
  let l4: Buffer;
  const protoNum = f.proto === 'tcp' ? 6 : f.proto === 'udp' ? 17 : v6 ? 58 : 1;
  if (f.proto === 'tcp') {
    const opts = f.tcpOptions ?? Buffer.alloc(0);
    const optLen = (opts.length + 3) & ~3;
    l4 = Buffer.alloc(20 + optLen + payload.length);
    l4.writeUInt16BE(f.sport ?? 0, 0);
    l4.writeUInt16BE(f.dport ?? 0, 2);
    l4.writeUInt32BE((f.seq ?? 0) >>> 0, 4);
    l4.writeUInt32BE((f.ack ?? 0) >>> 0, 8);
    l4[12] = ((20 + optLen) / 4) << 4;
    l4[13] = f.flags ?? 0;
    l4.writeUInt16BE(f.window ?? 65535, 14);
    opts.copy(l4, 20);
    payload.copy(l4, 20 + optLen);
  } else if (f.proto === 'udp') {
    l4 = Buffer.alloc(8 + payload.length);
    l4.writeUInt16BE(f.sport ?? 0, 0);
    l4.writeUInt16BE(f.dport ?? 0, 2);
    l4.writeUInt16BE(8 + payload.length, 4);
    payload.copy(l4, 8);
  } else {
    l4 = Buffer.alloc(8 + payload.length);
    l4[0] = f.type ?? 8;
    l4[1] = f.code ?? 0;
    payload.copy(l4, 8);
  }
  // Transport checksum with pseudo-header (ICMPv4 has none).
  const csOff = f.proto === 'tcp' ? 16 : f.proto === 'udp' ? 6 : 2;
  let initial = 0;
  if (!(f.proto === 'icmp' && !v6)) {
    const pseudo = Buffer.concat([src.bytes, dst.bytes, Buffer.from([0, protoNum]), Buffer.from([l4.length >> 8, l4.length & 255])]);
    initial = sum16(pseudo);
  }
  let cs = ~sum16(l4, initial) & 0xffff;
  if (f.proto === 'udp' && cs === 0) cs = 0xffff;
  if (f.badChecksum) cs = (cs + 1) & 0xffff || 1;
  l4.writeUInt16BE(cs, csOff);

  let ip: Buffer;
  if (v6) {
    ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(l4.length, 4);
    ip[6] = protoNum;
    ip[7] = 64;
    src.bytes.copy(ip, 8);
    dst.bytes.copy(ip, 24);
  } else {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + l4.length, 2);
    ip[8] = 64;
    ip[9] = protoNum;
    src.bytes.copy(ip, 12);
    dst.bytes.copy(ip, 16);
    ip.writeUInt16BE(~sum16(ip) & 0xffff, 10);
  }
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([eth, ip, l4]);
}

/** A classic little-endian microsecond pcap of the given frames (link type Ethernet). */
export function buildPcap(frames: readonly FrameSpec[]): Buffer {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(65535, 16);
  gh.writeUInt32LE(1, 20);
  parts.push(gh);
  for (const f of frames) {
    const data = buildFrame(f);
    const rh = Buffer.alloc(16);
    const sec = Math.floor(f.ts);
    rh.writeUInt32LE(sec, 0);
    rh.writeUInt32LE(Math.round((f.ts - sec) * 1e6), 4);
    rh.writeUInt32LE(data.length, 8);
    rh.writeUInt32LE(data.length, 12);
    parts.push(rh, data);
  }
  return Buffer.concat(parts);
}

/** Writes a capture to a fresh temporary file and returns its path. */
export function writeTemp(buf: Buffer, name = 'test.pcap'): string {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-test-'));
  const p = join(dir, name);
  writeFileSync(p, buf);
  return p;
}
