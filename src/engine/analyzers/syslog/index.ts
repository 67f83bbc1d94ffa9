/**
 * The syslog analyzer over UDP (514, Zeek's Syslog::ports; and a strict probe on other UDP
 * ports): syslog.log, one record per datagram at the time it is seen, as Zeek's
 * base/protocols/syslog/main.zeek and its Spicy grammar.
 *
 * Like Zeek, every datagram to port 514 is a message: one without a PRI part is logged with
 * facility and severity UNSPECIFIED, and nothing is a violation there. An empty datagram is
 * skipped (weird syslog_empty_message).
 *
 * Deliberate differences from Zeek:
 * - A PRI of more than 10 digits is not taken as a PRI (the whole datagram is the message);
 *   Zeek's to_uint would fail on a value past 2^64 and drop the message.
 * - Syslog over TCP (RFC 6587 framing, Zeek's Syslog_TCP on 514/tcp) is not analysed.
 */
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer, ProbeResult } from '../analyzer.js';
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

export const SYSLOG_ANALYZERS: readonly AnalyzerDescriptor[] = [
  { name: 'syslog', udpPorts: [514], createDatagram },
  { name: 'syslog', probe, probeAnyPort: true, createDatagram },
];
