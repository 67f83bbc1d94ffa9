/**
 * tshark as an independent oracle. One tshark run per capture extracts every field the oracle
 * tests need (timestamps, the protocol stack, addresses, ports, IP lengths); results are cached
 * on disk keyed by the capture's content, the tshark version and the field list, so the packet
 * and conversation tests (separate processes under `node --test`) run tshark once per capture.
 * Set CAPDEX_TSHARK_NO_CACHE=1 to bypass the cache.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fields, in output order. Repeated layers (tunnels) give several values joined by '|'. */
export const FIELDS = [
  'frame.number', 'frame.time_epoch', 'frame.protocols', 'frame.cap_len', 'frame.len',
  'ip.src', 'ip.dst', 'ip.len', 'ip.hdr_len', 'ip.reassembled.length', 'ip.flags.mf', 'ip.frag_offset',
  'ipv6.src', 'ipv6.dst', 'ipv6.plen', 'ipv6.reassembled.length', 'ipv6.fraghdr.more', 'ipv6.fraghdr.offset',
  'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'udp.length', 'sctp.srcport', 'sctp.dstport',
  'icmp.type', 'icmpv6.type', '_ws.malformed',
  // Expert infos: an IPv4 total length / IPv6 payload length beyond the frame's wire length.
  'ip.bogus_ip_length', 'ipv6.plen_exceeds_framing',
  // Community ID v1 of the frame's innermost flow (post-dissector, enabled below).
  'communityid',
] as const;

export interface TsharkIp {
  v: 4 | 6;
  src: string;
  dst: string;
  /** What Zeek counts as this packet's IP bytes: IPv4 total length, IPv6 40 + payload length
   *  (for a reassembled datagram, the whole datagram). */
  ipBytes: number;
  /** This IP layer completed a fragmented datagram. */
  reassembled: boolean;
  /** This IP layer is a fragment that tshark did not reassemble (it then dissects the payload of
   *  a first fragment as if it were whole; Zeek and we never pass on an incomplete datagram). */
  loneFragment: boolean;
}

/** One TCP or UDP conversation hop seen in a frame: the transport layer and the IP layer under it. */
export interface TsharkHop {
  /** For ICMP (v4 or v6) the ports are 0: only the address pair is compared. */
  proto: 'tcp' | 'udp' | 'sctp' | 'icmp';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  ipBytes: number;
  reassembled: boolean;
  /** Carried by a fragment tshark could not reassemble (see TsharkIp.loneFragment). */
  loneFragment: boolean;
  /** UDP: the length field of the UDP header (header included); else undefined. */
  udpLength?: number;
  /** How many IP layers enclose this hop (0 = outermost). */
  depth: number;
}

export interface TsharkFrame {
  number: number;
  /** Whole seconds and nanoseconds, as printed by tshark (fraction may exceed 1e9: see normalise). */
  sec: bigint;
  nsec: bigint;
  protocols: string[];
  capLen: number;
  wireLen: number;
  hops: TsharkHop[];
  /** The frame's fields could not be paired with its layers (a layer without its fields). */
  unpaired: boolean;
  icmp: boolean;
  malformed: boolean;
  /** An IP header in this frame claims more bytes than the frame had on the wire (Zeek drops
   *  such a packet with truncated_IP_len before looking inside). */
  ipLenExceedsFrame: boolean;
  /** tshark's Community ID for the frame's innermost flow, if it computed one. */
  communityId: string;
  /** Depth of the innermost IP layer the walk reached (-1: none); the Community ID belongs to
   *  the last hop only when that hop sits on this layer. */
  innermostIpDepth: number;
}

export interface TsharkResult {
  file: string;
  exitCode: number;
  stderr: string;
  frames: TsharkFrame[];
}

let versionCache: string | undefined;
export function tsharkVersion(): string {
  versionCache ??= execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  return versionCache;
}

export function tsharkAvailable(): boolean {
  try {
    tsharkVersion();
    return true;
  } catch {
    return false;
  }
}

function tsharkArgs(path: string): string[] {
  const args = ['-n', '-r', path, '--enable-protocol', 'communityid', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|', '-E', 'quote=n'];
  for (const f of FIELDS) args.push('-e', f);
  return args;
}

const CACHE_DIR = join(tmpdir(), 'capdex-tshark-oracle');

interface RawRun { exitCode: number; stdout: string; stderr: string }

function runRaw(path: string): Promise<RawRun> {
  return new Promise((resolve) => {
    execFile('tshark', tsharkArgs(path), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ exitCode: code, stdout, stderr: stderr.split('\n').filter((l) => l && !l.startsWith('Running as user')).join('\n') });
    });
  });
}

async function runCached(path: string): Promise<RawRun> {
  const key = createHash('sha256').update(tsharkVersion()).update('\0').update(tsharkArgs('F').join(' ')).update('\0').update(readFileSync(path)).digest('hex');
  const file = join(CACHE_DIR, key + '.json');
  if (!process.env.CAPDEX_TSHARK_NO_CACHE) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as RawRun;
    } catch { /* not cached yet */ }
  }
  const raw = await runRaw(path);
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(raw));
  renameSync(tmp, file);
  return raw;
}

function list(s: string | undefined): string[] {
  return s ? s.split('|') : [];
}

/** Parses "sec.fraction" keeping every digit (tshark prints nanoseconds; a broken capture may
 *  give a fraction of 1e9 or more, printed with more than nine digits). */
export function parseEpoch(s: string): { sec: bigint; nsec: bigint } {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const frac = f.length <= 9 ? BigInt(f.padEnd(9, '0')) : BigInt(f);
  return { sec: neg ? -BigInt(i) : BigInt(i), nsec: neg ? -frac : frac };
}

function parseFrame(line: string): TsharkFrame {
  const c = line.split('\t');
  const get = (name: (typeof FIELDS)[number]) => c[FIELDS.indexOf(name)];
  const { sec, nsec } = parseEpoch(get('frame.time_epoch'));
  const protocols = get('frame.protocols').split(':');
  const ip4 = {
    src: list(get('ip.src')), dst: list(get('ip.dst')), len: list(get('ip.len')), hdr: list(get('ip.hdr_len')), reasm: list(get('ip.reassembled.length')),
    mf: list(get('ip.flags.mf')), fo: list(get('ip.frag_offset')),
  };
  const ip6 = {
    src: list(get('ipv6.src')), dst: list(get('ipv6.dst')), plen: list(get('ipv6.plen')), reasm: list(get('ipv6.reassembled.length')),
    mf: list(get('ipv6.fraghdr.more')), fo: list(get('ipv6.fraghdr.offset')),
  };
  const tcp = { sp: list(get('tcp.srcport')), dp: list(get('tcp.dstport')) };
  const udp = { sp: list(get('udp.srcport')), dp: list(get('udp.dstport')), len: list(get('udp.length')) };
  const sctp = { sp: list(get('sctp.srcport')), dp: list(get('sctp.dstport')) };
  // tshark's IPv4 dissector hands a version-6 header to the IPv6 one ("ip:ipv6", e.g. on
  // LINKTYPE_IPV4 carrying IPv6): that "ip" layer has no fields of its own and is no layer.
  let layers = protocols;
  if (ip4.src.length < protocols.filter((p) => p === 'ip').length) {
    layers = protocols.filter((p, i) => !(p === 'ip' && protocols[i + 1] === 'ipv6'));
  }
  const n4 = layers.filter((p) => p === 'ip').length;
  const n6 = layers.filter((p) => p === 'ipv6').length;
  const nt = layers.filter((p) => p === 'tcp').length;
  const nu = layers.filter((p) => p === 'udp').length;
  const ns = layers.filter((p) => p === 'sctp').length;
  // Every layer must have brought its fields, or the pairing below would be guesswork.
  let unpaired = ip4.src.length !== n4 || ip4.dst.length !== n4 || ip4.len.length !== n4 || ip4.hdr.length !== n4
    || ip6.src.length !== n6 || ip6.dst.length !== n6 || ip6.plen.length !== n6
    || tcp.sp.length !== nt || tcp.dp.length !== nt || udp.sp.length !== nu || udp.dp.length !== nu
    || sctp.sp.length !== ns || sctp.dp.length !== ns;
  const hops: TsharkHop[] = [];
  let depth = -1;
  if (!unpaired) {
    let i4 = 0, i6 = 0, it = 0, iu = 0, is = 0, ifh = 0;
    let cur: TsharkIp | undefined;
    for (let pi = 0; pi < layers.length; pi++) {
      const p = layers[pi];
      if (p === 'ip') {
        const k = i4++;
        // A reassembled length belongs to the layer that completed the datagram; with several IP
        // layers and one reassembly, that is the innermost one carrying a transport header.
        const r = ip4.reasm.length === n4 ? ip4.reasm[k] : ip4.reasm.length === 1 && k === n4 - 1 ? ip4.reasm[0] : undefined;
        const reassembled = r !== undefined && r !== '';
        const fragment = ip4.mf[k] === '1' || ip4.mf[k] === 'True' || (ip4.fo[k] !== undefined && ip4.fo[k] !== '0' && ip4.fo[k] !== '');
        cur = { v: 4, src: ip4.src[k], dst: ip4.dst[k], ipBytes: reassembled ? Number(ip4.hdr[k]) + Number(r) : Number(ip4.len[k]), reassembled, loneFragment: fragment && !reassembled };
        depth++;
      } else if (p === 'ipv6') {
        const k = i6++;
        const r = ip6.reasm.length === n6 ? ip6.reasm[k] : ip6.reasm.length === 1 && k === n6 - 1 ? ip6.reasm[0] : undefined;
        const reassembled = r !== undefined && r !== '';
        let fragment = false;
        // Does this layer's extension-header chain ("ipv6.hopopts", "ipv6.fraghdr"...) hold a
        // Fragment header?
        const rest = layers.slice(pi + 1);
        const chainEnd = rest.findIndex((x) => !x.startsWith('ipv6.'));
        const j = rest.indexOf('ipv6.fraghdr');
        if (j >= 0 && (chainEnd < 0 || j < chainEnd)) {
          const f = ifh++;
          fragment = ip6.mf[f] === '1' || ip6.mf[f] === 'True' || (ip6.fo[f] !== undefined && ip6.fo[f] !== '0' && ip6.fo[f] !== '');
        }
        cur = { v: 6, src: ip6.src[k], dst: ip6.dst[k], ipBytes: 40 + Number(reassembled ? r : ip6.plen[k]), reassembled, loneFragment: fragment && !reassembled };
        depth++;
      } else if (p === 'tcp' || p === 'udp' || p === 'sctp') {
        const k = p === 'tcp' ? it++ : p === 'udp' ? iu++ : is++;
        const ports = p === 'tcp' ? tcp : p === 'udp' ? udp : sctp;
        const udpLength = p === 'udp' && udp.len.length === nu ? Number(udp.len[k]) : undefined;
        if (cur) hops.push({ proto: p, src: cur.src, sport: Number(ports.sp[k]), dst: cur.dst, dport: Number(ports.dp[k]), ipBytes: cur.ipBytes, reassembled: cur.reassembled, loneFragment: cur.loneFragment, udpLength, depth });
      } else if (p === 'icmp' || p === 'icmpv6') {
        if (cur) hops.push({ proto: 'icmp', src: cur.src, sport: 0, dst: cur.dst, dport: 0, ipBytes: cur.ipBytes, reassembled: cur.reassembled, loneFragment: cur.loneFragment, depth });
        // What follows is the header quoted by an ICMP error, not traffic.
        break;
      }
    }
  }
  if (unpaired) hops.length = 0;
  return {
    number: Number(get('frame.number')),
    sec, nsec, protocols,
    capLen: Number(get('frame.cap_len')),
    wireLen: Number(get('frame.len')),
    hops,
    unpaired,
    icmp: get('icmp.type') !== '' || get('icmpv6.type') !== '',
    malformed: get('_ws.malformed') !== '' && get('_ws.malformed') !== undefined,
    ipLenExceedsFrame: get('ip.bogus_ip_length') !== '' || get('ipv6.plen_exceeds_framing') !== '',
    communityId: get('communityid') ?? '',
    innermostIpDepth: depth,
  };
}

export function parseTshark(file: string, raw: RawRun): TsharkResult {
  const frames = raw.stdout.split('\n').filter((l) => l.length > 0).map(parseFrame);
  return { file, exitCode: raw.exitCode, stderr: raw.stderr, frames };
}

const memo = new Map<string, Promise<TsharkResult>>();

/** tshark's view of one capture (memoised in-process, cached on disk across processes). */
export function tshark(path: string): Promise<TsharkResult> {
  let p = memo.get(path);
  if (!p) {
    p = runCached(path).then((raw) => parseTshark(path, raw));
    memo.set(path, p);
  }
  return p;
}

/** Runs tshark over many captures in parallel (bounded by the CPU count). */
export async function tsharkAll(paths: string[]): Promise<Map<string, TsharkResult>> {
  const out = new Map<string, TsharkResult>();
  let next = 0;
  const workers = Array.from({ length: Math.max(2, availableParallelism()) }, async () => {
    while (next < paths.length) {
      const path = paths[next++];
      out.set(path, await tshark(path));
    }
  });
  await Promise.all(workers);
  return out;
}

/** Canonical text of an address (IPv6 compressed per RFC 5952, lower case), for comparing
 *  tshark's and our renderings independently of either formatter. */
export function canonAddr(a: string): string {
  if (!a.includes(':')) return a;
  return new URL(`http://[${a}]/`).hostname.slice(1, -1);
}
