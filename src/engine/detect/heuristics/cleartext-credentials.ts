/**
 * Capdex::Cleartext_Credentials: a user name and password (or an SNMP community) crossed the
 * network unencrypted: FTP USER/PASS, HTTP Basic, POP3, IMAP, SMTP AUTH PLAIN/LOGIN, SNMPv1/v2c.
 * Anyone on the path can replay them. The secret itself is never repeated in the notice (the
 * analyzers mask it too unless --show-credentials); the user name is, to say whose account.
 *
 * Read from credentials.log when the engine writes it (one record per connection, service and
 * user, including logins that leave no record of their own, such as an FTP session that only
 * logs in) and from the protocol logs' username/password/community fields; both are deduplicated
 * per (connection, service, user), then aggregated per (service, client, server, user).
 *
 * False positives: anonymous FTP (a guest name with an e-mail address as password) is reported,
 * marked as a guest login; lab traffic.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { aboutConn, bool, num, str } from './fields.js';

/** FTP guest names (Zeek's FTP::guest_ids). */
const GUESTS = new Set(['anonymous', 'ftp', 'ftpuser', 'guest']);

interface Seen { service: string; method: string; user: string | undefined }

/** The credential a protocol log's record carries, if any. */
function fromRecord(path: string, r: LogRecord): Seen | undefined {
  switch (path) {
    case 'credentials': {
      const service = str(r, 'service');
      return service ? { service, method: str(r, 'method') ?? '', user: str(r, 'username') } : undefined;
    }
    case 'ftp': return str(r, 'password') !== undefined ? { service: 'ftp', method: 'USER/PASS', user: str(r, 'user') } : undefined;
    case 'http': return str(r, 'username') !== undefined ? { service: 'http', method: 'Basic', user: str(r, 'username') } : undefined;
    case 'pop3': return str(r, 'username') !== undefined ? { service: 'pop3', method: str(r, 'command') ?? 'USER/PASS', user: str(r, 'username') } : undefined;
    case 'imap': return str(r, 'username') !== undefined ? { service: 'imap', method: str(r, 'command') ?? 'LOGIN', user: str(r, 'username') } : undefined;
    case 'smtp': return str(r, 'username') !== undefined && bool(r, 'tls') !== true ? { service: 'smtp', method: `AUTH ${str(r, 'auth_mechanism') ?? ''}`.trim(), user: str(r, 'username') } : undefined;
    case 'snmp': {
      const v = str(r, 'version');
      return str(r, 'community') !== undefined && v !== '3' ? { service: 'snmp', method: 'community', user: undefined } : undefined;
    }
    default: return undefined;
  }
}

interface Group { first: LogRecord; seen: Seen; methods: Set<string>; uids: CappedSet; accepted: boolean | undefined }

class CleartextCredentials implements Heuristic {
  private readonly groups = new BoundedTable<string, Group>(LIMITS.heuristicMaxKeys, 'cleartext-credentials groups');

  observe(path: string, rec: LogRecord, log: NoticeLog): void {
    const seen = fromRecord(path, rec);
    if (!seen) return;
    const key = `${seen.service} ${str(rec, 'id.orig_h')} ${str(rec, 'id.resp_h')} ${seen.user ?? ''}`;
    const g = this.groups.upsert(key, () => ({ first: rec, seen, methods: new Set(), uids: new CappedSet(LIMITS.noticeMaxUids), accepted: undefined }), log);
    if (!g) return;
    if (g.methods.size < 8 && seen.method) g.methods.add(seen.method);
    const uid = str(rec, 'uid');
    if (uid) g.uids.add(uid);
    const ok = bool(rec, 'success') ?? bool(rec, 'auth_success');
    if (ok !== undefined) g.accepted = (g.accepted ?? false) || ok;
  }

  finish(log: NoticeLog): void {
    for (const g of this.groups.values()) {
      const f = g.first;
      const { service, user } = g.seen;
      const guest = service === 'ftp' && user !== undefined && GUESTS.has(user.toLowerCase());
      const who = service === 'snmp' ? 'an SNMP community string' : `credentials of user ${JSON.stringify(user ?? '')}${guest ? ' (guest login)' : ''}`;
      log.notice({
        ts: num(f, 'ts') ?? 0, note: 'Capdex::Cleartext_Credentials',
        msg: `${str(f, 'id.orig_h')} sent ${who} in cleartext over ${service.toUpperCase()} to ${str(f, 'id.resp_h')}:${num(f, 'id.resp_p')}`,
        sub: `method ${[...g.methods].join(', ') || '-'}; ${g.accepted === undefined ? 'outcome unknown' : g.accepted ? 'accepted' : 'rejected'}; ${g.uids.count} connection(s); secret not shown`,
        ...aboutConn(f),
        n: g.uids.count, uids: g.uids.items,
      });
    }
  }
}

export const CLEARTEXT_CREDENTIALS: HeuristicDescriptor = {
  name: 'cleartext-credentials',
  notes: ['Capdex::Cleartext_Credentials'],
  doc: 'Passwords or SNMP communities sent unencrypted (FTP, HTTP Basic, POP3, IMAP, SMTP AUTH, SNMPv1/v2c). The secret is never shown in the notice. Anonymous FTP is reported as a guest login.',
  logs: ['credentials', 'ftp', 'http', 'pop3', 'imap', 'smtp', 'snmp'],
  create: () => new CleartextCredentials(),
};
