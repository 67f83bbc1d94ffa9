/**
 * The DHCP analyzer (UDP 67, 68, and 4011 for proxyDHCP, as Zeek's DHCP::ports; port only, no
 * probe), producing dhcp.log with Zeek 3+ semantics: one record per transaction id, merged
 * across the several UDP "connections" an exchange uses (see state.ts).
 *
 * Deliberate differences from Zeek (DHCP analyzer in binpac, base/protocols/dhcp/main.zeek):
 * - An option whose length runs past the datagram ends the options (weird DHCP_truncated_option)
 *   and the message is used for what was read; binpac throws and drops the whole message.
 * - An option whose length is wrong for its code (a 3-byte lease time) is skipped (weird
 *   DHCP_bad_option_length); binpac reads it misaligned.
 * - A message without a message type option (plain BOOTP) is a violation before the first
 *   DHCP message and otherwise skipped; Zeek logs it as "unknown-message-type-0".
 * - The join table is per process, not per engine (the contract has no engine scope): two
 *   captures analysed at the same time in one process could merge transactions sharing a xid.
 */
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer } from '../analyzer.js';
import { parseDhcp } from './parser.js';
import { DhcpJoin } from './state.js';

class DhcpDatagram implements DatagramAnalyzer {
  private confirmed = false;
  private stopped = false;

  constructor(private readonly ctx: AnalyzerContext, private readonly join: DhcpJoin) {}

  packet(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.stopped) return;
    const ctx = this.ctx;
    const r = parseDhcp(buf, off, len);
    if ('error' in r) {
      ctx.weird(r.weird);
      if (!this.confirmed) {
        this.stopped = true;
        ctx.violation(r.error);
      }
      return;
    }
    const msg = r.msg;
    if (msg.weirds) for (const w of msg.weirds) ctx.weird(w);
    if (msg.msgType === 0) {
      if (!this.confirmed) {
        this.stopped = true;
        ctx.violation('no DHCP message type option');
      }
      return;
    }
    if (!this.confirmed) {
      this.confirmed = true;
      ctx.confirm();
    }
    this.join.message(ctx, isOrig, msg, ctx.now());
  }

  done(): void {
    this.join.connDone(this.ctx, this.ctx.now());
  }
}

/**
 * A DHCP analyzer. Transactions span connections, so they are joined in a table shared by the
 * run's connections (ctx.shared); tests may pass their own table.
 */
export function dhcpAnalyzer(join?: DhcpJoin): AnalyzerDescriptor {
  return {
    name: 'dhcp',
    udpPorts: [67, 68, 4011],
    createDatagram: (ctx) => new DhcpDatagram(ctx, join ?? ctx.shared('dhcp.join', () => new DhcpJoin())),
  };
}

export const DHCP_ANALYZER: AnalyzerDescriptor = dhcpAnalyzer();
