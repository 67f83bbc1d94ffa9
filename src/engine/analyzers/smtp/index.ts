/**
 * SMTP (smtp.log, and files.log for the MIME entities of each message). Recognised on Zeek's
 * SMTP ports and, by its probe, on any port: the server greets first with "220" and a text
 * naming (E)SMTP, or the client opens with EHLO/HELO. A bare "220 " greeting is also FTP's, so
 * it alone is no evidence.
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { SmtpAnalyzer, type SmtpOptions } from './smtp-analyzer.js';

/** Bytes of a first line looked at by the probe. */
const PROBE_LINE_BYTES = 512;

function firstLine(buf: Buffer, off: number, len: number): string | undefined {
  const n = Math.min(len, PROBE_LINE_BYTES);
  const nl = buf.indexOf(10, off);
  if (nl < 0 || nl >= off + n) return n >= PROBE_LINE_BYTES ? buf.toString('latin1', off, off + n) : undefined;
  return buf.toString('latin1', off, nl);
}

export function probeSmtp(isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  if (len === 0) return 'more';
  const line = firstLine(buf, off, len);
  if (isOrig) {
    const head = buf.toString('latin1', off, off + Math.min(len, 5)).toUpperCase();
    if (!'EHLO '.startsWith(head) && !'HELO '.startsWith(head)) return 'no';
    if (line === undefined) return 'more';
    return /^(EHLO|HELO) [\x21-\x7e]/i.test(line) ? 'yes' : 'no';
  }
  const head = buf.toString('latin1', off, off + Math.min(len, 4));
  if (!/^(2(2(0([ -])?)?)?)?$/.test(head)) return 'no';
  if (line === undefined) return 'more';
  if (/^220[ -].*\bE?SMTP\b/i.test(line)) return 'yes';
  // A plain 220 greeting: let the client's first command decide.
  return /^220[ -]/.test(line) ? 'more' : 'no';
}

export function smtpAnalyzer(opts: Partial<SmtpOptions> = {}): AnalyzerDescriptor {
  const options: SmtpOptions = { showCredentials: false, ...opts };
  return {
    name: 'smtp',
    // Zeek's SMTP::ports
    tcpPorts: [25, 587],
    probe: (isOrig, buf, off, len, transport) => (transport === 'tcp' ? probeSmtp(isOrig, buf, off, len) : 'no'),
    createStream: (ctx) => new SmtpAnalyzer(ctx, options),
  };
}

/** The registered SMTP analyzer: credentials not logged. */
export const SMTP_ANALYZER = smtpAnalyzer();
