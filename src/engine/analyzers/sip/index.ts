/**
 * The SIP analyzer over UDP and TCP (port 5060, Zeek's SIP::ports plus TCP; and a probe on any
 * other port): sip.log as base/protocols/sip/main.zeek writes it (see state.ts). Over UDP each
 * datagram is one message; over TCP messages are framed by their empty line and Content-Length
 * (RFC 3261 §18.3), and bodies are skipped, never buffered.
 *
 * Deliberate differences from Zeek:
 * - Zeek registers SIP for 5060/udp only (its SIP_TCP analyzer is not attached by default);
 *   here TCP 5060 and SIP found by probe on TCP are analysed too.
 * - Folded header lines (obsolete, RFC 3261 §7.3.1) are not joined; a line without a colon is
 *   weird SIP_bad_header and skipped.
 * - TCP: after a content gap, or a message head larger than LIMITS.sipMaxHeadBytes, that side
 *   is not parsed any more (weirds SIP_content_gap, SIP_head_too_large).
 */
import { LIMITS } from '../../support/limits.js';
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer, ProbeResult, StreamAnalyzer } from '../analyzer.js';
import { parseSipHead, parseStartLine, type SipHead } from './parser.js';
import { SipState } from './state.js';
import { sipRequestUnit } from './inspection.js';
import { latin1Text } from '../../support/wire-text.js';

class SipSession {
  readonly state: SipState;
  confirmed = false;
  stopped = false;
  /** The detection engine wants SIP units. */
  private readonly inspecting: boolean;

  constructor(readonly ctx: AnalyzerContext) {
    this.state = new SipState(ctx);
    this.inspecting = ctx.inspecting('sip');
  }

  /** One message head at buf[off, off+len): the parsed head, undefined when it is not SIP. */
  message(isOrig: boolean, buf: Buffer, off: number, len: number, udp: boolean): SipHead | undefined {
    if (this.stopped) return undefined;
    const ctx = this.ctx;
    const head = parseSipHead(buf, off, len);
    if (!head) {
      ctx.weird('SIP_bad_start_line');
      if (!this.confirmed) {
        this.stopped = true;
        ctx.violation('not a SIP start line');
      }
      return undefined;
    }
    if (head.weirds) for (const w of head.weirds) ctx.weird(w);
    if (!this.confirmed) {
      this.confirmed = true;
      ctx.confirm();
    }
    if (udp && !head.complete) ctx.weird('SIP_truncated_headers');
    if (this.inspecting) {
      const unit = sipRequestUnit(head, isOrig);
      if (unit) ctx.inspect(unit);
    }
    this.state.message(isOrig, head, head.complete);
    return head;
  }
}

class SipDatagram implements DatagramAnalyzer {
  private readonly s: SipSession;
  constructor(ctx: AnalyzerContext) {
    this.s = new SipSession(ctx);
  }
  packet(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    // Keep-alives (RFC 5626 §3.5.1: CRLF pairs; some phones send spaces) are not messages.
    let p = off;
    const end = off + len;
    while (p < end && (buf[p] === 0x0d || buf[p] === 0x0a || buf[p] === 0x20 || buf[p] === 0x09)) p++;
    if (p < end) this.s.message(isOrig, buf, p, end - p, true);
  }
  done(): void {
    this.s.state.flush();
  }
}

/** One direction of a TCP SIP stream. */
class Side {
  /** The head being collected (bounded by LIMITS.sipMaxHeadBytes). */
  head: Buffer[] = [];
  headLen = 0;
  /** Body bytes still to skip. */
  skip = 0;
  lost = false;
}

class SipStream implements StreamAnalyzer {
  private readonly s: SipSession;
  private readonly sides = [new Side(), new Side()];

  constructor(private readonly ctx: AnalyzerContext) {
    this.s = new SipSession(ctx);
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const side = this.sides[isOrig ? 0 : 1];
    const end = off + len;
    let p = off;
    while (p < end && !side.lost && !this.s.stopped) {
      if (side.skip > 0) {
        const n = Math.min(side.skip, end - p);
        side.skip -= n;
        p += n;
        continue;
      }
      if (side.headLen === 0) {
        while (p < end && (buf[p] === 0x0d || buf[p] === 0x0a)) p++; // keep-alives between messages
        if (p === end) break;
      }
      // Find the empty line ending the head, looking back a few bytes into what was kept.
      const stop = headEnd(buf, p, end, side);
      const take = stop < 0 ? end - p : stop - p;
      if (side.headLen + take > LIMITS.sipMaxHeadBytes) {
        this.ctx.weird('SIP_head_too_large');
        this.lose(side);
        break;
      }
      side.head.push(Buffer.from(buf.subarray(p, p + take)));
      side.headLen += take;
      p += take;
      if (stop < 0) break;
      const head = side.head.length === 1 ? side.head[0] : Buffer.concat(side.head);
      side.head = [];
      side.headLen = 0;
      const h = this.s.message(isOrig, head, 0, head.length, false);
      if (!h) {
        this.lose(side);
        break;
      }
      side.skip = h.contentLength ?? 0;
    }
  }

  gap(isOrig: boolean, _len: number): void {
    const side = this.sides[isOrig ? 0 : 1];
    if (!side.lost) this.ctx.weird('SIP_content_gap');
    this.lose(side);
  }

  eof(isOrig: boolean): void {
    // A head cut short by the end of the stream is used for what it holds (no end of entity).
    const side = this.sides[isOrig ? 0 : 1];
    if (side.headLen > 0 && !side.lost) {
      const head = Buffer.concat(side.head);
      const h = parseSipHead(head, 0, head.length);
      if (h && this.s.confirmed) this.s.state.message(isOrig, h, false);
    }
    side.head = [];
    side.headLen = 0;
  }

  done(): void {
    this.s.state.flush();
  }

  private lose(side: Side): void {
    side.lost = true;
    side.head = [];
    side.headLen = 0;
  }
}

/** Offset just past the empty line ending a head within buf[p, end), or -1. Also finds an
 *  empty line whose first bytes were in the previous chunk (kept in side.head). */
function headEnd(buf: Buffer, p: number, end: number, side: Side): number {
  for (let i = buf.indexOf(0x0a, p); i >= 0 && i < end; i = buf.indexOf(0x0a, i + 1)) {
    // LF LF, or LF CR LF, ending here.
    const b1 = i - 1 >= p ? buf[i - 1] : lastByte(side, 1);
    if (b1 === 0x0a) return i + 1;
    if (b1 === 0x0d) {
      const b2 = i - 2 >= p ? buf[i - 2] : lastByte(side, i - 1 >= p ? 1 : 2);
      if (b2 === 0x0a) return i + 1;
    }
  }
  return -1;
}

/** The k-th last byte already kept for the head (k = 1, 2), or -1. */
function lastByte(side: Side, k: number): number {
  for (let j = side.head.length - 1; j >= 0; j--) {
    const b = side.head[j];
    if (b.length >= k) return b[b.length - k];
    k -= b.length;
  }
  return -1;
}

/** A SIP/2.0 start line (request with a letters-only method, or status line). */
function probe(_isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  const n = Math.min(len, 2048);
  const nl = buf.indexOf(0x0a, off);
  if (nl < 0 || nl >= off + n) return len < 2048 && looksLikeStart(buf, off, off + n) ? 'more' : 'no';
  const s = parseStartLine(buf, off, off + n);
  return s && s.version === '2.0' ? 'yes' : 'no';
}

/** The first bytes could still become a SIP start line. */
function looksLikeStart(buf: Buffer, off: number, end: number): boolean {
  if (end - off >= 4 && latin1Text(buf, off, off + 4) === 'SIP/') return true;
  let p = off;
  while (p < end && ((buf[p] >= 0x41 && buf[p] <= 0x5a) || (buf[p] >= 0x61 && buf[p] <= 0x7a))) p++;
  return p > off && (p === end || buf[p] === 0x20) && p - off <= 32;
}

const createDatagram = (ctx: AnalyzerContext) => new SipDatagram(ctx);
const createStream = (ctx: AnalyzerContext) => new SipStream(ctx);

export const SIP_ANALYZERS: readonly AnalyzerDescriptor[] = [
  { name: 'sip', udpPorts: [5060], tcpPorts: [5060], createDatagram, createStream },
  { name: 'sip', probe, probeAnyPort: true, createDatagram, createStream },
];
