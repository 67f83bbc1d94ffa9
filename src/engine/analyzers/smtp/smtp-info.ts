/**
 * The smtp.log record of one mail transaction (Zeek's SMTP::Info) and how the message headers
 * fill it (base/protocols/smtp/main.zeek, mime_one_header).
 */
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';
import type { MimeHeader } from './mime.js';
import { extractIpv4, isWebmail, receivedAddress } from './mail-text.js';

export interface SmtpInfo {
  ts: number;
  trans_depth: number;
  helo?: string;
  mailfrom?: string;
  rcptto?: Set<string>;
  date?: string;
  from?: string;
  to?: Set<string>;
  cc?: Set<string>;
  reply_to?: string;
  msg_id?: string;
  in_reply_to?: string;
  subject?: string;
  x_originating_ip?: string;
  first_received?: string;
  second_received?: string;
  last_reply?: string;
  path: string[];
  user_agent?: string;
  tls: boolean;
  fuids: string[];
  auth_mechanism?: string;
  username?: string;
  password?: string;
  auth_success?: boolean;
  hasClientActivity: boolean;
}

/** Text of the wire for a log (latin1 string of the original bytes → Zeek's escaping). */
export function logText(s: string): string {
  return wireText(Buffer.from(s, 'latin1'));
}

export function addBounded(set: Set<string> | undefined, v: string): Set<string> {
  const s = set ?? new Set<string>();
  if (s.size < LIMITS.smtpMaxAddresses) s.add(v);
  return s;
}

/** Zeek's mime_one_header handler: message headers into the record. */
export function applyHeaders(info: SmtpInfo, hs: readonly MimeHeader[]): void {
  for (const h of hs) {
    const v = h.value;
    switch (h.name) {
      case 'MESSAGE-ID': info.msg_id = logText(v); break;
      case 'RECEIVED': {
        if (info.first_received !== undefined) info.second_received = info.first_received;
        info.first_received = logText(v);
        const ip = receivedAddress(v);
        if (ip !== undefined && info.path[info.path.length - 1] !== ip && info.path.length < LIMITS.smtpMaxAddresses) info.path.push(ip);
        break;
      }
      case 'IN-REPLY-TO': info.in_reply_to = logText(v); break;
      case 'SUBJECT': info.subject = logText(v); break;
      case 'FROM': info.from = logText(v); break;
      case 'REPLY-TO': info.reply_to = logText(v); break;
      case 'DATE': info.date = logText(v); break;
      case 'TO': for (const p of v.split(/[ \t]*,[ \t]*/)) info.to = addBounded(info.to, logText(p)); break;
      case 'CC': for (const p of v.split(/[ \t]*,[ \t]*/)) info.cc = addBounded(info.cc, logText(p)); break;
      case 'X-ORIGINATING-IP': { const ip = extractIpv4(v)[0]; if (ip !== undefined) info.x_originating_ip = ip; break; }
      case 'X-MAILER': case 'USER-AGENT': case 'X-USER-AGENT': info.user_agent = logText(v); break;
      default: break;
    }
  }
}

/** The smtp.log record of a transaction (`conn`: uid and id.* of the connection). */
export function smtpRecord(i: SmtpInfo, conn: LogRecord): LogRecord {
  return {
    ts: i.ts, ...conn, trans_depth: i.trans_depth, helo: i.helo, mailfrom: i.mailfrom,
    rcptto: i.rcptto && [...i.rcptto], date: i.date, from: i.from, to: i.to && [...i.to], cc: i.cc && [...i.cc],
    reply_to: i.reply_to, msg_id: i.msg_id, in_reply_to: i.in_reply_to, subject: i.subject,
    x_originating_ip: i.x_originating_ip, first_received: i.first_received, second_received: i.second_received,
    last_reply: i.last_reply, path: i.path, user_agent: i.user_agent, tls: i.tls, fuids: i.fuids,
    is_webmail: isWebmail(i.user_agent), auth_mechanism: i.auth_mechanism, username: i.username,
    password: i.password, auth_success: i.auth_success,
  };
}
