/**
 * POP3 (pop3.log, and files.log for retrieved messages). Recognised on port 110 and, by its
 * probe, on any port: the server greets first with "+OK".
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { Pop3Analyzer, type Pop3Options } from './pop3-analyzer.js';

export function probePop3(isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  if (isOrig) return 'no'; // the server speaks first
  const want = '+OK';
  for (let i = 0; i < want.length; i++) {
    if (i >= len) return 'more';
    if ((buf[off + i] | (i > 0 ? 0x20 : 0)) !== (want.charCodeAt(i) | (i > 0 ? 0x20 : 0))) return 'no';
  }
  if (len === 3) return 'more';
  const c = buf[off + 3];
  return c === 0x20 || c === 0x0d || c === 0x0a ? 'yes' : 'no';
}

export function pop3Analyzer(opts: Partial<Pop3Options> = {}): AnalyzerDescriptor {
  const options: Pop3Options = { showCredentials: false, ...opts };
  return {
    name: 'pop3',
    // Zeek's POP3 ports
    tcpPorts: [110],
    probe: (isOrig, buf, off, len, transport) => (transport === 'tcp' ? probePop3(isOrig, buf, off, len) : 'no'),
    createStream: (ctx) => new Pop3Analyzer(ctx, options),
  };
}

export const POP3_ANALYZER = pop3Analyzer();
