/**
 * IMAP (imap.log, and files.log for messages fetched whole). Recognised on port 143 and, by
 * its probe, on any port: the server greets first with "* OK", "* PREAUTH" or "* BYE".
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { ImapAnalyzer, type ImapOptions } from './imap-analyzer.js';

const GREETINGS = ['* OK', '* PREAUTH', '* BYE'];

export function probeImap(isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  if (isOrig) return 'no'; // the server speaks first
  const head = buf.toString('latin1', off, off + Math.min(len, 10)).toUpperCase();
  let more = false;
  for (const g of GREETINGS) {
    if (head.length <= g.length) { if (g.startsWith(head)) more = true; continue; }
    if (head.startsWith(g) && (head[g.length] === ' ' || head[g.length] === '\r')) return 'yes';
  }
  return more ? 'more' : 'no';
}

export function imapAnalyzer(opts: Partial<ImapOptions> = {}): AnalyzerDescriptor {
  const options: ImapOptions = { showCredentials: false, ...opts };
  return {
    name: 'imap',
    // Zeek's IMAP ports
    tcpPorts: [143],
    probe: (isOrig, buf, off, len, transport) => (transport === 'tcp' ? probeImap(isOrig, buf, off, len) : 'no'),
    createStream: (ctx) => new ImapAnalyzer(ctx, options),
  };
}

export const IMAP_ANALYZER = imapAnalyzer();
