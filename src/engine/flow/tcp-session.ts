/**
 * The TCP state machine, transcribed from Zeek's TCPAnalyzer/TCPSessionAdapter so conn_state,
 * history and byte counts come out as Zeek's do. Function and weird names follow Zeek's; the
 * comments keep Zeek's reasoning where it is not obvious.
 */
import type { Packet } from '../decode/packet.js';
import { TH_ACK, TH_FIN, TH_RST, TH_SYN, TH_URG } from '../decode/packet.js';
import {
  type Conn, HIST_ACK_PKT, HIST_DATA_PKT, HIST_FIN_PKT, HIST_FIN_RST_PKT, HIST_MULTI_FLAG_PKT, HIST_RST_PKT, HIST_SYN_PKT,
} from './conn.js';
import { type TcpEndpoint, TcpState, seqDelta } from './tcp-endpoint.js';

const TOO_LARGE_SEQ_DELTA = 1048576;

export interface TcpTimers {
  /** tcp_attempt_delay: an unanswered SYN is given up after this long. */
  attemptDelay: number;
  /** tcp_close_delay: a closed connection lingers this long for stray packets. */
  closeDelay: number;
  /** tcp_partial_close_delay. */
  partialCloseDelay: number;
  /** tcp_SYN_timeout: first run of the expire timer. */
  synTimeout: number;
  /** tcp_session_timer: period of the expire timer. */
  sessionTimer: number;
  /** tcp_connection_linger: idle time after a close before the expire timer removes it. */
  connectionLinger: number;
}

export const ZEEK_TCP_TIMERS: TcpTimers = {
  attemptDelay: 5, closeDelay: 5, partialCloseDelay: 3, synTimeout: 5, sessionTimer: 6, connectionLinger: 5,
};

export type ConnWeird = (c: Conn, name: string, addl?: string) => void;

/** Scaled history letters (c g t w): logged at the 1st, 10th, 100th... occurrence. */
export function scaledHistory(c: Conn, e: TcpEndpoint, code: string, which: 'rxmt' | 'win0' | 'chk' | 'gap'): void {
  if (which === 'gap') {
    if (++e.gapCnt === e.gapThresh) { addHistory(c, e, code); e.gapThresh *= 10; }
  } else if (which === 'rxmt') {
    if (++e.rxmtCnt === e.rxmtThresh) { addHistory(c, e, code); e.rxmtThresh *= 10; }
  } else if (which === 'win0') {
    if (++e.win0Cnt === e.win0Thresh) { addHistory(c, e, code); e.win0Thresh *= 10; }
  } else if (++e.chkCnt === e.chkThresh) { addHistory(c, e, code); e.chkThresh *= 10; }
}

/** A once-only letter. Checked before lowercasing: toLowerCase makes a new string, and most
 *  packets repeat a letter already recorded (every responder ACK would otherwise allocate one). */
function checkHistory(c: Conn, e: TcpEndpoint, mask: number, code: string): boolean {
  const m = e.isOrig ? mask : mask << 16;
  if ((c.histSeen & m) !== 0) return true;
  return c.checkHistory(m, e.isOrig ? code : code.toLowerCase());
}

function addHistory(c: Conn, e: TcpEndpoint, code: string): void {
  c.history += e.isOrig ? code : code.toLowerCase();
}

/** A segment whose checksum failed: counted as 'C', otherwise ignored (Zeek drops it). */
export function tcpChecksumError(c: Conn, isOrig: boolean, weird: ConnWeird): void {
  weird(c, 'bad_TCP_checksum');
  scaledHistory(c, isOrig ? c.tcpOrig! : c.tcpResp!, 'C', 'chk');
}

function initEndpoint(c: Conn, e: TcpEndpoint, flags: number, firstSeq: number, lastSeq: number, t: number, weird: ConnWeird, peer: TcpEndpoint): void {
  switch (e.state) {
    case TcpState.Inactive:
      if (flags & TH_SYN) {
        e.ackSeq = firstSeq;
        e.startSeq = firstSeq;
      } else {
        // A partial connection: number as though a SYN had been seen.
        e.ackSeq = (firstSeq - 1) >>> 0;
        e.startSeq = (firstSeq - 1) >>> 0;
        lastSeq = firstSeq;
      }
      e.lastSeq = lastSeq;
      break;
    case TcpState.SynSent:
    case TcpState.SynAckSent:
      if (flags & TH_SYN && firstSeq !== e.startSeq) {
        weird(c, 'SYN_seq_jump');
        e.startSeq = firstSeq; e.ackSeq = firstSeq; e.lastSeq = lastSeq;
      }
      break;
    case TcpState.Established:
    case TcpState.Partial:
      if (flags & TH_SYN) {
        if (e.size(peer) > 0) weird(c, 'SYN_inside_connection');
        if (firstSeq !== e.startSeq) weird(c, 'SYN_seq_jump');
        e.startSeq = firstSeq; e.ackSeq = firstSeq; e.lastSeq = lastSeq;
      }
      break;
    case TcpState.Reset:
      if (flags & TH_SYN && e.prevState === TcpState.Inactive) {
        e.startSeq = firstSeq; e.ackSeq = firstSeq; e.lastSeq = lastSeq;
      }
      break;
    default:
      break;
  }
  void t;
}

/** Relative sequence number; sets `underflow.v` when it lies before the initial one. */
const underflow = { v: false };
function relativeSeq(e: TcpEndpoint, cur: number, last: number, wraps: number): number {
  const delta = seqDelta(cur, last);
  if (delta < 0) {
    if (wraps && cur > last) wraps--;
  } else if (delta > 0) {
    if (cur < last) wraps++;
  }
  if (wraps === 0) {
    const d = seqDelta(cur, e.startSeq);
    if (d < 0) underflow.v = true;
    return d;
  }
  return e.toRelative(cur, wraps);
}

function updateHistory(c: Conn, flags: number, e: TcpEndpoint, relSeq: number, len: number): void {
  const syn = flags & TH_SYN, fin = flags & TH_FIN, rst = flags & TH_RST;
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) checkHistory(c, e, HIST_FIN_RST_PKT, 'I');
    else checkHistory(c, e, HIST_MULTI_FLAG_PKT, 'Q');
  } else if (bits === 1) {
    if (syn) {
      const code = flags & TH_ACK ? 'H' : 'S';
      if (checkHistory(c, e, HIST_SYN_PKT, code) && relSeq !== e.histLastSyn) addHistory(c, e, code);
      e.histLastSyn = relSeq;
    }
    if (fin) {
      // A FIN's sequence number comes after any data in the segment.
      if (checkHistory(c, e, HIST_FIN_PKT, 'F') && relSeq + len !== e.histLastFin) addHistory(c, e, 'F');
      e.histLastFin = relSeq + len;
    }
    if (rst) {
      if (checkHistory(c, e, HIST_RST_PKT, 'R') && relSeq !== e.histLastRst) addHistory(c, e, 'R');
      e.histLastRst = relSeq;
    }
  } else if (len) checkHistory(c, e, HIST_DATA_PKT, 'D');
  else if (flags & TH_ACK) checkHistory(c, e, HIST_ACK_PKT, 'A');
}

function updateWindow(c: Conn, e: TcpEndpoint, peer: TcpEndpoint, window: number, baseSeq: number, ackSeq: number, flags: number, weird: ConnWeird): void {
  const scale = e.windowScale;
  window = window * 2 ** scale;
  // Zero windows matter unless they come with/after a RST or after the peer's FIN.
  if (window === 0 && !(flags & TH_RST) && peer.state !== TcpState.Closed && e.state !== TcpState.Reset) {
    scaledHistory(c, e, 'W', 'win0');
  }
  if (!(flags & (TH_SYN | TH_FIN | TH_RST)) && e.state !== TcpState.Closed && e.state !== TcpState.Reset) {
    if (seqDelta(baseSeq, e.windowSeq) >= 0 && seqDelta(ackSeq, e.windowAckSeq) >= 0) {
      const newEdge = (ackSeq + window) >>> 0;
      const oldEdge = (e.windowAckSeq + e.window) >>> 0;
      const advance = seqDelta(newEdge, oldEdge);
      if (advance < 0 && -advance >= 2 ** scale) weird(c, 'window_recision');
      e.window = window;
      e.windowAckSeq = ackSeq;
      e.windowSeq = baseSeq;
    }
  }
}

function initWindow(e: TcpEndpoint, peer: TcpEndpoint, flags: number, scale: number, baseSeq: number, ackSeq: number, c: Conn, weird: ConnWeird): void {
  if (scale < 0) {
    if (flags & TH_ACK) { e.windowScale = 0; peer.windowScale = 0; }
    else e.windowScale = 0;
  } else {
    if (scale > 14) { weird(c, 'TCP_scale_range', String(scale)); scale = 14; } // RFC 7323 §2.3
    e.windowScale = scale;
    e.windowSeq = baseSeq;
    e.windowAckSeq = ackSeq;
    peer.windowSeq = ackSeq;
    peer.windowAckSeq = baseSeq;
  }
}

function initPeer(c: Conn, peer: TcpEndpoint, e: TcpEndpoint, flags: number, ackSeq: number, weird: ConnWeird): void {
  if (!(flags & (TH_SYN | TH_FIN | TH_RST))) {
    if (e.state === TcpState.SynSent || e.state === TcpState.SynAckSent || e.state === TcpState.Established) {
      // We sent a SYN that has not roused the other side, yet we ack their data.
      if (!c.weirds) weird(c, 'possible_split_routing');
    }
  }
  // Number the peer as if its SYN had been seen.
  const s = (ackSeq - 1) >>> 0;
  peer.startSeq = s; peer.ackSeq = s; peer.lastSeq = s;
}

function updateAckSeq(e: TcpEndpoint, ackSeq: number): void {
  const d = seqDelta(ackSeq, e.ackSeq);
  if (ackSeq === 0 && d > TOO_LARGE_SEQ_DELTA) return; // a broken ack, not a huge connection landing on 0
  if (d > 0) e.updateAckSeq(ackSeq);
}

function updateLastSeq(c: Conn, e: TcpEndpoint, lastSeq: number, flags: number, len: number): number {
  const d = seqDelta(lastSeq, e.lastSeq);
  if (flags & (TH_SYN | TH_RST) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA)) {
    // Untrustworthy jump in a SYN or RST.
  } else if (flags & TH_FIN && e.lastSeq === ((e.startSeq + 1) >>> 0)) {
    // Only SYN and FIN seen (a >2 GB connection): trust the FIN.
    e.updateLastSeq(lastSeq);
  } else if (e.state === TcpState.Reset) {
    // Don't trust sequence numbers after a reset.
  } else if (d > 0) e.updateLastSeq(lastSeq);
  else if (len > 0) scaledHistory(c, e, 'T', 'rxmt');
  return d;
}

/** Result of the state machine for the packet: close the endpoint, and whether "finished". */
const close = { doClose: false };

function updateInactive(c: Conn, e: TcpEndpoint, peer: TcpEndpoint, baseSeq: number, ackSeq: number, len: number, isOrig: boolean, flags: number, t: number, timers: TcpTimers, weird: ConnWeird): boolean {
  let flipped = false;
  if (flags & TH_SYN) {
    if (isOrig) {
      if (flags & TH_ACK) {
        weird(c, 'connection_originator_SYN_ack');
        e.setState(TcpState.SynAckSent);
      } else e.setState(TcpState.SynSent);
      if (timers.attemptDelay > 0) c.attemptAt = t + timers.attemptDelay;
    } else {
      if (flags & TH_ACK) {
        if (peer.state !== TcpState.Inactive && peer.state !== TcpState.Partial
            && !seqBetween(ackSeq, peer.startSeq, peer.lastSeq)) weird(c, 'bad_SYN_ack');
      } else if (peer.state === TcpState.SynAckSent && baseSeq === e.startSeq) {
        // A SYN/SYN-ACK reversal (e.g. two interfaces with interrupt coalescence): flip the
        // endpoints and establish the connection.
        c.flipRoles();
        flipped = true;
        peer.setState(TcpState.Established);
      } else weird(c, 'simultaneous_open');
      if (peer.state === TcpState.SynSent) peer.setState(TcpState.Established);
      else if (peer.state === TcpState.Inactive) weird(c, 'unsolicited_SYN_response');
      e.setState(TcpState.Established);
    }
  }
  if (flags & TH_FIN) {
    e.setState(TcpState.Closed);
    close.doClose = true;
    if (peer.state !== TcpState.Partial && !(flags & TH_SYN)) weird(c, 'spontaneous_FIN');
  }
  if (flags & TH_RST) {
    e.setState(TcpState.Reset);
    let isReject = false;
    if (isOrig) {
      // Our peer is established: we saw a SYN-ack but no SYN — a reverse scan, rejected.
      if (peer.state === TcpState.Established) isReject = true;
    } else if (peer.state === TcpState.SynSent || peer.state === TcpState.SynAckSent) isReject = true;
    close.doClose = true;
    if (!isReject && peer.state === TcpState.Inactive) weird(c, 'spontaneous_RST');
  }
  if (e.state === TcpState.Inactive) {
    if (!isOrig && len === 0 && c.tcpOrig!.state === TcpState.SynSent) {
      // Some stacks ack an initial SYN before replying with SYN-ACK: not a partial connection.
    } else if (flags & TH_ACK && peer.state === TcpState.Established) {
      // No SYN from us but a SYN-ACK from the peer and now a pure ACK: we missed our SYN.
      e.setState(TcpState.Established);
    } else e.setState(TcpState.Partial);
  }
  return flipped;
}

function seqBetween(s: number, lo: number, hi: number): boolean {
  return seqDelta(s, lo) >= 0 && seqDelta(s, hi) <= 0;
}

function updateSynSent(c: Conn, e: TcpEndpoint, peer: TcpEndpoint, len: number, isOrig: boolean, flags: number, weird: ConnWeird): void {
  if (flags & TH_SYN) {
    if (isOrig) {
      if (flags & TH_ACK && !(flags & (TH_FIN | TH_RST)) && e.state !== TcpState.SynAckSent) weird(c, 'repeated_SYN_with_ack');
    } else if (!(flags & TH_ACK) && e.state !== TcpState.SynSent) weird(c, 'repeated_SYN_reply_wo_ack');
  }
  if (flags & TH_FIN) {
    if (peer.state === TcpState.Inactive || peer.state === TcpState.SynSent) weird(c, 'inappropriate_FIN');
    e.setState(TcpState.Closed);
    close.doClose = true;
  }
  if (flags & TH_RST) {
    e.setState(TcpState.Reset);
    close.doClose = true;
  } else if (len > 0) weird(c, 'data_before_established');
}

function updateEstablished(c: Conn, e: TcpEndpoint, peer: TcpEndpoint, flags: number, weird: ConnWeird): void {
  if (flags & TH_SYN && e.state === TcpState.Partial && peer.state === TcpState.Inactive && !(flags & TH_ACK)) {
    weird(c, 'SYN_after_partial');
    e.setState(TcpState.SynSent);
  }
  if (flags & TH_FIN && !(flags & TH_RST)) {
    e.setState(TcpState.Closed);
    // The peer sent FIN then RST: that was a normal termination after all.
    if (peer.state === TcpState.Reset && peer.prevState === TcpState.Closed) peer.setState(TcpState.Closed);
    close.doClose = true;
  }
  if (flags & TH_RST) {
    e.setState(TcpState.Reset);
    close.doClose = true;
  }
}

function updateClosed(c: Conn, e: TcpEndpoint, peer: TcpEndpoint, deltaLast: number, flags: number, weird: ConnWeird): void {
  if (flags & TH_SYN) weird(c, 'SYN_after_close');
  if (flags & TH_FIN && deltaLast > 0) weird(c, 'FIN_advanced_last_seq');
  // After a FIN exchange, a RST changes nothing.
  if (flags & TH_RST && peer.state !== TcpState.Closed) {
    e.setState(TcpState.Reset);
    if (!e.didClose) close.doClose = true; // RST after FIN
  }
}

function updateReset(c: Conn, len: number, flags: number, weird: ConnWeird): void {
  if (flags & TH_SYN) weird(c, 'SYN_after_reset');
  if (flags & TH_FIN) weird(c, 'FIN_after_reset');
  if (len > 0 && !(flags & TH_RST)) weird(c, 'data_after_reset');
}

/** Zeek's ConnectionClosed: marks the endpoint closed and schedules the connection's removal. */
function connectionClosed(c: Conn, e: TcpEndpoint, peer: TcpEndpoint, timers: TcpTimers): void {
  if (e.didClose) return;
  e.didClose = true;
  const complete = e.state === TcpState.Reset || peer.didClose || peer.state === TcpState.Inactive;
  if (complete) {
    c.closeCompleteAt = c.lastTs + timers.closeDelay;
  } else if (e.prevState === TcpState.Inactive) {
    c.partialCloseAt = c.lastTs + timers.partialCloseDelay;
  } else {
    c.halfCloseAt = c.lastTs + timers.sessionTimer;
  }
}

/**
 * What processTcp learned about the segment, for the stream layer: where its payload sits in the
 * sender's relative sequence space, what it acknowledges, and whether it is usable.
 */
export const tcpSegment = {
  /** Relative sequence of the first payload byte (SYN excluded). */
  relDataSeq: 0,
  /** Relative acknowledgement of the peer's stream, or -1 without a usable ACK. */
  relAck: -1,
  /** Payload must not be reassembled (RST, sequence underflow). */
  skipData: false,
};

/** Processes one TCP segment on connection `c` (Zeek's TCPAnalyzer::DeliverPacket + Process). */
export function processTcp(c: Conn, pkt: Packet, isOrig: boolean, timers: TcpTimers, weird: ConnWeird): void {
  const e = isOrig ? c.tcpOrig! : c.tcpResp!;
  const peer = isOrig ? c.tcpResp! : c.tcpOrig!;
  const flags = pkt.tcpFlags;
  const baseSeq = pkt.seq;
  const ackSeq = pkt.ack;
  const len = pkt.payloadLen;
  const t = pkt.ts;

  let segLen = len;
  if (flags & TH_SYN) segLen++;
  if (flags & TH_FIN) segLen++;
  if (flags & TH_RST) segLen -= len; // RST payload is not part of the stream
  const seqOnePast = (baseSeq + segLen) >>> 0;

  initEndpoint(c, e, flags, baseSeq, seqOnePast, t, weird, peer);
  underflow.v = false;
  const relSeq = relativeSeq(e, baseSeq, e.lastSeq, e.seqWraps);
  if (underflow.v && !(flags & TH_RST)) weird(c, 'TCP_seq_underflow_or_misorder');

  updateHistory(c, flags, e, relSeq, len);
  updateWindow(c, e, peer, pkt.window, baseSeq, ackSeq, flags, weird);

  if (!c.tcpOrig!.didClose || !c.tcpResp!.didClose) c.lastTs = t;

  if (flags & TH_SYN) {
    if (flags & TH_RST) weird(c, 'TCP_christmas');
    if (flags & TH_URG) weird(c, 'baroque_SYN');
    if (len > 0) weird(c, 'SYN_with_data');
    initWindow(e, peer, flags, pkt.windowScale, baseSeq, ackSeq, c, weird);
  }
  if (flags & TH_FIN) e.finCnt++;
  if (flags & TH_RST) e.rstCnt++;

  const seqUnderflow = underflow.v;
  tcpSegment.relAck = -1;
  if (flags & TH_ACK) {
    if (peer.state === TcpState.Inactive) {
      initPeer(c, peer, e, flags, ackSeq, weird);
      tcpSegment.relAck = 1;
    } else {
      underflow.v = false;
      const relAck = relativeSeq(peer, ackSeq, peer.ackSeq, peer.ackWraps);
      if (underflow.v) weird(c, 'TCP_ack_underflow_or_misorder');
      else {
        // Acks in RSTs aren't trusted (nor used to find content gaps).
        if (!(flags & TH_RST)) {
          updateAckSeq(peer, ackSeq);
          tcpSegment.relAck = relAck;
        }
      }
    }
  }
  tcpSegment.relDataSeq = flags & TH_SYN ? relSeq + 1 : relSeq;
  tcpSegment.skipData = (flags & TH_RST) !== 0 || seqUnderflow;

  const deltaLast = updateLastSeq(c, e, seqOnePast, flags, len);
  e.lastTime = t;

  close.doClose = false;
  let flipped = false;
  switch (e.state) {
    case TcpState.Inactive:
      flipped = updateInactive(c, e, peer, baseSeq, ackSeq, len, isOrig, flags, t, timers, weird);
      break;
    case TcpState.SynSent:
    case TcpState.SynAckSent:
      updateSynSent(c, e, peer, len, isOrig, flags, weird);
      break;
    case TcpState.Established:
    case TcpState.Partial:
      updateEstablished(c, e, peer, flags, weird);
      break;
    case TcpState.Closed:
      updateClosed(c, e, peer, deltaLast, flags, weird);
      break;
    case TcpState.Reset:
      updateReset(c, len, flags, weird);
      break;
  }
  void flipped;
  if (close.doClose) connectionClosed(c, e, peer, timers);
}

/**
 * Zeek's IsReuse: a SYN on an existing connection that looks like a new connection with the
 * same 5-tuple (the old one closed, or a different initial sequence number).
 */
export function isTcpReuse(c: Conn, pkt: Packet, t: number, timers: TcpTimers, weird: ConnWeird): boolean {
  const flags = pkt.tcpFlags;
  if (!(flags & TH_SYN)) return false;
  const orig = c.tcpOrig!, resp = c.tcpResp!;
  let connOrig = orig;
  if (flags & TH_ACK) {
    if (orig.state !== TcpState.Inactive) return false; // not a half connection
    connOrig = resp;
  }
  if (!orig.didClose && !resp.didClose) {
    if (pkt.seq === connOrig.startSeq) return false;
    if (!(flags & TH_ACK) && connOrig.state === TcpState.SynAckSent && resp.state === TcpState.Inactive && pkt.seq === resp.startSeq) {
      // SYN and SYN-ACK seen in flipped order: not a reuse, the state machine will flip.
      return false;
    }
    if (connOrig.state === TcpState.SynSent) weird(c, 'SYN_seq_jump');
    else weird(c, 'active_connection_reuse');
  } else if ((isActive(orig) || isActive(resp)) && orig.state !== TcpState.Reset && resp.state !== TcpState.Reset) {
    weird(c, 'active_connection_reuse');
  } else if (t - c.lastTs < timers.connectionLinger && orig.state !== TcpState.Reset && resp.state !== TcpState.Reset) {
    weird(c, 'premature_connection_reuse');
  }
  return true;
}

function isActive(e: TcpEndpoint): boolean {
  return e.state !== TcpState.Inactive && !e.didClose;
}

/**
 * Sets `c.deadline`: when Zeek's timers would remove this connection if no further packet arrives.
 * Encodes the attempt, close, partial-close and expire timers and the inactivity timeout.
 * Stored here rather than returned: a double returned from a call that is not inlined is boxed,
 * one HeapNumber per TCP packet (bench/engine-stages.ts --alloc flow), while a store into the
 * connection's double field updates it in place.
 */
export function setTcpDeadline(c: Conn, timers: TcpTimers, inactivity: number): void {
  const o = c.tcpOrig!, r = c.tcpResp!;
  let deadline = c.lastTs + inactivity;
  if (c.closeCompleteAt < deadline) deadline = c.closeCompleteAt;
  if ((o.state === TcpState.SynSent || o.state === TcpState.SynAckSent) && r.state === TcpState.Inactive && c.attemptAt < deadline) {
    deadline = c.attemptAt;
  }
  if (c.partialCloseAt < deadline && o.state !== TcpState.Inactive && r.state !== TcpState.Inactive
      && !(o.didClose && r.didClose) && o.state !== TcpState.Reset && r.state !== TcpState.Reset) {
    deadline = c.partialCloseAt;
  }
  if (o.didClose || r.didClose) {
    const removable = (o.didClose && r.didClose) || o.state === TcpState.Reset || r.state === TcpState.Reset
      || o.state === TcpState.Inactive || r.state === TcpState.Inactive;
    if (removable) {
      // The expire timer fires at start+SYN_timeout then every session_timer (and once more
      // session_timer after a half close); it removes the connection once it has been idle
      // for longer than the linger time.
      const idleFrom = c.lastTs + timers.connectionLinger;
      const k = Math.floor((idleFrom - c.expireAnchor) / timers.sessionTimer) + 1;
      let fire = c.expireAnchor + Math.max(0, k) * timers.sessionTimer;
      if (fire <= idleFrom) fire += timers.sessionTimer;
      if (c.halfCloseAt > idleFrom && c.halfCloseAt < fire) fire = c.halfCloseAt;
      if (fire < deadline) deadline = fire;
    }
  }
  c.deadline = deadline;
}
