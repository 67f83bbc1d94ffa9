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
  /** The same for the doubled tails of streams that outgrew their first tail (TcpStream.retain). */
  readonly spareLongTails: Buffer[] = [];
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
  /** The last bytes delivered, to check retransmissions against: tail[tailEnd - tailLen, tailEnd),
   *  tailLen <= LIMITS.reassemblyRetainBytes; the buffer is that long or twice that (retain()).
   *  Taken on the first delivery (a stream that carries nothing needs none). */
  private tail: Buffer = NO_BYTES;
  private tailEnd = 0;
  private tailLen = 0;

  constructor(
    private readonly receiver: StreamReceiver,
    private readonly budget: ReassemblyBudget,
    private readonly weird: StreamWeird,
  ) {}

  /**
   * The last delivered bytes still remembered, oldest first: retained[retainedStart,
   * retainedStart + retainedLen) (at most LIMITS.reassemblyRetainBytes). During receiver.data()
   * they end with the chunk being delivered, so the bytes before it are there too, contiguous
   * with it (detection matches content split across segments with them, without copying). Empty
   * after a gap.
   */
  get retained(): Buffer {
    return this.tail;
  }

  get retainedStart(): number {
    return this.tailEnd - this.tailLen;
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
      this.spare(this.tail);
      this.tail = NO_BYTES;
      this.tailEnd = 0;
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
    this.tailEnd = 0;
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
    if (this.tail === NO_BYTES) this.tail = this.takeTail(cap);
    if (len >= cap) {
      buf.copy(this.tail, 0, off + len - cap, off + len);
      this.tailEnd = this.tailLen = cap;
      return;
    }
    // Append behind the kept bytes; only when the buffer is full do the last kept bytes move to the
    // front. A stream outgrowing its first cap bytes gets a buffer of 2 x cap for it, so a long
    // stream moves under cap bytes every few segments (shifting a cap-sized tail in place cost a
    // memmove per segment), and short streams, most of them, keep the small one.
    // Readers take (buffer, start, length): nothing else moves.
    if (this.tailEnd + len > this.tail.length) {
      const keep = Math.min(this.tailLen, cap - len);
      if (this.tail.length < 2 * cap) {
        const long = this.takeTail(2 * cap);
        if (keep > 0) this.tail.copy(long, 0, this.tailEnd - keep, this.tailEnd);
        this.spare(this.tail);
        this.tail = long;
      } else if (keep > 0) this.tail.copyWithin(0, this.tailEnd - keep, this.tailEnd);
      this.tailEnd = this.tailLen = keep;
    }
    buf.copy(this.tail, this.tailEnd, off, off + len);
    this.tailEnd += len;
    this.tailLen = Math.min(cap, this.tailLen + len);
  }

  private takeTail(size: number): Buffer {
    const spare = (size === LIMITS.reassemblyRetainBytes ? this.budget.spareTails : this.budget.spareLongTails).pop();
    return spare !== undefined && spare.length === size ? spare : Buffer.allocUnsafe(size);
  }

  /** A tail nothing reads any more, kept for another stream. */
  private spare(tail: Buffer): void {
    const pool = tail.length === LIMITS.reassemblyRetainBytes ? this.budget.spareTails : this.budget.spareLongTails;
    if (pool.length < MAX_SPARE_TAILS) pool.push(tail);
  }

  /** A retransmission of delivered bytes: compare with what we still remember of them. */
  private checkRetransmission(seq: number, buf: Buffer, off: number, len: number): void {
    const tailStart = this.nextSeq - this.tailLen;
    const from = Math.max(seq, tailStart);
    const to = Math.min(seq + len, this.nextSeq);
    if (to <= from) return;
    this.compareOverlap(from, this.tail, this.tailEnd - this.tailLen + (from - tailStart), buf, off + (from - seq), to - from);
  }
}
