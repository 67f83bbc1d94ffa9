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
import { type DhcpMessage, parseDhcp } from './parser.js';
import { ParsedDatagrams } from '../parsed-datagrams.js';
import { DhcpJoin } from './state.js';

class DhcpDatagram implements DatagramAnalyzer {
  private readonly front: ParsedDatagrams<DhcpMessage>;

  constructor(private readonly ctx: AnalyzerContext, private readonly join: DhcpJoin) {
    this.front = new ParsedDatagrams(ctx, parseDhcp);
  }

  packet(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const msg = this.front.accept(buf, off, len);
    if (!msg) return;
    if (msg.msgType === 0) {
      this.front.reject('no DHCP message type option');
      return;
    }
    this.front.confirm();
    const ctx = this.ctx;
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
