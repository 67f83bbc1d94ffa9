/**
 * Telnet (TCP 23) and rlogin (TCP 513) analyzer descriptors. Telnet is also found on any port
 * by its option negotiation: a stream that opens with IAC WILL/WONT/DO/DONT.
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { type LoginOptions, RloginAnalyzer, TelnetAnalyzer } from './login-analyzer.js';
import { DONT, IAC, WILL } from './telnet-decoder.js';

export function probeTelnet(_isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  if (len < 3) return len > 0 && buf[off] !== IAC ? 'no' : 'more';
  return buf[off] === IAC && buf[off + 1] >= WILL && buf[off + 1] <= DONT && buf[off + 2] < 50 ? 'yes' : 'no';
}

/** The two descriptors; `showCredentials` makes login.log show typed passwords. */
export function loginAnalyzers(opts: Partial<LoginOptions> = {}): [AnalyzerDescriptor, AnalyzerDescriptor] {
  const options: LoginOptions = { showCredentials: false, ...opts };
  return [
    { name: 'telnet', tcpPorts: [23], probe: probeTelnet, createStream: (ctx) => new TelnetAnalyzer(ctx, options) },
    { name: 'rlogin', tcpPorts: [513], createStream: (ctx) => new RloginAnalyzer(ctx, options) },
  ];
}

export const LOGIN_ANALYZERS = loginAnalyzers();
