/**
 * The common front of message-per-datagram analyzers (DHCP, NTP, SNMP, RADIUS): parse a
 * datagram; a parse error is a weird, and before the protocol was confirmed also a violation
 * that stops the analyzer; a clean parse reports the message's own weirds and confirms.
 */
import type { AnalyzerContext } from './analyzer.js';

/** What a datagram parser returns: a message (with anomalies found on the way) or an error. */
export type DatagramParse<M extends { weirds?: string[] }> = { msg: M } | { error: string; weird: string };

export class ParsedDatagrams<M extends { weirds?: string[] }> {
  private confirmed = false;
  /** Stopped after a violation: later datagrams are ignored. */
  stopped = false;

  constructor(
    private readonly ctx: AnalyzerContext,
    private readonly parse: (buf: Buffer, off: number, len: number) => DatagramParse<M>,
  ) {}

  /** The datagram's message, or undefined when it did not parse (already reported). */
  accept(buf: Buffer, off: number, len: number): M | undefined {
    if (this.stopped) return undefined;
    const r = this.parse(buf, off, len);
    if ('error' in r) {
      this.ctx.weird(r.weird);
      this.reject(r.error);
      return undefined;
    }
    if (r.msg.weirds) for (const w of r.msg.weirds) this.ctx.weird(w);
    return r.msg;
  }

  /** The message is this protocol: confirm it (once). */
  confirm(): void {
    if (this.confirmed) return;
    this.confirmed = true;
    this.ctx.confirm();
  }

  /** The message is not this protocol: before confirmation, a violation that stops the analyzer. */
  reject(reason: string): void {
    if (this.confirmed) return;
    this.stopped = true;
    this.ctx.violation(reason);
  }
}
