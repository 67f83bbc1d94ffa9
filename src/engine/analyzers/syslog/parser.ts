/**
 * Syslog message parsing as Zeek's Spicy grammar (syslog.spicy, Syslog::Message): an optional
 * PRI part "<digits>" (RFC 5424 §6.2.1), then the rest of the datagram as the message. Without
 * a PRI, facility and severity are 999 (Zeek's "UNSPECIFIED").
 */
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';

export const UNSPECIFIED = 999;

export interface SyslogMessage {
  facility: number;
  severity: number;
  message: string;
  /** Offset of the message text after the PRI (relative to the datagram start). */
  textOff: number;
}

/** The PRI part at buf[off]: its value and length, or undefined when there is none. */
export function readPri(buf: Buffer, off: number, end: number): { value: number; len: number } | undefined {
  if (off >= end || buf[off] !== 0x3c) return undefined; // '<'
  let p = off + 1;
  let value = 0;
  const max = Math.min(end, p + LIMITS.syslogMaxPriDigits);
  while (p < max && buf[p] >= 0x30 && buf[p] <= 0x39) value = value * 10 + buf[p++] - 0x30;
  if (p === off + 1 || p >= end || buf[p] !== 0x3e) return undefined; // no digits, or no '>'
  return { value, len: p + 1 - off };
}

export function parseSyslog(buf: Buffer, off: number, len: number): SyslogMessage {
  const end = off + len;
  const pri = readPri(buf, off, end);
  const textOff = pri ? pri.len : 0;
  return {
    facility: pri ? (pri.value & 0x3f8) >> 3 : UNSPECIFIED,
    severity: pri ? pri.value & 7 : UNSPECIFIED,
    message: wireText(buf, off + textOff, end),
    textOff,
  };
}

const FACILITIES = [
  'KERN', 'USER', 'MAIL', 'DAEMON', 'AUTH', 'SYSLOG', 'LPR', 'NEWS', 'UUCP', 'CRON', 'AUTHPRIV', 'FTP', 'NTP',
  'AUDIT', 'ALERT', 'CLOCK', 'LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7',
];
const SEVERITIES = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

/** Zeek's Syslog::facility_codes (with its &default). */
export function facilityName(f: number): string {
  return f === UNSPECIFIED ? 'UNSPECIFIED' : FACILITIES[f] ?? `unknown-${f}`;
}

/** Zeek's Syslog::severity_codes (with its &default). */
export function severityName(s: number): string {
  return s === UNSPECIFIED ? 'UNSPECIFIED' : SEVERITIES[s] ?? `unknown-${s}`;
}
