/**
 * credentials.log: every cleartext credential the analyzers saw, one record per connection,
 * service and user, in one place (NetworkMiner's "Credentials" tab; not a Zeek log). It is
 * built from the analyzers' own records, so it masks exactly what they mask: passwords and SNMP
 * communities read "<hidden>" unless `--show-credentials` was given.
 */
import { CONN_ID_FIELDS, field, type LogRecord, type LogSchema, type RecordSink } from '../logs/schema.js';
import { LIMITS } from '../support/limits.js';
import type { Credential } from '../analyzers/analyzer.js';

export const CREDENTIALS_LOG: LogSchema = {
  path: 'credentials',
  doc: 'Cleartext credentials seen (FTP, HTTP Basic, POP3, IMAP, SMTP AUTH, SNMP community, Telnet): one record per connection, service and user. Not a Zeek log.',
  fields: [
    field('ts', 'time', 'Time of the record that first showed the credential.'),
    field('uid', 'string', 'Connection the credential crossed.', { plain: true }),
    ...CONN_ID_FIELDS,
    field('service', 'string', 'Protocol: ftp, http, pop3, imap, smtp, snmp, telnet.', { plain: true }),
    field('method', 'string', 'How it was sent: USER/PASS, Basic, LOGIN, AUTH PLAIN, community, ...'),
    field('username', 'string', 'User name (SNMP: unset, the community is the secret).'),
    field('password', 'string', 'The secret: "<hidden>" unless credentials are shown on request (--show-credentials).'),
    field('success', 'bool', 'Whether the server accepted it, where the protocol says so; unset when unknown.'),
  ],
};

/** The hidden-value markers the analyzers write when masking. */
const MASKS = new Set(['<hidden>', '***']);
const HIDDEN = '<hidden>';

/** Per source log that carries credentials in its records: where. */
const FROM_RECORDS: Record<string, (r: LogRecord) => Credential | undefined> = {
  http: (r) => typeof r.username === 'string'
    ? { method: 'Basic', username: r.username, password: str(r.password), success: typeof r.status_code === 'number' ? r.status_code !== 401 && r.status_code !== 407 : undefined }
    : undefined,
  // Mailbox protocols: only the commands that carry the login; the password is masked in the
  // record unless shown, but the command proves one was sent.
  pop3: (r) => typeof r.username === 'string' && POP3_LOGIN.has(r.command as string)
    ? { method: r.command === 'USER' || r.command === 'PASS' ? 'USER/PASS' : r.command as string, username: r.username,
        password: str(r.password) ?? (r.command === 'USER' ? undefined : HIDDEN), success: r.command === 'USER' ? undefined : outcome(r.status, 'OK', 'ERR') }
    : undefined,
  imap: (r) => typeof r.username === 'string' && (r.command === 'LOGIN' || r.command === 'AUTHENTICATE')
    ? { method: r.command, username: r.username, password: str(r.password) ?? HIDDEN, success: outcome(r.status, 'OK', 'NO') }
    : undefined,
  smtp: (r) => typeof r.username === 'string'
    ? { method: 'AUTH ' + (str(r.auth_mechanism) ?? ''), username: r.username, password: str(r.password), success: typeof r.auth_success === 'boolean' ? r.auth_success : undefined }
    : undefined,
  snmp: (r) => typeof r.community === 'string' ? { method: 'community', password: str(r.community) } : undefined,
};

const POP3_LOGIN = new Set(['USER', 'PASS', 'APOP', 'AUTH']);

/** A status field as an outcome: true / false / unknown. */
function outcome(status: unknown, ok: string, failed: string): boolean | undefined {
  return status === ok ? true : status === failed ? false : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? (MASKS.has(v) ? HIDDEN : v) : undefined;
}

const CONN_KEYS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p'] as const;

export class CredentialsSummary {
  /** Open credentials by connection: a later PASS or reply still fills in the password and the
   *  outcome; they are written when the connection's conn.log record arrives. */
  private readonly byUid = new Map<string, Map<string, LogRecord>>();
  private count = 0;

  /** `show`: write secrets as sent; otherwise every secret reads "<hidden>". */
  constructor(private readonly sink: RecordSink, private readonly show: boolean) {}

  /** A record from the engine: conn.log closes its connection's credentials, others may carry one. */
  observe(path: string, r: LogRecord): void {
    if (path === 'conn') {
      if (typeof r.uid === 'string') this.flush(r.uid);
      return;
    }
    const c = FROM_RECORDS[path]?.(r);
    if (c) this.add(r, path, c);
  }

  /** A credential an analyzer reported (AnalyzerContext.credential). */
  add(conn: LogRecord, service: string, c: Credential, ts?: number): void {
    const uid = conn.uid;
    if (typeof uid !== 'string') return;
    let open = this.byUid.get(uid);
    const key = service + '\u0000' + (c.username ?? '') + '\u0000' + c.method;
    let rec = open?.get(key);
    if (!rec) {
      if (this.count >= LIMITS.credentialsOpen) return;
      if (!open) this.byUid.set(uid, (open = new Map()));
      rec = { service, method: c.method, username: c.username };
      for (const k of CONN_KEYS) rec[k] = conn[k];
      if (ts !== undefined) rec.ts = ts;
      open.set(key, rec);
      this.count++;
    }
    if (c.password !== undefined && (rec.password === undefined || rec.password === HIDDEN)) {
      rec.password = this.show ? c.password : HIDDEN;
    }
    if (c.success !== undefined) rec.success = c.success;
  }

  /** Writes what is still open (connections whose conn.log record never came). */
  finish(): void {
    for (const uid of [...this.byUid.keys()]) this.flush(uid);
  }

  private flush(uid: string): void {
    const open = this.byUid.get(uid);
    if (!open) return;
    this.byUid.delete(uid);
    this.count -= open.size;
    for (const rec of open.values()) this.sink.write(CREDENTIALS_LOG, rec);
  }
}
