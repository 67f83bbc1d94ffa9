/**
 * TCP and UDP conversations, ours (conn.log summed by unordered 5-tuple) against tshark's (every
 * TCP/UDP layer of every frame paired with the IP layer under it), and their differences.
 */
import { run } from '../helpers.js';
import { canonAddr, type TsharkResult } from './tshark.js';

export interface ConvCount {
  pkts: number;
  ipBytes: number;
  /** Packets sent by each endpoint ("addr:port" as in the key), for the direction check. */
  from: Map<string, number>;
  /** Capture time of the first and of the last packet (ours: conn ts and ts + duration). */
  first: number;
  last: number;
  /** Community IDs: ours from conn.log, tshark's from frames whose innermost flow this is. */
  communityIds: Set<string>;
  /** UDP payload bytes (Zeek's orig_bytes + resp_bytes: the UDP length fields minus 8 each). */
  udpPayload: number;
}

function ep(h: string, p: number): string {
  return h.includes(':') ? `[${canonAddr(h)}]:${p}` : `${h}:${p}`;
}

/** "tcp 10.0.0.1:80 10.0.0.2:51000", endpoints sorted so direction does not matter. */
export function convKey(proto: string, a: string, ap: number, b: string, bp: number): string {
  const x = ep(a, ap), y = ep(b, bp);
  return `${proto} ${x < y ? x + ' ' + y : y + ' ' + x}`;
}

function add(m: Map<string, ConvCount>, k: string, pkts: number, ipBytes: number, sender: string, senderPkts: number, first: number, last: number): void {
  const c = m.get(k) ?? { pkts: 0, ipBytes: 0, from: new Map<string, number>(), first, last, communityIds: new Set<string>(), udpPayload: 0 };
  if (first < c.first) c.first = first;
  if (last > c.last) c.last = last;
  c.pkts += pkts;
  c.ipBytes += ipBytes;
  c.from.set(sender, (c.from.get(sender) ?? 0) + senderPkts);
  m.set(k, c);
}

export interface OurConversations {
  convs: Map<string, ConvCount>;
  /** Names in weird.log. */
  weirds: Set<string>;
}

export async function ourConversations(path: string): Promise<OurConversations> {
  const { sink } = await run(path, { validateChecksums: false });
  const m = new Map<string, ConvCount>();
  for (const r of sink.get('conn')) {
    if (r.proto !== 'tcp' && r.proto !== 'udp' && r.proto !== 'sctp' && r.proto !== 'icmp') continue;
    // ICMP "ports" are Zeek's type/counterpart mapping; only the address pair is compared.
    const icmp = r.proto === 'icmp';
    const op = icmp ? 0 : Number(r['id.orig_p']), rp = icmp ? 0 : Number(r['id.resp_p']);
    const k = convKey(String(r.proto), String(r['id.orig_h']), op, String(r['id.resp_h']), rp);
    const first = Number(r.ts), last = first + Number(r.duration ?? 0);
    add(m, k, Number(r.orig_pkts) + Number(r.resp_pkts), Number(r.orig_ip_bytes) + Number(r.resp_ip_bytes),
      ep(String(r['id.orig_h']), op), Number(r.orig_pkts), first, last);
    add(m, k, 0, 0, ep(String(r['id.resp_h']), rp), Number(r.resp_pkts), first, last);
    if (r.community_id !== undefined) m.get(k)!.communityIds.add(String(r.community_id));
    if (r.proto === 'udp') m.get(k)!.udpPayload += Number(r.orig_bytes ?? 0) + Number(r.resp_bytes ?? 0);
  }
  return { convs: m, weirds: new Set(sink.get('weird').map((w) => String(w.name))) };
}

export interface TsharkConversations {
  convs: Map<string, ConvCount>;
  /** Hops tshark dissected out of a fully captured fragment it could not reassemble (left out
   *  of `convs`: Zeek waits for the rest of the datagram, which never comes). */
  loneFragmentHops: number;
  /** Hops from first fragments cut by the snaplen (kept in `convs`: Zeek cannot reassemble
   *  them and analyses the first fragment alone, "useful in analyzing header-only traces"). */
  truncatedFragmentHops: number;
  /** Hops in frames whose IP length exceeds the frame's wire length (left out of `convs`: Zeek
   *  drops the packet with truncated_IP_len). tshark's expert info is per frame, so a tunnelled
   *  frame with only its inner header too long loses its outer hop too (none in the captures). */
  ipLenExceedsFrameHops: number;
  /** Frames whose layers could not be paired with their fields and that name TCP or UDP. */
  unpairedTransportFrames: number[];
}

export function tsharkConversations(t: TsharkResult): TsharkConversations {
  const convs = new Map<string, ConvCount>();
  let loneFragmentHops = 0, truncatedFragmentHops = 0, ipLenExceedsFrameHops = 0;
  const unpairedTransportFrames: number[] = [];
  for (const f of t.frames) {
    if (f.unpaired && f.protocols.some((p) => p === 'tcp' || p === 'udp' || p === 'sctp' || p === 'icmp' || p === 'icmpv6')) unpairedTransportFrames.push(f.number);
    const ts = Number(f.sec) + Number(f.nsec) / 1e9;
    for (const h of f.hops) {
      if (f.ipLenExceedsFrame) {
        ipLenExceedsFrameHops++;
        continue;
      }
      if (h.loneFragment && f.capLen >= f.wireLen) {
        loneFragmentHops++;
        continue;
      }
      if (h.loneFragment) truncatedFragmentHops++;
      const k = convKey(h.proto, h.src, h.sport, h.dst, h.dport);
      add(convs, k, 1, h.ipBytes, ep(h.src, h.sport), 1, ts, ts);
      // Zeek's arithmetic exactly: length field minus 8, even when the field is bogus (< 8).
      if (h.udpLength !== undefined) convs.get(k)!.udpPayload += h.udpLength - 8;
      if (f.communityId && h === f.hops[f.hops.length - 1] && h.depth === f.innermostIpDepth) convs.get(k)!.communityIds.add(f.communityId);
    }
  }
  return { convs, loneFragmentHops, truncatedFragmentHops, ipLenExceedsFrameHops, unpairedTransportFrames };
}

/** One line per conversation that differs: "<key> ours=P/B tshark=P/B" (P packets, B IP bytes). */
export function diffConversations(ours: Map<string, ConvCount>, theirs: Map<string, ConvCount>): string[] {
  const keys = new Set([...ours.keys(), ...theirs.keys()]);
  const out: string[] = [];
  const fmt = (c: ConvCount | undefined) => (c ? `${c.pkts}/${c.ipBytes}` : 'none');
  for (const k of [...keys].sort()) {
    const a = ours.get(k), b = theirs.get(k);
    if (a && b && a.pkts === b.pkts && a.ipBytes === b.ipBytes) continue;
    out.push(`${k} ours=${fmt(a)} tshark=${fmt(b)}`);
  }
  return out;
}

/** Conversations whose per-direction packet counts differ (only where the totals agree):
 *  "<conv> ours=<ep> P, <ep> P tshark=<ep> P, <ep> P". */
export function diffDirections(ours: Map<string, ConvCount>, theirs: Map<string, ConvCount>): string[] {
  const out: string[] = [];
  const fmt = (c: ConvCount) => [...c.from].filter(([, n]) => n > 0).sort().map(([e, n]) => `${e} ${n}`).join(', ');
  for (const [k, a] of ours) {
    const b = theirs.get(k);
    if (!b || a.pkts !== b.pkts) continue;
    if (fmt(a) !== fmt(b)) out.push(`${k} ours=${fmt(a)} tshark=${fmt(b)}`);
  }
  return out.sort();
}

/**
 * Conversations (whose totals agree) with a different first-packet time, or, for UDP and ICMP, a
 * different last-packet time, beyond a microsecond. TCP's last time is left out: Zeek stops updating a
 * connection's last time once both sides have closed, so the final ACK is not in its duration.
 */
export function diffTimes(ours: Map<string, ConvCount>, theirs: Map<string, ConvCount>): string[] {
  const out: string[] = [];
  const near = (a: number, b: number) => Math.abs(a - b) < 1.5e-6;
  for (const [k, a] of ours) {
    const b = theirs.get(k);
    if (!b || a.pkts !== b.pkts) continue;
    if (!near(a.first, b.first) || (!k.startsWith('tcp ') && !near(a.last, b.last))) {
      out.push(`${k} ours=${a.first.toFixed(6)}..${a.last.toFixed(6)} tshark=${b.first.toFixed(6)}..${b.last.toFixed(6)}`);
    }
  }
  return out.sort();
}

/** Conversations (whose totals agree) whose Community IDs in conn.log are not the ones tshark
 *  computed for the frames where this conversation is the innermost flow. */
export function diffCommunityIds(ours: Map<string, ConvCount>, theirs: Map<string, ConvCount>): string[] {
  const out: string[] = [];
  for (const [k, a] of ours) {
    const b = theirs.get(k);
    if (!b || a.pkts !== b.pkts) continue;
    if (b.communityIds.size === 0) continue;
    const same = a.communityIds.size === b.communityIds.size && [...b.communityIds].every((id) => a.communityIds.has(id));
    if (!same) out.push(`${k} ours=${[...a.communityIds].sort().join(',')} tshark=${[...b.communityIds].sort().join(',')}`);
  }
  return out.sort();
}

/** UDP conversations (whose totals agree) with different payload byte totals. */
export function diffUdpPayload(ours: Map<string, ConvCount>, theirs: Map<string, ConvCount>): string[] {
  const out: string[] = [];
  for (const [k, a] of ours) {
    const b = theirs.get(k);
    if (!k.startsWith('udp ') || !b || a.pkts !== b.pkts) continue;
    if (a.udpPayload !== b.udpPayload) out.push(`${k} ours=${a.udpPayload} tshark=${b.udpPayload}`);
  }
  return out.sort();
}
