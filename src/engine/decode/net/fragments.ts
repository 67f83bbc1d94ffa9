/**
 * IP fragment reassembly (IPv4 RFC 791 §3.2, IPv6 RFC 8200 §4.5), with Zeek's semantics
 * (src/Frag.cc): first-received bytes win on overlap; the size comes from the last fragment (MF
 * clear) and grows when a later fragment reaches further; a datagram is complete when the pieces
 * contiguous from 0 reach the size (growing it to their end if they go beyond); the transport
 * layer then sees one packet per datagram.
 *
 * Keys: IPv4 (src, dst, protocol, id); IPv6 (src, dst, id). Each pending datagram keeps a
 * sorted list of non-overlapping [start, end) pieces, copied out of the frame. Everything is
 * bounded by named limits (support/limits.ts); hitting one is a weird, never unbounded memory.
 * Incomplete datagrams expire after LIMITS.fragmentTimeout seconds of capture time, checked on
 * every add() and by expire(), which the engine should call as capture time advances.
 */
import { Packet } from '../packet.js';
import { LIMITS } from '../../support/limits.js';
import { formatAddr } from '../../support/addr.js';

/** Zeek's MIN_ACCEPTABLE_FRAG_SIZE: a non-last fragment shorter than this (IP length) is odd. */
const MIN_ACCEPTABLE_FRAG_SIZE = 64;
/** Largest IP payload a length field can describe; a reassembly beyond it is a ping of death. */
const MAX_IP_PAYLOAD = 65535;
/** Bookkeeping bytes charged per stored piece and per datagram against LIMITS.maxFragmentBytes,
 *  so floods of tiny fragments are bounded by the byte limit too. */
const PIECE_OVERHEAD = 96;
const DATAGRAM_OVERHEAD = 256;

const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AUTH = 51;
const IPV6_DEST_OPTS = 60;
const IPV6_MOBILITY = 135;
const IPV6_HIP = 139;
const IPV6_SHIM6 = 140;

interface Piece {
  start: number;
  end: number;
  data: Buffer;
}

class Datagram {
  /** Sorted by start, non-overlapping, never empty ranges; may reach beyond `size` (see add). */
  readonly pieces: Piece[] = [];
  /** Bytes held in pieces (they do not overlap, so this is the coverage). */
  covered = 0;
  /** Bytes charged against LIMITS.maxFragmentBytes. */
  charged = DATAGRAM_OVERHEAD;
  /** Fragmentable-part length; -1 until a last fragment (MF clear) has been seen. */
  size = -1;
  /** Fragments received (duplicates included), bounded by LIMITS.maxFragmentsPerDatagram. */
  fragments = 0;
  /** IP header bytes before the fragmentable part, from the offset-0 fragment; -1 until seen. */
  unfragLen = -1;
  /** IPv6: extension headers at the start of the fragmentable part, before the transport header. */
  l4Skip = 0;
  /** Transport protocol as decoded from the offset-0 fragment (IPv6 may carry extension headers
   *  after the Fragment header, which only the first fragment shows). */
  l4Proto = -1;

  constructor(
    readonly key: string,
    readonly created: number,
    readonly version: number,
    readonly src: readonly [number, number, number, number],
    readonly dst: readonly [number, number, number, number],
    /** Header length (IPv4) or unfragmentable length (IPv6) of the first fragment received. */
    readonly firstUnfragLen: number,
  ) {}
}

export class FragmentReassembler {
  private readonly pending = new Map<string, Datagram>();
  private bytes = 0;
  /** Latest capture time seen (Zeek's network_time for our timers). */
  private now = -Infinity;
  /** No pending datagram can expire before this capture time. */
  private nextCheck = Infinity;
  /** Stand-in packet for weirds raised outside add() (expiry, eviction). */
  private readonly scratch = new Packet();

  constructor(private readonly weird: (pkt: Packet, name: string, addl?: string) => void) {}

  /** Datagrams awaiting fragments (for tests and stats). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Bytes charged for pending datagrams, bounded by LIMITS.maxFragmentBytes. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /**
   * Offers one fragment. pkt's address fields, ipVersion, ipProto, ipOff and ipLen describe its IP
   * header; buf[dataOff, dataOff + dataLen) are its captured payload bytes. Returns true when this
   * completed a datagram: pkt.buf then holds the whole transport segment at l4Off 0, pkt.ipLen
   * the reassembled datagram's IP length and pkt.ipProto the transport protocol the offset-0
   * fragment announced (for IPv6 the one to dispatch on: later fragments cannot know it).
   * Also true, as in Zeek, for a first fragment cut by the snaplen: it is passed on unreassembled
   * (l4Off/l4Len/l4Cap describe it in the original buffer), since reassembly cannot succeed.
   */
  add(pkt: Packet, id: number, offsetBytes: number, moreFragments: boolean, dataOff: number, dataLen: number): boolean {
    const ts = pkt.ts;
    if (ts > this.now) this.now = ts;
    this.expire(this.now);
    const buf = pkt.buf;
    const v6 = pkt.ipVersion === 6;
    const ipOff = pkt.ipOff;
    if (!(offsetBytes >= 0) || !(dataOff >= ipOff) || !(ipOff >= 0) || dataOff > buf.length) {
      this.weird(pkt, 'fragment_protocol_inconsistency', 'bad fragment bounds');
      return false;
    }
    // Where the fragmentable part starts: IPv4 right after the header; IPv6 right after the
    // Fragment header (headers after it, in the first fragment, belong to the reassembled data).
    let fragStart = dataOff;
    // Bytes of IP header kept in the reassembled datagram: IPv4's header; IPv6's fixed header
    // and the extension headers before the Fragment header, which reassembly removes.
    let unfragLen = dataOff - ipOff;
    if (v6) {
      const h = findIpv6FragmentHeader(buf, ipOff, dataOff);
      if (h < 0) {
        this.weird(pkt, 'fragment_protocol_inconsistency', 'IPv6 Fragment header not found');
        return false;
      }
      fragStart = h + 8;
      unfragLen = h - ipOff;
    }
    const capEnd = Math.min(buf.length, dataOff + Math.max(0, dataLen));
    if (fragStart > capEnd) {
      this.weird(pkt, 'fragment_protocol_inconsistency', 'bad fragment bounds');
      return false;
    }
    if (capEnd < ipOff + pkt.ipLen) {
      // Not all captured: reassembly is doomed. If the snaplen explains the missing bytes, Zeek
      // drops all but the first fragment, which goes to the transport layer as it is (header-only
      // traces still show their flows). If the frame itself was shorter than the IP length
      // claims, Zeek drops the packet as truncated_IP (which the decoder has reported).
      this.weird(pkt, 'incompletely_captured_fragment', this.label(pkt.src0, pkt.src1, pkt.src2, pkt.src3, pkt.dst0, pkt.dst1, pkt.dst2, pkt.dst3));
      const snapCut = pkt.wireLen - pkt.capLen;
      if (offsetBytes !== 0 || snapCut <= 0 || capEnd - ipOff + snapCut < pkt.ipLen) return false;
      pkt.l4Off = dataOff;
      pkt.l4Len = ipOff + pkt.ipLen - dataOff;
      pkt.l4Cap = Math.max(0, capEnd - dataOff);
      return true;
    }
    const len = capEnd - fragStart;
    const start = offsetBytes;
    const end = start + len;

    const key = v6
      ? `6 ${pkt.src0} ${pkt.src1} ${pkt.src2} ${pkt.src3} ${pkt.dst0} ${pkt.dst1} ${pkt.dst2} ${pkt.dst3} ${id}`
      : `4 ${pkt.src3} ${pkt.dst3} ${pkt.ipProto} ${id}`;
    let dg = this.pending.get(key);
    if (dg === undefined) {
      while (this.pending.size >= LIMITS.maxFragmentReassemblies) {
        if (!this.evictOldest('maxFragmentReassemblies')) break;
      }
      dg = new Datagram(key, this.now, v6 ? 6 : 4,
        [pkt.src0, pkt.src1, pkt.src2, pkt.src3], [pkt.dst0, pkt.dst1, pkt.dst2, pkt.dst3], unfragLen);
      if (this.pending.size === 0) this.nextCheck = dg.created + LIMITS.fragmentTimeout;
      this.pending.set(key, dg);
      this.bytes += dg.charged;
    } else if (unfragLen !== dg.firstUnfragLen) {
      // IPv4: the header length differs; IPv6: the unfragmentable part does (Zeek checks both).
      // IPv6 Fragment headers may disagree on next-header (RFC 8200 §4.5): not checked.
      this.dgWeird(dg, 'fragment_protocol_inconsistency');
    }
    if (++dg.fragments > LIMITS.maxFragmentsPerDatagram) {
      this.dgWeird(dg, 'fragment_limit_reached', 'maxFragmentsPerDatagram');
      this.drop(dg);
      return false;
    }
    if (!v6 && ipOff + 6 < buf.length && (buf[ipOff + 6] & 0x40) !== 0) {
      // Linux MTU discovery for UDP can do this (Zeek's comment).
      this.dgWeird(dg, 'fragment_with_DF');
    }
    if (moreFragments && pkt.ipLen < MIN_ACCEPTABLE_FRAG_SIZE) this.dgWeird(dg, 'excessively_small_fragment');
    if (offsetBytes === 0) {
      dg.unfragLen = unfragLen;
      dg.l4Skip = Math.min(Math.max(0, dataOff - fragStart), len);
      dg.l4Proto = pkt.ipProto;
    }
    if (!moreFragments) {
      if (dg.size < 0) dg.size = end;
      else if (end !== dg.size) {
        this.dgWeird(dg, 'fragment_size_inconsistency');
        if (end > dg.size) dg.size = end;
      }
    }
    if (unfragLen - (v6 ? 40 : 0) + end > MAX_IP_PAYLOAD) this.dgWeird(dg, 'excessively_large_fragment');
    if (dg.size >= 0 && end > dg.size) {
      // A non-last fragment reaching beyond the size a last fragment gave.
      this.dgWeird(dg, 'fragment_size_inconsistency');
      dg.size = end;
    }

    if (len > 0) {
      const overlap = this.insert(dg, start, end, buf, fragStart);
      if (overlap === 2) this.dgWeird(dg, 'fragment_inconsistency');
      else if (overlap === 1) this.dgWeird(dg, 'fragment_overlap');
    }
    while (this.bytes > LIMITS.maxFragmentBytes && this.pending.size > 0) {
      this.evictOldest('maxFragmentBytes');
    }
    if (!this.pending.has(key)) return false; // evicted just now

    // Zeek's BlockInserted: complete once the pieces contiguous from 0 reach the size. If they
    // reach beyond it (pieces received before the last fragment), the datagram grows to their
    // end; pieces detached from that prefix by a gap are left out. Both are size weirds.
    const pieces = dg.pieces;
    if (dg.size < 0 || dg.covered < dg.size || dg.unfragLen < 0 || pieces.length === 0 || pieces[0].start !== 0) return false;
    let last = 0;
    while (last + 1 < pieces.length && pieces[last + 1].start === pieces[last].end) last++;
    const size = pieces[last].end;
    if (size < dg.size) return false;
    if (size > dg.size || last + 1 < pieces.length) this.dgWeird(dg, 'fragment_size_inconsistency');

    // Complete: pieces[0..last] are sorted, disjoint and cover [0, size).
    const out = Buffer.allocUnsafe(size);
    for (let k = 0; k <= last; k++) pieces[k].data.copy(out, pieces[k].start);
    this.drop(dg);
    const skip = dg.l4Skip;
    pkt.buf = skip > 0 ? out.subarray(skip) : out;
    pkt.l4Off = 0;
    pkt.l4Len = size - skip;
    pkt.l4Cap = size - skip;
    pkt.ipLen = dg.unfragLen + size;
    if (dg.l4Proto >= 0) pkt.ipProto = dg.l4Proto;
    pkt.reassembled = true;
    return true;
  }

  /**
   * Drops datagrams older than LIMITS.fragmentTimeout seconds of capture time, with a weird for
   * each. Cheap when nothing is due: the engine may call it on every advance of capture time.
   */
  expire(now: number): void {
    if (now > this.now) this.now = now;
    if (this.now < this.nextCheck) return;
    const cutoff = this.now - LIMITS.fragmentTimeout;
    this.nextCheck = Infinity;
    // Map iteration is in insertion (= creation) order, and deleting while iterating is safe.
    for (const dg of this.pending.values()) {
      if (dg.created >= cutoff) {
        this.nextCheck = dg.created + LIMITS.fragmentTimeout;
        break;
      }
      this.dgWeird(dg, 'incompletely_reassembled_fragment', this.label(...dg.src, ...dg.dst) + ' timed out');
      this.drop(dg);
    }
  }

  /** End of input: drops every pending datagram with a weird (they were never completed). */
  flush(): void {
    for (const dg of this.pending.values()) {
      this.dgWeird(dg, 'incompletely_reassembled_fragment', this.label(...dg.src, ...dg.dst) + ' at end of input');
      this.drop(dg);
    }
    this.nextCheck = Infinity;
  }

  /**
   * Adds [start, end) taken from buf[from, ...) where it is not yet covered (first wins).
   * Returns 0 without overlap, 1 when overlapped bytes are identical, 2 when they differ.
   */
  private insert(dg: Datagram, start: number, end: number, buf: Buffer, from: number): number {
    const pieces = dg.pieces;
    let status = 0;
    // First piece ending after start (binary search: in-order arrival is the common case).
    let lo = 0, hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pieces[mid].end <= start) lo = mid + 1; else hi = mid;
    }
    let i = lo;
    let cur = start;
    while (cur < end) {
      const p: Piece | undefined = i < pieces.length ? pieces[i] : undefined;
      if (p === undefined || p.start >= end) {
        pieces.splice(i, 0, this.piece(dg, cur, end, buf, from + (cur - start)));
        break;
      }
      if (p.start > cur) {
        pieces.splice(i, 0, this.piece(dg, cur, p.start, buf, from + (cur - start)));
        i++;
        cur = p.start;
      }
      // Overlap with p over [cur, oe): p.end > cur holds (first p by the scan, later ones start at cur).
      const oe = Math.min(p.end, end);
      if (oe > cur && status < 2) {
        const same = buf.compare(p.data, cur - p.start, oe - p.start, from + (cur - start), from + (oe - start)) === 0;
        status = same ? Math.max(status, 1) : 2;
      }
      cur = oe > cur ? oe : end; // always advances
      i++;
    }
    return status;
  }

  private piece(dg: Datagram, start: number, end: number, buf: Buffer, from: number): Piece {
    const n = end - start;
    // Own memory, not a pool slice: a kept 8-byte fragment must not pin an 8 KiB slab.
    const data = Buffer.allocUnsafeSlow(n);
    buf.copy(data, 0, from, from + n);
    dg.covered += n;
    const cost = n + PIECE_OVERHEAD;
    dg.charged += cost;
    this.bytes += cost;
    return { start, end, data };
  }

  private drop(dg: Datagram): void {
    if (this.pending.get(dg.key) !== dg) return;
    this.pending.delete(dg.key);
    this.bytes -= dg.charged;
    dg.pieces.length = 0;
  }

  /** Abandons the oldest pending datagram because `limit` was hit; false if none is pending. */
  private evictOldest(limit: string): boolean {
    const first = this.pending.values().next();
    if (first.done) return false;
    const dg = first.value;
    this.dgWeird(dg, 'fragment_limit_reached', limit);
    this.drop(dg);
    return true;
  }

  private dgWeird(dg: Datagram, name: string, addl?: string): void {
    const pkt = this.scratch;
    pkt.ts = this.now;
    this.weird(pkt, name, addl ?? this.label(...dg.src, ...dg.dst));
  }

  private label(s0: number, s1: number, s2: number, s3: number, d0: number, d1: number, d2: number, d3: number): string {
    return formatAddr(s0, s1, s2, s3) + ' -> ' + formatAddr(d0, d1, d2, d3);
  }
}

/**
 * Offset of the IPv6 Fragment header in the chain starting at buf[ipOff], walking only up to
 * `limit` (where the decoder found the upper layer); -1 if there is none.
 */
function findIpv6FragmentHeader(buf: Buffer, ipOff: number, limit: number): number {
  if (ipOff + 40 > buf.length) return -1;
  let next = buf[ipOff + 6];
  let p = ipOff + 40;
  for (let n = 0; n < LIMITS.maxIpv6ExtensionHeaders && p + 8 <= buf.length && p < limit; n++) {
    if (next === IPV6_FRAGMENT) return p;
    if (next === IPV6_AUTH) {
      next = buf[p];
      p += (buf[p + 1] + 2) * 4;
    } else if (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DEST_OPTS
      || next === IPV6_MOBILITY || next === IPV6_HIP || next === IPV6_SHIM6) {
      next = buf[p];
      p += (buf[p + 1] + 1) * 8;
    } else return -1;
  }
  return -1;
}
