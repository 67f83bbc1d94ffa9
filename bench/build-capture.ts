/**
 * Builds the benchmark capture: a large classic pcap (little-endian, microseconds, Ethernet)
 * made of many time-shifted copies of the shared sample captures, with addresses rewritten per
 * copy so that flows from different copies never merge.
 *
 *   node --import tsx bench/build-capture.ts [--size-mb 1024] [--out FILE] [--src DIR] [--force] [--verify]
 *
 * Sources: every classic little-endian microsecond pcap with link type Ethernet under the shared
 * captures folder whose frames are all either plain IPv4/IPv6 (optionally behind 802.1Q tags, no
 * IP-in-IP, GRE or UDP tunnels, no MPLS/PPPoE/QinQ) or non-IP frames (ARP, STP, ...; copied
 * verbatim). Files with any frame whose IPv4 header or TCP/UDP/ICMP/ICMPv6 checksum is bad (often
 * offloaded checksums of the capturing host) or whose IP packet is truncated are EXCLUDED, so every
 * packet of the output validates and takes the engine's full path (no bad-checksum drops); so are
 * the deliberately malformed `bad-*` captures.
 *
 * Address rewriting (copy k = 0, 1, 2, ...): each non-special address A is mapped on its own,
 * f_k(A): one 16-bit word gets +k and another word of the SAME address gets -k, in ones'-complement
 * arithmetic (mod 0xffff with end-around carry). The ones'-complement sum of every address is thus
 * unchanged, so the IPv4 header checksum and every TCP/UDP/ICMPv6 pseudo-header checksum stay valid
 * whatever the address's role. (Adding k to the source and subtracting k from the destination, as
 * first planned, keeps checksums too but maps A to A+k in one direction and A-k in the other, which
 * splits every bidirectional flow in two.) IPv4: word 0 (first two octets) +k, word 1 -k. IPv6:
 * word 6 +k, word 7 -k (interface id; the prefix, e.g. fe80::/64, is kept). Multicast, broadcast,
 * unspecified and loopback addresses are left as they are. Copy 0 is the originals unchanged.
 *
 * Timestamps: within a source file packets keep their order; a backwards step becomes 0 and a gap
 * longer than GAP_CAP_S (> every Zeek inactivity timeout, so connection splitting is preserved) is
 * shortened to GAP_CAP_S. Files follow each other (sorted by name) FILE_GAP_S apart; that is one
 * "template"; copy k is the template shifted by k * (template duration + COPY_GAP_S), starting at
 * BASE_TS. The output is therefore in non-decreasing time order.
 *
 * Whole copies are written until the target size is reached (the last copy may overshoot by one
 * template, ~1 MB). Output is streamed through a fixed buffer (constant memory) to FILE.partial and
 * renamed at the end; FILE.json records the parameters, and a later run with the same parameters
 * and sources reuses the file.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GENERATOR = 'capdex-bench-capture/1';
const BASE_TS = 1_600_000_000; // 2020-09-13, whole seconds
const GAP_CAP_S = 600;
const FILE_GAP_S = 1;
const COPY_GAP_S = 1;
const OUT_CHUNK = 8 << 20;

/** UDP ports of tunnels (VXLAN, Geneve, GTP-U, Teredo, TZSP, L2TP, Linux VXLAN, AYIYA, LISP). */
const TUNNEL_UDP_PORTS = new Set([4789, 6081, 2152, 3544, 37008, 1701, 8472, 5072, 4341]);
/** IP protocols that carry IP/Ethernet (IPIP, IPv6, GRE, EtherIP, L2TPv3, UDP-lite is fine). */
const TUNNEL_IP_PROTOS = new Set([4, 41, 47, 97, 115]);
/** EtherTypes that carry IP we would not rewrite: MPLS, PPPoE, QinQ, 802.1ah, ERSPAN, NSH. */
const ENCAP_ETHERTYPES = new Set([0x8847, 0x8848, 0x8863, 0x8864, 0x88a8, 0x9100, 0x9200, 0x88e7, 0x88be, 0x894f]);

export interface BuildOptions {
  sizeMb: number;
  out?: string;
  srcDir?: string;
  /** Only these source files (names in srcDir); default every usable one. */
  only?: readonly string[];
  force?: boolean;
  log?: (msg: string) => void;
}

export interface SourceInfo { name: string; bytes: number; sha256: string; packets: number }

export interface BuildInfo {
  generator: string;
  path: string;
  sizeMb: number;
  srcDir: string;
  sources: SourceInfo[];
  excluded: { name: string; reason: string }[];
  parameters: { baseTs: number; gapCapS: number; fileGapS: number; copyGapS: number };
  templatePackets: number;
  templateBytes: number;
  templateDurationUs: number;
  copies: number;
  packets: number;
  bytes: number;
  firstTs: number;
  lastTs: number;
  buildSeconds?: number;
  reused?: boolean;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..');
export const DEFAULT_SRC = '/work/shared/pcaps';

export function defaultOutPath(sizeMb: number): string {
  const name = sizeMb % 1024 === 0 ? `bench-${sizeMb / 1024}g.pcap` : `bench-${sizeMb}m.pcap`;
  return join(REPO_ROOT, '.bench', name);
}

// ---------------------------------------------------------------- checksums

/** Ones'-complement sum (unfolded) of buf[start, end), 16-bit big-endian words. */
function sum16(buf: Buffer, start: number, end: number, acc = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (i < end) acc += buf[i] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

/** Ones'-complement add of k (may be negative) to a 16-bit word, mod 0xffff. */
function onesAdd(w: number, k: number): number {
  let r = (w + k) % 0xffff;
  if (r < 0) r += 0xffff;
  return r === 0 && w + k !== 0 ? 0xffff : r;
}

// ---------------------------------------------------------------- source parsing

interface Frame {
  /** Record bytes including the 16-byte record header. */
  rec: Buffer;
  tsUs: number;
  /** Offsets of the source / destination address inside rec, or -1 (non-IP frame). */
  srcOff: number;
  dstOff: number;
  v6: boolean;
  srcSpecial: boolean;
  dstSpecial: boolean;
}

interface Parsed { frames: Frame[]; snaplen: number; reject?: string }

function isSpecial4(b: Buffer, o: number): boolean {
  const a = b[o];
  return a === 0 || a === 127 || a >= 224;
}

function isSpecial6(b: Buffer, o: number): boolean {
  if (b[o] === 0xff) return true; // multicast
  for (let i = 0; i < 15; i++) if (b[o + i] !== 0) return false;
  return b[o + 15] <= 1; // :: and ::1
}

/** Parses one source file; returns its frames, or the reason it cannot be used. */
function parseSource(buf: Buffer): Parsed {
  if (buf.length < 24) return { frames: [], snaplen: 0, reject: 'shorter than a pcap header' };
  const magic = buf.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4) return { frames: [], snaplen: 0, reject: magic === 0xa1b23c4d ? 'nanosecond pcap' : buf.readUInt32BE(0) === 0xa1b2c3d4 ? 'big-endian pcap' : 'not a little-endian classic pcap' };
  const snaplen = buf.readUInt32LE(16);
  const linkType = buf.readUInt32LE(20) & 0xffff;
  if (linkType !== 1) return { frames: [], snaplen, reject: `link type ${linkType}, not Ethernet` };
  const frames: Frame[] = [];
  let p = 24;
  let n = 0;
  while (p < buf.length) {
    n++;
    if (buf.length - p < 16) return { frames, snaplen, reject: `frame ${n}: truncated record header` };
    const capLen = buf.readUInt32LE(p + 8);
    const wireLen = buf.readUInt32LE(p + 12);
    if (p + 16 + capLen > buf.length) return { frames, snaplen, reject: `frame ${n}: record cut short` };
    const usec = buf.readUInt32LE(p + 4);
    if (usec >= 1_000_000) return { frames, snaplen, reject: `frame ${n}: microseconds field ${usec} >= 1e6` };
    const rec = buf.subarray(p, p + 16 + capLen);
    const tsUs = buf.readUInt32LE(p) * 1e6 + usec;
    const why = classify(rec, capLen, wireLen);
    if (typeof why === 'string') return { frames, snaplen, reject: `frame ${n}: ${why}` };
    frames.push({ rec, tsUs, ...why });
    p += 16 + capLen;
  }
  if (frames.length === 0) return { frames, snaplen, reject: 'no packets' };
  return { frames, snaplen };
}

type Addrs = Omit<Frame, 'rec' | 'tsUs'>;
const NON_IP: Addrs = { srcOff: -1, dstOff: -1, v6: false, srcSpecial: true, dstSpecial: true };

/** Frame layout and checksum check; a string says why the file must be excluded. */
function classify(rec: Buffer, capLen: number, wireLen: number): Addrs | string {
  const end = 16 + capLen;
  let o = 16 + 12;
  if (end < o + 2) return 'shorter than an Ethernet header';
  let et = rec.readUInt16BE(o);
  o += 2;
  while (et === 0x8100) {
    if (end < o + 4) return 'truncated 802.1Q tag';
    et = rec.readUInt16BE(o + 2);
    o += 4;
  }
  if (ENCAP_ETHERTYPES.has(et)) return `EtherType 0x${et.toString(16)} (encapsulated IP)`;
  if (et !== 0x0800 && et !== 0x86dd) return NON_IP;
  if (capLen < wireLen) return 'IP frame truncated by the snap length (checksums unverifiable)';
  return et === 0x0800 ? classify4(rec, o, end) : classify6(rec, o, end);
}

function classify4(b: Buffer, ip: number, end: number): Addrs | string {
  if (end - ip < 20) return 'truncated IPv4 header';
  if (b[ip] >> 4 !== 4) return `IP version ${b[ip] >> 4} under EtherType IPv4`;
  const hl = (b[ip] & 15) * 4;
  const total = b.readUInt16BE(ip + 2);
  if (hl < 20 || total < hl || ip + total > end) return 'IPv4 lengths inconsistent or packet truncated';
  if (fold(sum16(b, ip, ip + hl)) !== 0xffff) return 'bad IPv4 header checksum';
  const proto = b[ip + 9];
  if (TUNNEL_IP_PROTOS.has(proto)) return `IP protocol ${proto} (tunnel)`;
  const fragField = b.readUInt16BE(ip + 6);
  const fragOff = fragField & 0x1fff;
  const more = (fragField & 0x2000) !== 0;
  const l4 = ip + hl;
  const l4end = ip + total;
  if (fragOff === 0 && proto === 17 && l4end - l4 >= 8) {
    const sp = b.readUInt16BE(l4), dp = b.readUInt16BE(l4 + 2);
    if (TUNNEL_UDP_PORTS.has(sp) || TUNNEL_UDP_PORTS.has(dp)) return `UDP port ${TUNNEL_UDP_PORTS.has(dp) ? dp : sp} (tunnel)`;
  }
  if (fragOff === 0 && !more) {
    const pseudo = sum16(b, ip + 12, ip + 20) + proto + (l4end - l4);
    if (proto === 6 && fold(sum16(b, l4, l4end, pseudo)) !== 0xffff) return 'bad TCP checksum';
    if (proto === 17) {
      const bad = udpBad(b, l4, l4end, sum16(b, ip + 12, ip + 20) + proto);
      if (bad) return bad;
    }
    if (proto === 1 && fold(sum16(b, l4, l4end)) !== 0xffff) return 'bad ICMP checksum';
  }
  return { srcOff: ip + 12, dstOff: ip + 16, v6: false, srcSpecial: isSpecial4(b, ip + 12), dstSpecial: isSpecial4(b, ip + 16) };
}

/** UDP: the checksum covers the UDP length's bytes; 0 means none (IPv4). */
function udpBad(b: Buffer, l4: number, l4end: number, pseudoNoLen: number): string | undefined {
  if (l4end - l4 < 8) return 'truncated UDP header';
  const ulen = b.readUInt16BE(l4 + 4);
  if (ulen < 8 || l4 + ulen > l4end) return 'UDP length inconsistent with the IP length';
  if (b.readUInt16BE(l4 + 6) === 0) return undefined;
  return fold(sum16(b, l4, l4 + ulen, pseudoNoLen + ulen)) === 0xffff ? undefined : 'bad UDP checksum';
}

function classify6(b: Buffer, ip: number, end: number): Addrs | string {
  if (end - ip < 40) return 'truncated IPv6 header';
  if (b[ip] >> 4 !== 6) return `IP version ${b[ip] >> 4} under EtherType IPv6`;
  const plen = b.readUInt16BE(ip + 4);
  if (ip + 40 + plen > end) return 'IPv6 packet truncated';
  let nh = b[ip + 6];
  let o = ip + 40;
  const l4end = ip + 40 + plen;
  let fragmented = false;
  let routed = false;
  // Walk extension headers to the upper layer.
  for (;;) {
    if (nh === 0 || nh === 43 || nh === 60) {
      if (l4end - o < 8) return 'truncated IPv6 extension header';
      if (nh === 43) routed = true;
      const len = (b[o + 1] + 1) * 8;
      nh = b[o];
      o += len;
    } else if (nh === 44) {
      if (l4end - o < 8) return 'truncated IPv6 fragment header';
      fragmented = true;
      nh = b[o];
      o += 8;
      break;
    } else break;
  }
  if (o > l4end) return 'IPv6 extension headers overrun the packet';
  if (TUNNEL_IP_PROTOS.has(nh)) return `IPv6 next header ${nh} (tunnel)`;
  if (nh === 17 && l4end - o >= 8) {
    const sp = b.readUInt16BE(o), dp = b.readUInt16BE(o + 2);
    if (!fragmented && (TUNNEL_UDP_PORTS.has(sp) || TUNNEL_UDP_PORTS.has(dp))) return `UDP port ${TUNNEL_UDP_PORTS.has(dp) ? dp : sp} (tunnel)`;
  }
  if (!fragmented && !routed && (nh === 6 || nh === 17 || nh === 58)) {
    if (nh === 17) {
      const bad = udpBad(b, o, l4end, sum16(b, ip + 8, ip + 40) + nh);
      if (bad) return bad;
    } else {
      const pseudo = sum16(b, ip + 8, ip + 40) + nh + (l4end - o);
      if (fold(sum16(b, o, l4end, pseudo)) !== 0xffff) return `bad ${nh === 6 ? 'TCP' : 'ICMPv6'} checksum`;
    }
  }
  return { srcOff: ip + 8, dstOff: ip + 24, v6: true, srcSpecial: isSpecial6(b, ip + 8), dstSpecial: isSpecial6(b, ip + 24) };
}

// ---------------------------------------------------------------- template

interface Template {
  frames: Frame[];
  /** Template-relative timestamp of each frame, µs. */
  relUs: Float64Array;
  durationUs: number;
  bytes: number;
  snaplen: number;
  sources: SourceInfo[];
  excluded: { name: string; reason: string }[];
}

function loadTemplate(srcDir: string, only?: readonly string[]): Template {
  const names = readdirSync(srcDir).filter((n) => /\.(pcap|cap|dmp)$/i.test(n) && (only === undefined || only.includes(n))).sort();
  const frames: Frame[] = [];
  const rel: number[] = [];
  const sources: SourceInfo[] = [];
  const excluded: { name: string; reason: string }[] = [];
  let cursor = 0;
  let snaplen = 0;
  let bytes = 0;
  for (const name of names) {
    const buf = readFileSync(join(srcDir, name));
    // bad-*: the deliberately malformed robustness captures (garbage fragments, fuzzed DNS...)
    // are not traffic worth benchmarking, even where they parse.
    const parsed: Parsed = name.startsWith('bad-') ? { frames: [], snaplen: 0, reject: 'deliberately malformed capture (bad-*)' } : parseSource(buf);
    if (parsed.reject) { excluded.push({ name, reason: parsed.reject }); continue; }
    if (sources.length > 0) cursor += FILE_GAP_S * 1e6;
    let prev = parsed.frames[0].tsUs;
    for (const f of parsed.frames) {
      const gap = Math.min(Math.max(f.tsUs - prev, 0), GAP_CAP_S * 1e6);
      prev = f.tsUs;
      cursor += gap;
      frames.push(f);
      rel.push(cursor);
      bytes += f.rec.length;
    }
    snaplen = Math.max(snaplen, parsed.snaplen);
    sources.push({ name, bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex'), packets: parsed.frames.length });
  }
  if (frames.length === 0) throw new Error(`no usable source capture in ${srcDir}`);
  return { frames, relUs: Float64Array.from(rel), durationUs: cursor, bytes, snaplen: snaplen || 262144, sources, excluded };
}

// ---------------------------------------------------------------- writing

function rewrite4(b: Buffer, o: number, k: number): void {
  b.writeUInt16BE(onesAdd(b.readUInt16BE(o), k), o);
  b.writeUInt16BE(onesAdd(b.readUInt16BE(o + 2), -k), o + 2);
}

function rewrite6(b: Buffer, o: number, k: number): void {
  b.writeUInt16BE(onesAdd(b.readUInt16BE(o + 12), k), o + 12);
  b.writeUInt16BE(onesAdd(b.readUInt16BE(o + 14), -k), o + 14);
}

function paramsKey(sizeMb: number, t: Template): string {
  return JSON.stringify({ generator: GENERATOR, sizeMb, sources: t.sources.map((s) => [s.name, s.bytes, s.sha256]), baseTs: BASE_TS, gapCapS: GAP_CAP_S, fileGapS: FILE_GAP_S, copyGapS: COPY_GAP_S });
}

/** Builds (or reuses) the benchmark capture and describes it. */
export function buildBenchCapture(opts: BuildOptions): BuildInfo {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const sizeMb = opts.sizeMb;
  if (!(sizeMb > 0)) throw new Error(`--size-mb must be positive (got ${sizeMb})`);
  const out = resolve(opts.out ?? defaultOutPath(sizeMb));
  const srcDir = resolve(opts.srcDir ?? DEFAULT_SRC);
  const t = loadTemplate(srcDir, opts.only);
  const metaPath = out + '.json';
  const key = paramsKey(sizeMb, t);
  if (!opts.force && existsSync(out) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as BuildInfo & { key: string };
      if (meta.key === key && statSync(out).size === meta.bytes) {
        log(`bench capture: reusing ${out} (${meta.copies} copies, ${meta.packets} packets, ${meta.bytes} bytes)`);
        const { key: _k, ...info } = meta;
        return { ...info, reused: true };
      }
    } catch { /* rebuild */ }
  }

  const started = process.hrtime.bigint();
  const target = sizeMb * 1024 * 1024;
  const copies = Math.max(1, Math.ceil((target - 24) / t.bytes));
  const periodUs = t.durationUs + COPY_GAP_S * 1e6;
  const lastTs = BASE_TS + ((copies - 1) * periodUs + t.durationUs) / 1e6;
  if (lastTs >= 2 ** 32) throw new Error(`${copies} copies of a ${t.durationUs / 1e6}s template overflow pcap's 32-bit seconds`);
  if (copies > 0xfffe) throw new Error(`${copies} copies exceed the 16-bit address rewriting space`);
  log(`bench capture: ${t.sources.length} source files (${t.frames.length} packets, ${t.bytes} bytes, ${(t.durationUs / 1e6).toFixed(0)} s per copy), ${t.excluded.length} excluded; writing ${copies} copies to ${out}`);

  mkdirSync(dirname(out), { recursive: true });
  const partial = out + '.partial';
  const fd = openSync(partial, 'w');
  const ob = Buffer.allocUnsafe(OUT_CHUNK);
  let op = 0;
  let written = 0;
  const flush = () => { if (op > 0) { writeSync(fd, ob, 0, op); written += op; op = 0; } };
  try {
    ob.writeUInt32LE(0xa1b2c3d4, 0);
    ob.writeUInt16LE(2, 4);
    ob.writeUInt16LE(4, 6);
    ob.writeInt32LE(0, 8);
    ob.writeUInt32LE(0, 12);
    ob.writeUInt32LE(t.snaplen, 16);
    ob.writeUInt32LE(1, 20);
    op = 24;
    const { frames, relUs } = t;
    let lastProgress = 0;
    for (let k = 0; k < copies; k++) {
      const shiftUs = BASE_TS * 1e6 + k * periodUs;
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i];
        const len = f.rec.length;
        if (op + len > OUT_CHUNK) flush();
        f.rec.copy(ob, op);
        const ts = shiftUs + relUs[i];
        const sec = Math.floor(ts / 1e6);
        ob.writeUInt32LE(sec, op);
        ob.writeUInt32LE(ts - sec * 1e6, op + 4);
        if (k !== 0 && f.srcOff >= 0) {
          if (f.v6) {
            if (!f.srcSpecial) rewrite6(ob, op + f.srcOff, k);
            if (!f.dstSpecial) rewrite6(ob, op + f.dstOff, k);
          } else {
            if (!f.srcSpecial) rewrite4(ob, op + f.srcOff, k);
            if (!f.dstSpecial) rewrite4(ob, op + f.dstOff, k);
          }
        }
        op += len;
      }
      if (process.stderr.isTTY && written - lastProgress > 64 << 20) {
        lastProgress = written;
        process.stderr.write(`\r  ${(written / 1048576).toFixed(0)} / ${(target / 1048576).toFixed(0)} MB`);
      }
    }
    flush();
    if (process.stderr.isTTY && lastProgress > 0) process.stderr.write('\n');
  } finally {
    closeSync(fd);
  }
  renameSync(partial, out);
  const info: BuildInfo = {
    generator: GENERATOR, path: out, sizeMb, srcDir, sources: t.sources, excluded: t.excluded,
    parameters: { baseTs: BASE_TS, gapCapS: GAP_CAP_S, fileGapS: FILE_GAP_S, copyGapS: COPY_GAP_S },
    templatePackets: t.frames.length, templateBytes: t.bytes, templateDurationUs: t.durationUs,
    copies, packets: copies * t.frames.length, bytes: written,
    firstTs: BASE_TS + t.relUs[0] / 1e6, lastTs,
    buildSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  writeFileSync(metaPath, JSON.stringify({ ...info, key }, null, 2) + '\n');
  log(`bench capture: wrote ${written} bytes, ${info.packets} packets in ${info.buildSeconds!.toFixed(1)} s`);
  return { ...info, reused: false };
}

// ---------------------------------------------------------------- verification (tshark)

function tsharkCount(file: string, filter: string, extra: string[] = []): number {
  const out = execFileSync('tshark', ['-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', ...extra, '-r', file, '-Y', filter],
    { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

function tsharkConvs(file: string): number {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', 'conv,tcp', '-z', 'conv,udp'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  return out.split('\n').filter((l) => /<->/.test(l)).length;
}

const BAD = 'tcp.checksum.status==0 || udp.checksum.status==0 || ip.checksum.status==0 || icmp.checksum.status==0 || icmpv6.checksum.status==0';
const UNVERIFIED = 'tcp.checksum.status==2 || udp.checksum.status==2 || ip.checksum.status==2';

/**
 * Checks a built capture with tshark: checksum status counts must be `copies` times those of the
 * sources (bad: 0; Wireshark's status values are 0 bad, 1 good, 2 unverified), and conversations
 * must be `copies` times those of a one-copy build (copies never merge, directions never split).
 */
export function verifyCapture(info: BuildInfo, log: (m: string) => void): boolean {
  let ok = true;
  let srcBad = 0, srcUnverified = 0;
  for (const s of info.sources) {
    const f = join(info.srcDir, s.name);
    srcBad += tsharkCount(f, BAD);
    srcUnverified += tsharkCount(f, UNVERIFIED);
  }
  const bad = tsharkCount(info.path, BAD);
  const unverified = tsharkCount(info.path, UNVERIFIED);
  const check = (what: string, got: number, want: number) => {
    const pass = got === want;
    ok &&= pass;
    log(`verify: ${what}: ${got} (expected ${want}) ${pass ? 'OK' : 'MISMATCH'}`);
  };
  check('packets with a bad checksum (status==0)', bad, srcBad * info.copies);
  check('packets with an unverified checksum (status==2, the brief\'s filter)', unverified, srcUnverified * info.copies);
  const one = buildBenchCapture({ sizeMb: 0.001, out: join(dirname(info.path), 'verify-one-copy.pcap'), srcDir: info.srcDir, log: () => {} });
  check(`tshark conv,tcp + conv,udp conversations over ${info.copies} copies`, tsharkConvs(info.path), tsharkConvs(one.path) * info.copies);
  return ok;
}

// ---------------------------------------------------------------- CLI

function main(argv: string[]): void {
  let sizeMb = 1024;
  let out: string | undefined;
  let srcDir: string | undefined;
  let force = false;
  let verify = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--size-mb') sizeMb = Number(argv[++i]);
    else if (a === '--out') out = argv[++i];
    else if (a === '--src') srcDir = argv[++i];
    else if (a === '--force') force = true;
    else if (a === '--verify') verify = true;
    else throw new Error(`unknown argument ${a} (use --size-mb N, --out FILE, --src DIR, --force, --verify)`);
  }
  const info = buildBenchCapture({ sizeMb, out, srcDir, force });
  if (info.excluded.length) {
    process.stderr.write('excluded sources:\n' + info.excluded.map((e) => `  ${e.name}: ${e.reason}`).join('\n') + '\n');
  }
  if (verify && !verifyCapture(info, (m) => process.stderr.write(m + '\n'))) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
