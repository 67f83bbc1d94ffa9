/**
 * FTP control channel (ftp.log). Recognised on Zeek's FTP ports and, by its probe, on any port:
 * a "220" greeting naming FTP, or the client opening with USER/AUTH/FEAT/SYST/OPTS (a plain
 * "220 " greeting is SMTP's too, so it alone is no evidence).
 *
 * Not done: the data channel. Zeek schedules an analyzer for the connection announced by
 * PORT/EPRT or the 227/229 reply (Analyzer::schedule_analyzer(orig_h, resp_h, resp_p,
 * FTP_DATA, 5 min)), names it ftp-data in conn.log and hands its bytes to the files framework
 * (source FTP_DATA), whose type and fuid then land in the control channel's ftp.log record.
 * Our flow layer would need an "expected connection" table for that: entries (orig_h or any,
 * resp_h, resp_p, analyzer name, expiry, a callback/context from the control connection)
 * matched when a new connection's SYN arrives, before port/probe detection, so the data
 * connection is given to a named analyzer with a link back to its control session.
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { FtpAnalyzer, ZEEK_LOGGED_COMMANDS, type FtpOptions } from './ftp-analyzer.js';

const PROBE_LINE_BYTES = 512;

export function probeFtp(isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  if (len === 0) return 'more';
  const n = Math.min(len, PROBE_LINE_BYTES);
  const nl = buf.indexOf(10, off);
  const line = nl >= 0 && nl < off + n ? buf.toString('latin1', off, nl) : undefined;
  if (isOrig) {
    const head = buf.toString('latin1', off, off + Math.min(len, 5)).toUpperCase();
    const ok = ['USER ', 'AUTH ', 'FEAT', 'SYST', 'OPTS '].some((c) => c.startsWith(head) || head.startsWith(c));
    if (!ok) return 'no';
    if (line === undefined) return len < PROBE_LINE_BYTES ? 'more' : 'no';
    return /^(USER \S|AUTH (TLS|SSL)|FEAT\r?$|SYST\r?$|OPTS \S)/i.test(line) ? 'yes' : 'no';
  }
  const head = buf.toString('latin1', off, off + Math.min(len, 4));
  if (!/^(2(2(0([ -])?)?)?)?$/.test(head)) return 'no';
  if (line === undefined) return len < PROBE_LINE_BYTES ? 'more' : 'no';
  if (/^220[ -].*ftp/i.test(line) && !/\bE?SMTP\b/i.test(line)) return 'yes';
  return /^220[ -]/.test(line) && !/\bE?SMTP\b/i.test(line) ? 'more' : 'no';
}

export function ftpAnalyzer(opts: Partial<FtpOptions> = {}): AnalyzerDescriptor {
  const options: FtpOptions = { showCredentials: false, loggedCommands: ZEEK_LOGGED_COMMANDS, ...opts };
  return {
    name: 'ftp',
    // Zeek's FTP::ports
    tcpPorts: [21, 2811],
    probe: (isOrig, buf, off, len, transport) => (transport === 'tcp' ? probeFtp(isOrig, buf, off, len) : 'no'),
    createStream: (ctx) => new FtpAnalyzer(ctx, options),
  };
}

/** The registered FTP analyzer: Zeek's defaults (logged commands, guest passwords only). */
export const FTP_ANALYZER = ftpAnalyzer();
