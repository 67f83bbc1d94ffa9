/**
 * The syslog analyzer over UDP (514, Zeek's Syslog::ports; and a strict probe on other UDP
 * ports) and TCP (514, Zeek's Syslog::tcp_ports, RFC 6587 framing): syslog.log, one record per
 * message at the time it is seen, as Zeek's base/protocols/syslog/main.zeek and its Spicy
 * grammar (syslog.spicy: Syslog::Message for UDP, Syslog::Frames for TCP).
 *
 * Like Zeek, every datagram to port 514 is a message: one without a PRI part is logged with
 * facility and severity UNSPECIFIED, and nothing is a violation there. An empty datagram is
 * skipped (weird syslog_empty_message).
 *
 * Deliberate differences from Zeek:
 * - A PRI of more than 10 digits is not taken as a PRI (the whole datagram is the message);
 *   Zeek's to_uint would fail on a value past 2^64 and drop the message.
 * - TCP: a non-transparent-framed message cut short by the end of the stream (no trailing LF)
 *   is still logged; after a content gap, or a frame over LIMITS.syslogMaxMessageBytes, that
 *   side is not parsed any more (weirds syslog_content_gap, syslog_message_too_long).
 */
import { LIMITS } from '../../support/limits.js';
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer, ProbeResult, StreamAnalyzer } from '../analyzer.js';
import { facilityName, parseSyslog, readPri, severityName } from './parser.js';
import { SYSLOG_LOG } from './syslog-log.js';

class SyslogDatagram implements DatagramAnalyzer {
  private confirmed = false;

  constructor(private readonly ctx: AnalyzerContext) {}

  packet(_isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const ctx = this.ctx;
    if (len === 0) {
      ctx.weird('syslog_empty_message');
      return;
    }
    const m = parseSyslog(buf, off, len);
    if (!this.confirmed) {
      this.confirmed = true;
      ctx.confirm();
    }
    ctx.log(SYSLOG_LOG, {
      ts: ctx.now(), ...ctx.connFields(), proto: 'udp',
      facility: facilityName(m.facility), severity: severityName(m.severity), message: m.message,
    });
  }

  done(): void {}
}

/** One direction of a TCP syslog stream: the bytes of the frame being read. */
class Side {
  buf: Buffer = Buffer.alloc(0);
  lost = false;
}

const isTerm = (b: number) => b === 0x00 || b === 0x0a || b === 0x0d;

/**
 * RFC 6587 over TCP, as Zeek's Syslog::Frames: each frame is either octet-counted ("LEN SP" then
 * a message of LEN bytes, §3.4.1) or non-transparent (a PRI, text up to NUL/CR/LF, then any run
 * of those, §3.4.2). Anything else is not syslog.
 */
class SyslogStream implements StreamAnalyzer {
  private confirmed = false;
  private stopped = false;
  private readonly sides = [new Side(), new Side()];

  constructor(private readonly ctx: AnalyzerContext) {}

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const side = this.sides[isOrig ? 0 : 1];
    if (side.lost || this.stopped) return;
    const b = side.buf.length ? Buffer.concat([side.buf, buf.subarray(off, off + len)]) : buf.subarray(off, off + len);
    let p = 0;
    while (p < b.length && !side.lost && !this.stopped) {
      const used = this.frame(b, p, false);
      if (used <= 0) break; // need more bytes, or not syslog
      p += used;
    }
    const rest = b.length - p;
    if (!side.lost && rest > LIMITS.syslogMaxMessageBytes) {
      this.ctx.weird('syslog_message_too_long');
      side.lost = true;
    }
    side.buf = side.lost || this.stopped || rest === 0 ? Buffer.alloc(0) : Buffer.from(b.subarray(p));
  }

  /** Bytes used by the frame at b[p]: 0 when incomplete, -1 when it is not syslog (stopped). */
  private frame(b: Buffer, p: number, atEof: boolean): number {
    const end = b.length;
    const c = b[p];
    if (c >= 0x31 && c <= 0x39) {
      let q = p, n = 0;
      while (q < end && q - p < 10 && b[q] >= 0x30 && b[q] <= 0x39) n = n * 10 + b[q++] - 0x30;
      if (q === end) return 0;
      if (b[q] !== 0x20) return this.bad('bad syslog frame length');
      if (n > LIMITS.syslogMaxMessageBytes) {
        this.ctx.weird('syslog_message_too_long');
        return this.bad('syslog frame too long');
      }
      if (end - (q + 1) < n) return 0;
      this.emit(b, q + 1, n);
      return q + 1 + n - p;
    }
    if (c !== 0x3c) return this.bad('not syslog');
    let t = p;
    while (t < end && !isTerm(b[t])) t++;
    if (t === end && !atEof) return 0;
    const pri = readPri(b, p, t);
    if (!pri || pri.len === t - p) return this.bad('not syslog'); // Zeek needs a PRI and text
    this.emit(b, p, t - p);
    while (t < end && isTerm(b[t])) t++;
    return t - p;
  }

  private emit(b: Buffer, off: number, len: number): void {
    const ctx = this.ctx;
    const m = parseSyslog(b, off, len);
    if (!this.confirmed) {
      this.confirmed = true;
      ctx.confirm();
    }
    ctx.log(SYSLOG_LOG, {
      ts: ctx.now(), ...ctx.connFields(), proto: 'tcp',
      facility: facilityName(m.facility), severity: severityName(m.severity), message: m.message,
    });
  }

  private bad(reason: string): number {
    this.ctx.weird('syslog_bad_frame');
    this.stopped = true;
    this.ctx.violation(reason);
    return -1;
  }

  gap(isOrig: boolean, _len: number): void {
    const side = this.sides[isOrig ? 0 : 1];
    if (!side.lost) this.ctx.weird('syslog_content_gap');
    side.lost = true;
    side.buf = Buffer.alloc(0);
  }

  eof(isOrig: boolean): void {
    const side = this.sides[isOrig ? 0 : 1];
    if (!side.lost && !this.stopped && side.buf.length > 0 && side.buf[0] === 0x3c) this.frame(side.buf, 0, true);
    side.buf = Buffer.alloc(0);
  }

  done(): void {}
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/**
 * Off port 514 a datagram is syslog only with a PRI of at most 191 (RFC 5424 §6.2.1: facility
 * 0-23) followed by an RFC 5424 version ("1 ") or an RFC 3164 timestamp ("Mmm ").
 */
function probe(_isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult {
  if (transport !== 'udp') return 'no';
  const end = off + len;
  const pri = readPri(buf, off, end);
  if (!pri || pri.len > 5 || pri.value > 191) return 'no';
  const p = off + pri.len;
  if (end - p >= 2 && buf[p] === 0x31 && buf[p + 1] === 0x20) return 'yes';
  if (end - p >= 4 && buf[p + 3] === 0x20) {
    const m = buf.toString('latin1', p, p + 3);
    if (m.length === 3 && MONTHS.indexOf(m) % 3 === 0) return 'yes';
  }
  return 'no';
}

const createDatagram = (ctx: AnalyzerContext) => new SyslogDatagram(ctx);
const createStream = (ctx: AnalyzerContext) => new SyslogStream(ctx);

export const SYSLOG_ANALYZERS: readonly AnalyzerDescriptor[] = [
  { name: 'syslog', udpPorts: [514], tcpPorts: [514], createDatagram, createStream },
  { name: 'syslog', probe, probeAnyPort: true, createDatagram },
];
