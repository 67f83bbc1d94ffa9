/**
 * One side of a TCP connection, tracked exactly as Zeek's TCP_Endpoint: state, sequence space
 * (with 32-bit wraparounds), window, and the counters behind the scaled history letters.
 */

export const enum TcpState {
  Inactive = 0,
  SynSent = 1,
  SynAckSent = 2,
  Partial = 3,
  Established = 4,
  Closed = 5,
  Reset = 6,
}

const TWO32 = 4294967296;

/** Signed distance a - b in 32-bit sequence space (RFC 1982 style). */
export function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

export class TcpEndpoint {
  state: TcpState = TcpState.Inactive;
  prevState: TcpState = TcpState.Inactive;
  startSeq = 0;
  lastSeq = 0;
  ackSeq = 0;
  seqWraps = 0;
  ackWraps = 0;
  window = 0;
  windowScale = 0;
  windowSeq = 0;
  windowAckSeq = 0;
  finCnt = 0;
  rstCnt = 0;
  /** Relative sequence of the last SYN/FIN/RST seen, for repeated-letter history. -1: none. */
  histLastSyn = -1;
  histLastFin = -1;
  histLastRst = -1;
  didClose = false;
  lastTime = 0;
  // Scaled-history counters ('T' retransmissions, 'W' zero windows, 'C' bad checksums).
  rxmtCnt = 0;
  rxmtThresh = 1;
  win0Cnt = 0;
  win0Thresh = 1;
  chkCnt = 0;
  chkThresh = 1;
  gapCnt = 0;
  gapThresh = 1;

  constructor(public isOrig: boolean) {}

  setState(s: TcpState): void {
    if (s !== this.state) {
      this.prevState = this.state;
      this.state = s;
    }
  }

  updateLastSeq(seq: number): void {
    if (seq < this.lastSeq && seqDelta(seq, this.lastSeq) > 0) this.seqWraps++;
    this.lastSeq = seq;
  }

  updateAckSeq(ack: number): void {
    if (ack < this.ackSeq && seqDelta(ack, this.ackSeq) > 0) this.ackWraps++;
    this.ackSeq = ack;
  }

  /** Position in the full (wrap-aware) sequence space relative to the initial sequence number. */
  toRelative(seq: number, wraps: number): number {
    return wraps * TWO32 + seq - this.startSeq;
  }

  noDataAcked(): boolean {
    const ack = this.ackWraps * TWO32 + this.ackSeq;
    return ack === this.startSeq || ack === this.startSeq + 1;
  }

  /** Bytes sent, from sequence numbers (Zeek's TCP_Endpoint::Size). */
  size(peer: TcpEndpoint): number {
    if (this.prevState === TcpState.SynSent && this.state === TcpState.Reset && peer.state === TcpState.Inactive && !this.noDataAcked()) {
      // A half-open connection discovered and aborted: sequence numbers say nothing about data.
      return 0;
    }
    const last = this.seqWraps * TWO32 + this.lastSeq;
    const ack = this.ackWraps * TWO32 + this.ackSeq;
    let size = (last > ack ? last : ack) - this.startSeq;
    // Zeek computes this in unsigned 64 bits; a negative value is an artefact of bogus sequence
    // numbers, reported as 0 rather than as 2^64 - n.
    if (size < 0) return 0;
    if (size > 0) size--; // the SYN's sequence number
    if (this.finCnt > 0 && size > 0) size--; // the FIN's
    return size;
  }
}
