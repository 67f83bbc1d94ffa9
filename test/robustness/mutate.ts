/**
 * Seeded, reproducible mutations of capture files for the robustness harness.
 *
 * A mutated case is named by (capture name, seed, case index): `makeCase` derives every random
 * choice from those three through one PRNG, so `capture:seed:index` replays the exact same bytes,
 * engine options and stream chunking on any machine. Nothing here uses Math.random.
 *
 * Operators: bit flips, "interesting" byte values, truncation, length-field corruption (found by
 * walking the pcap/pcapng structure and the Ethernet/SLL/null/raw → IPv4/IPv6 → TCP/UDP headers
 * inside each record; random 16/32-bit words otherwise), protocol-selector corruption (EtherType,
 * IP protocol, UDP ports, link type) to steer packets into other decoders, splicing records of two
 * captures, duplicating/dropping/swapping records, inserting junk, and gzip-wrapping the result.
 */
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import type { ChecksumMode } from '../../src/engine/decode/settings.js';

// ---------------------------------------------------------------- PRNG

/** splitmix32: expands a 32-bit seed into well-mixed words (used to seed xoshiro). */
function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a string's UTF-16 code units, 32 bits. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** xoshiro128** (Blackman & Vigna): small, fast, 2^128-1 period, fully deterministic. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const sm = splitmix32(seed);
    this.a = sm(); this.b = sm(); this.c = sm(); this.d = sm();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Seeds from a string (hashed) — used for case ids. */
  static fromString(s: string): Rng {
    return new Rng(fnv1a(s));
  }

  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n) for n >= 1 (n up to 2^32). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(arr: readonly T[]): T {
    return arr[this.int(arr.length)];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---------------------------------------------------------------- capture structure

/** A length or selector field found inside the capture. */
export interface Field {
  off: number;
  /** 'hi'/'lo' are 4-bit nibbles of the byte at `off`. */
  width: 1 | 2 | 4 | 'hi' | 'lo';
  le: boolean;
  name: string;
  /** Set when the field sits in an IPv4 header: the header offset and the bytes available to it,
   *  so the header checksum can be fixed after the mutation (else the packet is simply dropped). */
  ipv4Hdr?: number;
  ipv4Avail?: number;
}

/** One record (pcap packet record, or pcapng block) as a byte span [start, end). */
export interface Span {
  start: number;
  end: number;
}

export interface Layout {
  format: 'pcap' | 'pcapng' | 'unknown';
  /** pcap: the 24-byte global header; pcapng: the first Section Header Block. */
  headerEnd: number;
  spans: Span[];
  /** Bytes after the last whole record (a cut record, trailing junk). */
  tailStart: number;
  lengthFields: Field[];
  selectorFields: Field[];
}

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);
const PCAPNG_SHB = 0x0a0d0d0a;
/** Records walked for fields; enough for every shared capture, bounded for spliced monsters. */
const MAX_SPANS = 200_000;

function rd(buf: Buffer, off: number, width: 2 | 4, le: boolean): number {
  if (width === 2) return le ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
  return le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
}

/** Walks the capture as far as it is well-formed; never throws. */
export function parseLayout(buf: Buffer): Layout {
  const layout: Layout = { format: 'unknown', headerEnd: 0, spans: [], tailStart: 0, lengthFields: [], selectorFields: [] };
  if (buf.length < 4) { layout.tailStart = 0; return layout; }
  const magic = buf.readUInt32BE(0);
  if (PCAP_MAGICS.has(magic) && buf.length >= 24) parsePcap(buf, layout, magic);
  else if (magic === PCAPNG_SHB && buf.length >= 28) parsePcapng(buf, layout);
  return layout;
}

function parsePcap(buf: Buffer, L: Layout, magic: number): void {
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  L.format = 'pcap';
  L.headerEnd = 24;
  L.selectorFields.push({ off: 20, width: 2, le, name: 'pcap.linktype' });
  L.lengthFields.push({ off: 16, width: 4, le, name: 'pcap.snaplen' });
  const linkType = rd(buf, 20, 4, le) & 0xffff;
  let p = 24;
  while (buf.length - p >= 16 && L.spans.length < MAX_SPANS) {
    const capLen = rd(buf, p + 8, 4, le);
    L.lengthFields.push({ off: p + 8, width: 4, le, name: 'pcap.caplen' }, { off: p + 12, width: 4, le, name: 'pcap.len' });
    if (capLen > buf.length - p - 16) break;
    L.spans.push({ start: p, end: p + 16 + capLen });
    packetFields(buf, p + 16, capLen, linkType, L);
    p += 16 + capLen;
  }
  L.tailStart = p;
}

function parsePcapng(buf: Buffer, L: Layout): void {
  L.format = 'pcapng';
  let le = true;
  let links: number[] = [];
  let p = 0;
  let first = true;
  while (buf.length - p >= 12 && L.spans.length < MAX_SPANS) {
    if (buf.readUInt32BE(p) === PCAPNG_SHB) {
      const bom = buf.readUInt32LE(p + 8);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else break;
      links = [];
    }
    const type = rd(buf, p, 4, le);
    const total = rd(buf, p + 4, 4, le);
    L.lengthFields.push({ off: p + 4, width: 4, le, name: 'pcapng.block_total_length' });
    L.selectorFields.push({ off: p, width: 4, le, name: 'pcapng.block_type' });
    if (total < 12 || total % 4 !== 0 || total > buf.length - p) break;
    L.lengthFields.push({ off: p + total - 4, width: 4, le, name: 'pcapng.block_trailer_length' });
    if (type === 1 && total >= 20) {
      links.push(rd(buf, p + 8, 2, le));
      L.selectorFields.push({ off: p + 8, width: 2, le, name: 'pcapng.idb.linktype' });
      L.lengthFields.push({ off: p + 12, width: 4, le, name: 'pcapng.idb.snaplen' });
      // Option lengths (code(2) len(2)) are length fields too.
      let o = p + 16;
      const bodyEnd = p + total - 4;
      while (bodyEnd - o >= 4) {
        const code = rd(buf, o, 2, le);
        const len = rd(buf, o + 2, 2, le);
        L.lengthFields.push({ off: o + 2, width: 2, le, name: 'pcapng.option_length' });
        if (code === 0) break;
        o += 4 + ((len + 3) & ~3);
      }
    } else if ((type === 6 || type === 2) && total >= 32) {
      const ifId = type === 6 ? rd(buf, p + 8, 4, le) : rd(buf, p + 8, 2, le);
      L.selectorFields.push({ off: p + 8, width: type === 6 ? 4 : 2, le, name: 'pcapng.epb.interface' });
      L.lengthFields.push({ off: p + 20, width: 4, le, name: 'pcapng.epb.caplen' }, { off: p + 24, width: 4, le, name: 'pcapng.epb.len' });
      const capLen = Math.min(rd(buf, p + 20, 4, le), total - 32);
      const lt = links[ifId];
      if (lt !== undefined) packetFields(buf, p + 28, capLen, lt, L);
    } else if (type === 3 && total >= 16) {
      L.lengthFields.push({ off: p + 8, width: 4, le, name: 'pcapng.spb.len' });
      const lt = links[0];
      if (lt !== undefined) packetFields(buf, p + 12, Math.min(rd(buf, p + 8, 4, le), total - 16), lt, L);
    }
    if (first) { L.headerEnd = p + total; first = false; } else L.spans.push({ start: p, end: p + total });
    p += total;
  }
  L.tailStart = Math.max(p, L.headerEnd);
}

const ETH_VLAN = new Set([0x8100, 0x88a8, 0x9100]);

/** Finds link/IP/transport length and selector fields in one packet's bytes [off, off+len). */
function packetFields(buf: Buffer, off: number, len: number, linkType: number, L: Layout): void {
  const end = off + len;
  let ip = -1;
  let etherType = -1;
  switch (linkType) {
    case 1: {
      if (len < 14) return;
      let t = off + 12;
      etherType = buf.readUInt16BE(t);
      L.selectorFields.push({ off: t, width: 2, le: false, name: 'ethernet.type' });
      let n = 0;
      while (ETH_VLAN.has(etherType) && t + 6 <= end && n++ < 4) {
        t += 4;
        etherType = buf.readUInt16BE(t);
        L.selectorFields.push({ off: t, width: 2, le: false, name: 'vlan.type' });
      }
      ip = t + 2;
      break;
    }
    case 113:
      if (len < 16) return;
      etherType = buf.readUInt16BE(off + 14);
      L.selectorFields.push({ off: off + 14, width: 2, le: false, name: 'sll.protocol' });
      ip = off + 16;
      break;
    case 276:
      if (len < 20) return;
      etherType = buf.readUInt16BE(off);
      L.selectorFields.push({ off, width: 2, le: false, name: 'sll2.protocol' });
      ip = off + 20;
      break;
    case 0: case 108:
      if (len < 5) return;
      L.selectorFields.push({ off, width: 4, le: linkType === 0 && buf.readUInt32BE(off) >= 0x10000, name: 'null.family' });
      ip = off + 4;
      etherType = buf[ip] >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case 101: case 12: case 14: case 228: case 229:
      if (len < 1) return;
      ip = off;
      etherType = buf[ip] >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    default:
      return;
  }
  ipFields(buf, ip, end, etherType, L, 0);
}

function ipFields(buf: Buffer, ip: number, end: number, etherType: number, L: Layout, depth: number): void {
  if (depth > 3) return;
  let proto = -1;
  let l4 = -1;
  if (etherType === 0x0800 && end - ip >= 20 && buf[ip] >> 4 === 4) {
    const ihl = (buf[ip] & 0x0f) * 4;
    const avail = end - ip;
    const v4 = { ipv4Hdr: ip, ipv4Avail: avail };
    L.lengthFields.push(
      { off: ip, width: 'lo', le: false, name: 'ipv4.ihl', ...v4 },
      { off: ip + 2, width: 2, le: false, name: 'ipv4.total_length', ...v4 },
    );
    L.selectorFields.push(
      { off: ip + 6, width: 2, le: false, name: 'ipv4.frag', ...v4 },
      { off: ip + 9, width: 1, le: false, name: 'ipv4.protocol', ...v4 },
    );
    proto = buf[ip + 9];
    if (ihl >= 20 && ihl <= avail) l4 = ip + ihl;
  } else if (etherType === 0x86dd && end - ip >= 40 && buf[ip] >> 4 === 6) {
    L.lengthFields.push({ off: ip + 4, width: 2, le: false, name: 'ipv6.payload_length' });
    L.selectorFields.push({ off: ip + 6, width: 1, le: false, name: 'ipv6.next_header' });
    proto = buf[ip + 6];
    l4 = ip + 40;
  } else return;
  if (l4 < 0) return;
  if (proto === 6 && end - l4 >= 20) {
    L.lengthFields.push({ off: l4 + 12, width: 'hi', le: false, name: 'tcp.data_offset' });
    L.selectorFields.push(
      { off: l4 + 4, width: 4, le: false, name: 'tcp.seq' },
      { off: l4 + 8, width: 4, le: false, name: 'tcp.ack' },
      { off: l4 + 13, width: 1, le: false, name: 'tcp.flags' },
    );
  } else if (proto === 17 && end - l4 >= 8) {
    L.lengthFields.push({ off: l4 + 4, width: 2, le: false, name: 'udp.length' });
    L.selectorFields.push(
      { off: l4, width: 2, le: false, name: 'udp.src_port' },
      { off: l4 + 2, width: 2, le: false, name: 'udp.dst_port' },
    );
  } else if (proto === 4) {
    ipFields(buf, l4, end, 0x0800, L, depth + 1);
  } else if (proto === 41) {
    ipFields(buf, l4, end, 0x86dd, L, depth + 1);
  }
}

// ---------------------------------------------------------------- value tables

const NIBBLES = [0, 1, 4, 5, 6, 15];
const LEN16 = [0, 1, 2, 7, 8, 19, 20, 39, 40, 41, 0x7fff, 0x8000, 0xfffe, 0xffff];
const LEN32 = [0, 1, 3, 4, 8, 11, 12, 15, 16, 20, 28, 32, 65535, 65536, 262144, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff,
  16 * 1024 * 1024, 16 * 1024 * 1024 + 4, 16 * 1024 * 1024 - 4];
const ETHERTYPES = [0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x9100, 0x8847, 0x8848, 0x8863, 0x8864, 0x6558, 0x88be, 0x22eb,
  0x894f, 0x8035, 0x88e5, 0x0000, 0x05dc, 0x05dd, 0xffff];
const IP_PROTOS = [0, 1, 4, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60, 97, 103, 112, 115, 132, 135, 137, 139, 140, 255];
const UDP_PORTS = [0, 53, 67, 123, 1701, 2123, 2152, 3544, 4500, 4754, 4789, 4790, 5072, 5246, 6081, 8472, 37008, 65535];
const LINK_TYPES = [0, 1, 9, 10, 12, 14, 50, 51, 101, 104, 105, 107, 108, 113, 119, 127, 143, 163, 192, 197, 204, 227, 228, 229,
  239, 249, 251, 274, 276, 281, 0xffff];
const IPV4_FRAG = [0x0000, 0x2000, 0x0001, 0x2001, 0x1fff, 0x3fff, 0x4000, 0x6000, 0x00b9, 0x20b9];
const BLOCK_TYPES = [1, 2, 3, 4, 5, 6, 7, 0x0a0d0d0a, 0x00000bad, 0x40000bad, 0x80000001, 0];
const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80];

function selectorValue(rng: Rng, f: Field, cur: number): number {
  switch (f.name) {
    case 'ethernet.type': case 'vlan.type': case 'sll.protocol': case 'sll2.protocol': return rng.pick(ETHERTYPES);
    case 'ipv4.protocol': case 'ipv6.next_header': return rng.pick(IP_PROTOS);
    case 'udp.src_port': case 'udp.dst_port': return rng.pick(UDP_PORTS);
    case 'pcap.linktype': case 'pcapng.idb.linktype': return rng.pick(LINK_TYPES);
    case 'ipv4.frag': return rng.pick(IPV4_FRAG);
    case 'pcapng.block_type': return rng.pick(BLOCK_TYPES);
    case 'pcapng.epb.interface': return rng.pick([0, 1, 2, 3, 0xffff, 0xffffffff, cur + 1]);
    case 'tcp.seq': case 'tcp.ack':
      // Overlaps, gaps, wrap-around and huge jumps for the reassembler.
      return (cur + rng.pick([-1, 1, -100, 100, 1460, -1460, 65536, 0x7fffffff, 0x80000000, 0x80000001, -0x80000000, rng.int(4096)])) >>> 0;
    case 'tcp.flags': return rng.pick([0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x01, 0x03, 0x06, 0x07, 0x3f, 0xff, 0x00, 0x18, 0x29]);
    case 'null.family': return rng.pick([0, 2, 10, 23, 24, 28, 30, 0xffff, 0x02000000]);
    default: return rng.u32();
  }
}

function lengthValue(rng: Rng, f: Field, cur: number): number {
  if (f.width === 'hi' || f.width === 'lo') return rng.chance(0.7) ? rng.pick(NIBBLES) : rng.int(16);
  const max = f.width === 1 ? 0xff : f.width === 2 ? 0xffff : 0xffffffff;
  const r = rng.int(10);
  let v: number;
  if (r < 4) v = rng.pick(f.width === 4 ? LEN32 : LEN16);
  else if (r < 7) v = cur + rng.pick([-8, -4, -2, -1, 1, 2, 4, 8, 16, 64]);
  else if (r < 8) v = cur * 2;
  else if (r < 9) v = rng.int(cur + 1);
  else v = rng.u32();
  if (v < 0) v = 0;
  return v > max ? max : v >>> 0;
}

export function writeField(buf: Buffer, f: Field, v: number): void {
  if (f.off < 0 || f.off >= buf.length) return;
  if (f.width === 'hi') { buf[f.off] = (buf[f.off] & 0x0f) | ((v & 0x0f) << 4); return; }
  if (f.width === 'lo') { buf[f.off] = (buf[f.off] & 0xf0) | (v & 0x0f); return; }
  if (f.off + f.width > buf.length) return;
  if (f.width === 1) buf[f.off] = v & 0xff;
  else if (f.width === 2) { if (f.le) buf.writeUInt16LE(v & 0xffff, f.off); else buf.writeUInt16BE(v & 0xffff, f.off); }
  else if (f.le) buf.writeUInt32LE(v >>> 0, f.off);
  else buf.writeUInt32BE(v >>> 0, f.off);
}

function readField(buf: Buffer, f: Field): number {
  if (f.off < 0 || f.off >= buf.length) return 0;
  if (f.width === 'hi') return buf[f.off] >> 4;
  if (f.width === 'lo') return buf[f.off] & 0x0f;
  if (f.off + f.width > buf.length) return 0;
  if (f.width === 1) return buf[f.off];
  return rd(buf, f.off, f.width, f.le);
}

/** Recomputes the IPv4 header checksum of the header at `hdr` (so the mutation is not just dropped). */
export function fixIpv4Checksum(buf: Buffer, hdr: number, avail: number): void {
  const hlen = Math.min((buf[hdr] & 0x0f) * 4, avail, buf.length - hdr);
  if (hlen < 20) return;
  buf.writeUInt16BE(0, hdr + 10);
  let sum = 0;
  for (let i = 0; i + 1 < hlen; i += 2) sum += buf.readUInt16BE(hdr + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  buf.writeUInt16BE(~sum & 0xffff, hdr + 10);
}

// ---------------------------------------------------------------- the case

export interface Corpus {
  /** Capture file names, sorted (the order is part of the case identity for splicing). */
  readonly names: readonly string[];
  get(name: string): Buffer;
}

export type ChunkMode = 'whole' | 'small' | 'medium';

export interface MutatedCase {
  /** "capture:seed:index" — pass to `npm run fuzz -- --replay`. */
  id: string;
  capture: string;
  seed: number;
  index: number;
  buf: Buffer;
  /** What was done, in order, e.g. ["bitflip@1234.5", "gzip"]. */
  ops: string[];
  checksums: ChecksumMode;
  chunkMode: ChunkMode;
  chunkSeed: number;
  /** Read from a file path (the engine's file reader) instead of a stream. */
  viaFile: boolean;
}

/** Most any operator may grow a file; bound it so splicing/duplicating stays small. */
const MAX_GROWTH = 4;
const MAX_BYTES = 2 * 1024 * 1024;

interface Ctx {
  rng: Rng;
  corpus: Corpus;
  capture: string;
  ops: string[];
  limit: number;
}

type Operator = (buf: Buffer, c: Ctx) => Buffer;

function concat(parts: Buffer[], limit: number): Buffer {
  const b = Buffer.concat(parts);
  return b.length > limit ? b.subarray(0, limit) : b;
}

function spansOf(buf: Buffer): { L: Layout; head: Buffer; recs: Buffer[]; tail: Buffer } {
  const L = parseLayout(buf);
  return {
    L,
    head: buf.subarray(0, L.headerEnd),
    recs: L.spans.map((s) => buf.subarray(s.start, s.end)),
    tail: buf.subarray(L.tailStart),
  };
}

const bitFlip: Operator = (buf, c) => {
  if (buf.length === 0) return buf;
  const out = Buffer.from(buf);
  const n = c.rng.chance(0.5) ? 1 : c.rng.range(2, 32);
  for (let i = 0; i < n; i++) {
    const at = c.rng.int(out.length);
    const bit = c.rng.int(8);
    out[at] ^= 1 << bit;
    if (i < 4) c.ops.push(`bitflip@${at}.${bit}`);
  }
  if (n > 4) c.ops.push(`(+${n - 4} bitflips)`);
  return out;
};

const interestingBytes: Operator = (buf, c) => {
  if (buf.length === 0) return buf;
  const out = Buffer.from(buf);
  const n = c.rng.range(1, 8);
  const at0 = c.rng.int(out.length);
  for (let i = 0; i < n; i++) {
    const at = c.rng.chance(0.5) ? Math.min(out.length - 1, at0 + i) : c.rng.int(out.length);
    out[at] = c.rng.pick(INTERESTING_BYTES);
  }
  c.ops.push(`bytes${n}@${at0}`);
  return out;
};

const truncate: Operator = (buf, c) => {
  const L = parseLayout(buf);
  let at: number;
  if (L.spans.length > 0 && c.rng.chance(0.6)) {
    // Inside a record: the classic "capture cut mid-packet".
    const s = c.rng.pick(L.spans);
    at = s.start + 1 + c.rng.int(Math.max(1, s.end - s.start - 1));
  } else {
    at = c.rng.int(buf.length + 1);
  }
  c.ops.push(`truncate@${at}`);
  return buf.subarray(0, at);
};

const lengthField: Operator = (buf, c) => {
  const L = parseLayout(buf);
  if (L.lengthFields.length === 0) return randomWord(buf, c);
  const out = Buffer.from(buf);
  const f = c.rng.pick(L.lengthFields);
  const cur = readField(out, f);
  const v = lengthValue(c.rng, f, cur);
  writeField(out, f, v);
  const fixed = f.ipv4Hdr !== undefined && c.rng.chance(0.8);
  if (fixed) fixIpv4Checksum(out, f.ipv4Hdr!, f.ipv4Avail!);
  c.ops.push(`len:${f.name}@${f.off}=${v}${fixed ? '+cksum' : ''}`);
  return out;
};

const selectorField: Operator = (buf, c) => {
  const L = parseLayout(buf);
  if (L.selectorFields.length === 0) return randomWord(buf, c);
  const out = Buffer.from(buf);
  const f = c.rng.pick(L.selectorFields);
  const v = selectorValue(c.rng, f, readField(out, f));
  writeField(out, f, v);
  const fixed = f.ipv4Hdr !== undefined && c.rng.chance(0.8);
  if (fixed) fixIpv4Checksum(out, f.ipv4Hdr!, f.ipv4Avail!);
  c.ops.push(`sel:${f.name}@${f.off}=${v}${fixed ? '+cksum' : ''}`);
  return out;
};

const randomWord: Operator = (buf, c) => {
  if (buf.length < 4) return bitFlip(buf, c);
  const out = Buffer.from(buf);
  const wide = c.rng.chance(0.5);
  const at = c.rng.int(out.length - (wide ? 3 : 1));
  const le = c.rng.chance(0.5);
  const v = wide ? c.rng.pick([0, 1, 4, 12, 0x7fffffff, 0x80000000, 0xffffffff, c.rng.int(64), c.rng.u32()])
    : c.rng.pick([0, 1, 8, 20, 40, 0x7fff, 0x8000, 0xffff, c.rng.int(64), c.rng.int(65536)]);
  if (wide) { if (le) out.writeUInt32LE(v >>> 0, at); else out.writeUInt32BE(v >>> 0, at); }
  else if (le) out.writeUInt16LE(v & 0xffff, at);
  else out.writeUInt16BE(v & 0xffff, at);
  c.ops.push(`word${wide ? 32 : 16}${le ? 'le' : 'be'}@${at}=${v}`);
  return out;
};

const splice: Operator = (buf, c) => {
  const A = spansOf(buf);
  const fmt = A.L.format;
  const sameFormat = c.corpus.names.filter((n) => n !== c.capture && n.endsWith(fmt === 'pcapng' ? '.pcapng' : '.pcap'));
  const donorName = sameFormat.length > 0 && c.rng.chance(0.8) ? c.rng.pick(sameFormat) : c.rng.pick(c.corpus.names);
  const B = spansOf(c.corpus.get(donorName));
  if (B.recs.length === 0) { c.ops.push(`splice:${donorName}(empty)`); return buf; }
  const i = c.rng.int(A.recs.length + 1);
  const j = c.rng.int(B.recs.length);
  const k = j + 1 + c.rng.int(Math.min(B.recs.length - j, 64));
  const mode = c.rng.int(3);
  let parts: Buffer[];
  if (mode === 0) parts = [A.head, ...A.recs.slice(0, i), ...B.recs.slice(j, k), ...A.recs.slice(i), A.tail]; // insert
  else if (mode === 1) parts = [A.head, ...A.recs.slice(0, i), ...B.recs.slice(j)]; // tail swap
  else {
    // interleave
    parts = [A.head];
    const n = Math.max(A.recs.length, k - j);
    for (let x = 0; x < n; x++) {
      if (x < A.recs.length) parts.push(A.recs[x]);
      if (j + x < k) parts.push(B.recs[j + x]);
    }
    parts.push(A.tail);
  }
  c.ops.push(`splice${['ins', 'tail', 'mix'][mode]}:${donorName}[${j},${k})@${i}`);
  return concat(parts, c.limit);
};

const duplicate: Operator = (buf, c) => {
  const A = spansOf(buf);
  if (A.recs.length === 0) return bitFlip(buf, c);
  const recs = A.recs.slice();
  const i = c.rng.int(recs.length);
  const times = c.rng.chance(0.8) ? c.rng.range(1, 3) : c.rng.range(4, 200);
  const at = c.rng.chance(0.5) ? i + 1 : c.rng.int(recs.length + 1);
  recs.splice(at, 0, ...new Array<Buffer>(times).fill(recs[i]));
  c.ops.push(`dup${times}:${i}@${at}`);
  return concat([A.head, ...recs, A.tail], c.limit);
};

const drop: Operator = (buf, c) => {
  const A = spansOf(buf);
  if (A.recs.length === 0) return truncate(buf, c);
  const recs = A.recs.slice();
  if (c.rng.chance(0.5)) {
    const i = c.rng.int(recs.length);
    const n = c.rng.range(1, Math.min(recs.length - i, 16));
    recs.splice(i, n);
    c.ops.push(`drop${n}@${i}`);
  } else {
    let n = 0;
    const p = c.rng.pick([0.1, 0.3, 0.5]);
    for (let i = recs.length - 1; i >= 0; i--) if (c.rng.chance(p)) { recs.splice(i, 1); n++; }
    c.ops.push(`dropRandom${n}`);
  }
  return concat([A.head, ...recs, A.tail], c.limit);
};

const swap: Operator = (buf, c) => {
  const A = spansOf(buf);
  if (A.recs.length < 2) return bitFlip(buf, c);
  const recs = A.recs.slice();
  const i = c.rng.int(recs.length), j = c.rng.int(recs.length);
  [recs[i], recs[j]] = [recs[j], recs[i]];
  c.ops.push(`swap${i},${j}`);
  return concat([A.head, ...recs, A.tail], c.limit);
};

const insertJunk: Operator = (buf, c) => {
  const n = c.rng.range(1, 64);
  const junk = Buffer.alloc(n);
  const fill = c.rng.int(3);
  for (let i = 0; i < n; i++) junk[i] = fill === 0 ? c.rng.int(256) : fill === 1 ? 0 : 0xff;
  const L = parseLayout(buf);
  const at = L.spans.length > 0 && c.rng.chance(0.5) ? c.rng.pick(L.spans).start : c.rng.int(buf.length + 1);
  c.ops.push(`junk${n}@${at}`);
  return concat([buf.subarray(0, at), junk, buf.subarray(at)], c.limit);
};

/** Packet data offset of a record span (pcap record or pcapng EPB/SPB), else the span start. */
function packetDataStart(buf: Buffer, L: Layout, s: Span): number {
  if (L.format === 'pcap') return s.start + 16;
  if (s.end - s.start < 12) return s.start;
  const le = buf.readUInt32LE(s.start + 4) === s.end - s.start;
  const type = le ? buf.readUInt32LE(s.start) : buf.readUInt32BE(s.start);
  return type === 6 || type === 2 ? s.start + 28 : type === 3 ? s.start + 12 : s.start + 8;
}

/** Bit flips and interesting bytes inside one packet's headers (the first 96 bytes), checksum fixed. */
const headerFlip: Operator = (buf, c) => {
  const L = parseLayout(buf);
  if (L.spans.length === 0) return bitFlip(buf, c);
  const s = c.rng.pick(L.spans);
  const d = packetDataStart(buf, L, s);
  const len = Math.min(96, s.end - d);
  if (len <= 0) return bitFlip(buf, c);
  const out = Buffer.from(buf);
  const n = c.rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const at = d + c.rng.int(len);
    if (c.rng.chance(0.7)) out[at] ^= 1 << c.rng.int(8);
    else out[at] = c.rng.pick(INTERESTING_BYTES);
    c.ops.push(`hdr@${at}`);
  }
  if (c.rng.chance(0.7)) {
    for (const f of parseLayout(out).lengthFields) {
      if (f.name === 'ipv4.total_length' && f.off >= s.start && f.off < s.end) fixIpv4Checksum(out, f.ipv4Hdr!, f.ipv4Avail!);
    }
    c.ops.push('+cksum');
  }
  return out;
};

const OPERATORS: ReadonlyArray<readonly [Operator, number]> = [
  [headerFlip, 14], [bitFlip, 12], [interestingBytes, 10], [truncate, 6], [lengthField, 24], [selectorField, 12], [randomWord, 8],
  [splice, 7], [duplicate, 6], [drop, 6], [swap, 3], [insertJunk, 3],
];
const TOTAL_WEIGHT = OPERATORS.reduce((s, [, w]) => s + w, 0);

function pickOperator(rng: Rng): Operator {
  let r = rng.int(TOTAL_WEIGHT);
  for (const [op, w] of OPERATORS) {
    if (r < w) return op;
    r -= w;
  }
  return OPERATORS[0][0];
}

export function caseId(capture: string, seed: number, index: number): string {
  return `${capture}:${seed}:${index}`;
}

/** Parses "capture:seed:index" (the capture name may itself contain ':'). */
export function parseCaseId(id: string): { capture: string; seed: number; index: number } {
  const m = /^(.+):(\d+):(\d+)$/.exec(id);
  if (!m) throw new Error(`bad case id "${id}": expected capture:seed:index`);
  return { capture: m[1], seed: Number(m[2]), index: Number(m[3]) };
}

/** Builds mutated case (capture, seed, index) of `corpus`. Deterministic. */
export function makeCase(corpus: Corpus, capture: string, seed: number, index: number): MutatedCase {
  const id = caseId(capture, seed, index);
  const rng = Rng.fromString(id);
  const original = corpus.get(capture);
  const c: Ctx = { rng, corpus, capture, ops: [], limit: Math.min(MAX_BYTES, Math.max(65536, original.length * MAX_GROWTH)) };
  let buf: Buffer = original;
  const n = rng.chance(0.55) ? 1 : rng.chance(0.6) ? 2 : rng.range(3, 6);
  for (let i = 0; i < n; i++) buf = pickOperator(rng)(buf, c);
  if (rng.chance(0.08)) {
    buf = gzipSync(buf, { level: 1 });
    c.ops.push('gzip');
    const r = rng.int(10);
    if (r < 3 && buf.length > 0) { const at = rng.int(buf.length); buf = buf.subarray(0, at); c.ops.push(`gz-truncate@${at}`); }
    else if (r < 5 && buf.length > 12) {
      buf = Buffer.from(buf);
      const at = 10 + rng.int(buf.length - 10);
      buf[at] ^= 1 << rng.int(8);
      c.ops.push(`gz-bitflip@${at}`);
    }
  }
  if (buf === original) buf = Buffer.from(original);
  const cs = rng.int(4);
  const checksums: ChecksumMode = cs < 2 ? 'mark' : cs < 3 ? 'strict' : 'off';
  const cm = rng.int(10);
  const chunkMode: ChunkMode = cm < 7 ? 'whole' : cm < 9 ? 'medium' : 'small';
  // Decided by a separate hash, so adding this did not change the bytes of existing case ids.
  const viaFile = Rng.fromString(id + '#file').u32() % 8 === 0;
  return { id, capture, seed, index, buf, ops: c.ops, checksums, chunkMode, chunkSeed: rng.u32(), viaFile };
}

/** The chunks a case's bytes are streamed in (exercises records split across reads). */
export function chunksOf(buf: Buffer, mode: ChunkMode, chunkSeed: number): Buffer[] {
  if (mode === 'whole' || buf.length === 0) return [buf];
  const rng = new Rng(chunkSeed);
  // 'small' chunks on a big file would be slow for no gain: bound the chunk count.
  const minSize = mode === 'small' ? Math.max(1, Math.ceil(buf.length / 4096)) : 512;
  const maxSize = mode === 'small' ? minSize + 64 : 16384;
  const out: Buffer[] = [];
  for (let p = 0; p < buf.length;) {
    const n = rng.range(minSize, maxSize);
    out.push(buf.subarray(p, p + n));
    p += n;
  }
  return out;
}

/** A readable stream delivering `chunks` (the engine's stream input path, as for stdin/uploads). */
export function streamOf(chunks: Buffer[]): Readable {
  // Object mode (the default) keeps the chunk boundaries; the reader gets Buffers either way.
  return Readable.from(chunks);
}
