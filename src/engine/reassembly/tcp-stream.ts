/**
 * One direction of a TCP connection, reassembled: bytes are delivered in sequence order exactly
 * once; out-of-order segments wait (copied) until the hole before them fills; retransmissions
 * are dropped after a consistency check (first data wins, differing data is the classic IDS
 * evasion and a weird); data that was acknowledged but never seen is a content gap, reported
 * to the receiver so it can resynchronise (Zeek's TCP_Reassembler semantics).
 *
 * Sequence numbers are relative (1 = first byte after the SYN), as the flow layer computes them.
 */
import { LIMITS } from '../support/limits.js';

export interface StreamReceiver {
  /** In-order bytes: buf[off, off+len), valid only during the call. */
  data(buf: Buffer, off: number, len: number): void;
  /** `len` bytes that will never arrive. */
  gap(len: number): void;
}

/** Bytes buffered across all streams of one engine (shared budget), and their spare tails. */
export class ReassemblyBudget {
  used = 0;
  /**
   * Retained tails of released streams, handed to new ones: a fresh LIMITS.reassemblyRetainBytes
   * buffer per stream (outside Node's small-buffer pool) was a measurable share of a run of
   * many short connections. Bounded by MAX_SPARE_TAILS.
   */
  readonly spareTails: Buffer[] = [];
  constructor(readonly max: number = LIMITS.maxReassemblyBytes) {}
}

/** Spare tails kept for reuse (a few hundred KiB at most). */
const MAX_SPARE_TAILS = 64;

export type StreamWeird = (name: string, addl?: string) => void;

interface Segment {
  seq: number;
  data: Buffer;
}

const NO_BYTES = Buffer.alloc(0);

export class TcpStream {
  /** Relative sequence number of the next byte to deliver. */
  nextSeq = 1;
  /** Bytes delivered and bytes reported as gaps. */
  delivered = 0;
  gapBytes = 0;
  /** Relative sequence of this direction's FIN, once seen. */
  finSeq = -1;
  private segments: Segment[] = [];
  private buffered = 0;
  /** The last bytes delivered, to check retransmissions against: taken on the first delivery
   *  (a stream that carries nothing needs none); only [0, tailLen) is ever read. */
  private tail: Buffer = NO_BYTES;
  private tailLen = 0;

  constructor(
    private readonly receiver: StreamReceiver,
    private readonly budget: ReassemblyBudget,
    private readonly weird: StreamWeird,
  ) {}

  /**
   * The last delivered bytes still remembered, oldest first: retained[0, retainedLen). During
   * receiver.data() they end with the chunk being delivered, so the bytes before it are there too
   * (detection matches content split across segments with them). Empty after a gap.
   */
  get retained(): Buffer {
    return this.tail;
  }

  get retainedLen(): number {
    return this.tailLen;
  }

  /** A segment carrying buf[off, off+len) at relative sequence `seq`. */
  segment(seq: number, buf: Buffer, off: number, len: number): void {
    if (len <= 0) return;
    let end = seq + len;
    if (end <= this.nextSeq) {
      this.checkRetransmission(seq, buf, off, len);
      return;
    }
    if (seq < this.nextSeq) {
      // Partly old: check the old part, deliver the rest.
      const old = this.nextSeq - seq;
      this.checkRetransmission(seq, buf, off, old);
      off += old;
      len -= old;
      seq = this.nextSeq;
    }
    if (seq === this.nextSeq) {
      if (this.segments.length > 0) {
        // Never deliver past data already buffered (first data wins): trim at the first segment.
        const first = this.segments[0];
        if (first.seq < end) {
          this.compareOverlap(first.seq, first.data, 0, buf, off + (first.seq - seq), Math.min(end, first.seq + first.data.length) - first.seq);
          end = first.seq;
          len = end - seq;
        }
      }
      this.deliver(buf, off, len);
      this.drain();
      return;
    }
    this.insert(seq, buf, off, len);
  }

  /** The peer acknowledged up to `ack`: bytes before it that never came are a gap. */
  ack(ack: number): void {
    if (this.finSeq >= 0 && ack > this.finSeq) ack = this.finSeq; // the ack of a FIN is not data
    if (ack <= this.nextSeq) return;
    const firstSeq = this.segments.length > 0 ? this.segments[0].seq : Infinity;
    if (firstSeq <= this.nextSeq) return;
    this.skipTo(Math.min(ack, firstSeq));
    this.drain();
  }

  /** This direction sent its FIN at relative sequence `seq` (after its last data byte). */
  fin(seq: number): void {
    if (this.finSeq < 0 || seq < this.finSeq) this.finSeq = seq;
  }

  /** End of the connection: deliver what is buffered, with gaps for the holes. */
  flush(): void {
    while (this.segments.length > 0) {
      const s = this.segments[0];
      if (s.seq > this.nextSeq) this.skipTo(s.seq);
      this.drain();
    }
    if (this.finSeq > this.nextSeq && this.finSeq - this.nextSeq < LIMITS.maxReportedGap) this.skipTo(this.finSeq);
  }

  /** Frees buffered bytes without delivering them (connection discarded). */
  release(): void {
    this.budget.used -= this.buffered;
    this.buffered = 0;
    this.segments = [];
    // Nothing reads the tail once the stream is released: it may serve another stream.
    if (this.tail !== NO_BYTES) {
      if (this.budget.spareTails.length < MAX_SPARE_TAILS) this.budget.spareTails.push(this.tail);
      this.tail = NO_BYTES;
      this.tailLen = 0;
    }
  }

  private deliver(buf: Buffer, off: number, len: number): void {
    this.nextSeq += len;
    this.delivered += len;
    this.retain(buf, off, len);
    this.receiver.data(buf, off, len);
  }

  private skipTo(seq: number): void {
    const len = seq - this.nextSeq;
    if (len <= 0) return;
    this.nextSeq = seq;
    this.gapBytes += len;
    this.tailLen = 0;
    this.receiver.gap(len);
  }

  /** Delivers buffered segments that have become contiguous. */
  private drain(): void {
    while (this.segments.length > 0) {
      const s = this.segments[0];
      if (s.seq > this.nextSeq) return;
      this.segments.shift();
      this.buffered -= s.data.length;
      this.budget.used -= s.data.length;
      const skip = this.nextSeq - s.seq;
      if (skip < s.data.length) this.deliver(s.data, skip, s.data.length - skip);
    }
  }

  /** Buffers an out-of-order segment, keeping earlier-received bytes where they overlap. */
  private insert(seq: number, buf: Buffer, off: number, len: number): void {
    if (this.buffered + len > LIMITS.maxStreamBufferBytes || this.budget.used + len > this.budget.max) {
      // Waiting longer would cost unbounded memory: give up on the hole.
      this.weird('reassembly_buffer_limit', `${this.buffered} bytes buffered in this stream, ${this.budget.used} in all`);
      const firstSeq = this.segments.length > 0 ? this.segments[0].seq : seq;
      this.skipTo(Math.min(firstSeq, seq));
      this.drain();
      if (seq <= this.nextSeq) { this.segment(seq, buf, off, len); return; }
      if (this.buffered + len > LIMITS.maxStreamBufferBytes) return;
    }
    const end = seq + len;
    const segs = this.segments;
    let i = 0;
    while (i < segs.length && segs[i].seq + segs[i].data.length <= seq) i++;
    // Walk the existing segments overlapping [seq, end) and fill only the holes between them.
    let cur = seq;
    const pieces: Segment[] = [];
    let j = i;
    while (cur < end) {
      const s = j < segs.length ? segs[j] : undefined;
      if (!s || s.seq >= end) {
        pieces.push({ seq: cur, data: Buffer.from(buf.subarray(off + (cur - seq), off + len)) });
        break;
      }
      if (s.seq > cur) {
        pieces.push({ seq: cur, data: Buffer.from(buf.subarray(off + (cur - seq), off + (s.seq - seq))) });
      }
      const ovStart = Math.max(cur, s.seq);
      const ovEnd = Math.min(end, s.seq + s.data.length);
      if (ovEnd > ovStart) this.compareOverlap(ovStart, s.data, ovStart - s.seq, buf, off + (ovStart - seq), ovEnd - ovStart);
      cur = Math.max(cur, s.seq + s.data.length);
      j++;
    }
    if (pieces.length === 0) return;
    for (const p of pieces) {
      this.buffered += p.data.length;
      this.budget.used += p.data.length;
    }
    // Pieces fall between i..j-1 in order; splice keeps the array sorted.
    let k = i;
    for (const p of pieces) {
      while (k < segs.length && segs[k].seq < p.seq) k++;
      segs.splice(k, 0, p);
      k++;
    }
  }

  private compareOverlap(seq: number, a: Buffer, aOff: number, b: Buffer, bOff: number, len: number): void {
    if (len <= 0) return;
    if (a.compare(b, bOff, bOff + len, aOff, aOff + len) !== 0) {
      this.weird('rexmit_inconsistency', `${len} bytes at relative seq ${seq} differ from the data seen first`);
    }
  }

  private retain(buf: Buffer, off: number, len: number): void {
    const cap: number = LIMITS.reassemblyRetainBytes;
    if (cap === 0) return;
    if (this.tail.length !== cap) this.tail = this.takeTail(cap);
    if (len >= cap) {
      buf.copy(this.tail, 0, off + len - cap, off + len);
      this.tailLen = cap;
      return;
    }
    // Shift the kept bytes left to make room (small: cap is a few KiB). Until the tail is full
    // nothing moves: the new bytes go behind the kept ones (a copyWithin onto itself still costs
    // a native call and a memmove of up to cap bytes per segment, and most streams are shorter).
    const keep = Math.min(this.tailLen, cap - len);
    if (keep > 0 && keep < this.tailLen) this.tail.copyWithin(0, this.tailLen - keep, this.tailLen);
    buf.copy(this.tail, keep, off, off + len);
    this.tailLen = keep + len;
  }

  private takeTail(cap: number): Buffer {
    const spare = this.budget.spareTails.pop();
    return spare !== undefined && spare.length === cap ? spare : Buffer.allocUnsafe(cap);
  }

  /** A retransmission of delivered bytes: compare with what we still remember of them. */
  private checkRetransmission(seq: number, buf: Buffer, off: number, len: number): void {
    const tailStart = this.nextSeq - this.tailLen;
    const from = Math.max(seq, tailStart);
    const to = Math.min(seq + len, this.nextSeq);
    if (to <= from) return;
    this.compareOverlap(from, this.tail, from - tailStart, buf, off + (from - seq), to - from);
  }
}
