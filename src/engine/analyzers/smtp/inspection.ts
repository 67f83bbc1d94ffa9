/**
 * SMTP inspection units (detect/inspection.ts): one unit per mail transaction with Suricata 7's
 * envelope buffers, handed over when the envelope is complete (DATA or the first BDAT) or when
 * the session ends with an envelope (or only a greeting) not yet inspected:
 * - smtp.helo: the HELO/EHLO argument (the rest of the line);
 * - smtp.mail_from: the MAIL FROM: argument up to the first space ("<a@b.example>", the SIZE=...
 *   parameters left out, as Suricata's parser does);
 * - smtp.rcpt_to: each RCPT TO: argument likewise (at most LIMITS.inspectMaxValues).
 * Attachments reach the engine as file units (files framework).
 */
import type { AnalyzerContext } from '../analyzer.js';
import type { BufferName, InspectionUnit } from '../../detect/inspection.js';
import { LIMITS } from '../../support/limits.js';

/** The argument after "FROM:" / "TO:" and any spaces, up to the next space. */
function pathArg(arg: string, prefixLen: number): Buffer {
  let i = prefixLen;
  while (i < arg.length && arg.charCodeAt(i) === 0x20) i++;
  let e = i;
  while (e < arg.length && arg.charCodeAt(e) !== 0x20) e++;
  return Buffer.from(arg.slice(i, e), 'latin1');
}

export class SmtpEnvelope {
  private helo: Buffer | undefined;
  private from: Buffer | undefined;
  private rcpt: Buffer[] = [];
  /** Something arrived that no unit carried yet. */
  private pending = false;
  private tx = 0;

  constructor(private readonly ctx: AnalyzerContext) {}

  /** A client command, verb upper-cased, arg latin1 as sent. */
  command(verb: string, arg: string): void {
    switch (verb) {
      case 'HELO': case 'EHLO':
        this.helo = Buffer.from(arg.trimEnd(), 'latin1');
        this.pending = true;
        return;
      case 'MAIL':
        if (!/^from:/i.test(arg)) return;
        this.from = pathArg(arg, 5);
        this.rcpt = [];
        this.pending = true;
        return;
      case 'RCPT':
        if (!/^to:/i.test(arg)) return;
        if (this.rcpt.length < LIMITS.inspectMaxValues) this.rcpt.push(pathArg(arg, 3));
        this.pending = true;
        return;
      case 'DATA': case 'BDAT':
        this.flush();
        return;
      case 'RSET':
        this.from = undefined;
        this.rcpt = [];
    }
  }

  /** Hands over the current envelope, if anything in it was not inspected yet. */
  flush(): void {
    if (!this.pending) return;
    this.pending = false;
    const buffers: Partial<Record<BufferName, Uint8Array | readonly Uint8Array[]>> = {};
    if (this.helo !== undefined) buffers['smtp.helo'] = this.helo;
    if (this.from !== undefined) buffers['smtp.mail_from'] = this.from;
    if (this.rcpt.length > 0) buffers['smtp.rcpt_to'] = this.rcpt;
    const unit: InspectionUnit = { proto: 'smtp', isOrig: true, buffers, txId: this.tx++ };
    this.from = undefined;
    this.rcpt = [];
    this.ctx.inspect(unit);
  }
}
