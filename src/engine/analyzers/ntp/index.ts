/**
 * The NTP analyzer (UDP 123, Zeek's NTP::ports; port only): ntp.log, one record per message of
 * modes 1-5 at the time it is seen, as base/protocols/ntp/main.zeek writes it.
 *
 * Deliberate differences from Zeek (NTP analyzer in binpac):
 * - root_delay and root_disp are RFC 5905's unsigned 16.16 fixed point; Zeek reads both halves
 *   as signed 16-bit numbers, so a fraction of 0.5 or more comes out negative.
 * - Extension fields are counted with RFC 7822's framing (type, length); Zeek parses the RFC 5906
 *   Autokey layout. They agree on well-formed Autokey fields.
 * - Zeek flips the connection's roles when the first message is a server reply from the
 *   originator (or a client request from the responder); conn.log here keeps the first sender
 *   as the originator.
 * - Timestamps are read as Zeek reads them, in era 0 (1900-2036): tshark applies RFC 4330 §3
 *   and puts values with the top bit clear in 2036-2104. Mode 0 is logged with only version and
 *   mode, as Zeek does.
 * - A message shorter than its mode's header is a weird (NTP_truncated), and a violation before
 *   the first good message; binpac throws.
 */
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer } from '../analyzer.js';
import { NTP_LOG } from './ntp-log.js';
import { type NtpMessage, parseNtp } from './parser.js';
import { ParsedDatagrams } from '../parsed-datagrams.js';

class NtpDatagram implements DatagramAnalyzer {
  private readonly front: ParsedDatagrams<NtpMessage>;

  constructor(private readonly ctx: AnalyzerContext) {
    this.front = new ParsedDatagrams(ctx, parseNtp);
  }

  packet(_isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const m = this.front.accept(buf, off, len);
    if (!m) return;
    this.front.confirm();
    const ctx = this.ctx;
    if (m.mode > 5) return; // control (6) and private (7) messages are not logged
    const s = m.std;
    ctx.log(NTP_LOG, {
      ts: ctx.now(), ...ctx.connFields(), version: m.version, mode: m.mode,
      stratum: s?.stratum, poll: s?.poll, precision: s?.precision, root_delay: s?.rootDelay, root_disp: s?.rootDisp,
      ref_id: s?.refId, ref_time: s?.refTime, org_time: s?.orgTime, rec_time: s?.recTime, xmt_time: s?.xmtTime,
      num_exts: s?.numExts ?? 0,
    });
  }

  done(): void {}
}

export const NTP_ANALYZER: AnalyzerDescriptor = {
  name: 'ntp',
  udpPorts: [123],
  createDatagram: (ctx) => new NtpDatagram(ctx),
};
