/**
 * Capdex::Intel_Match: a value in the traffic is on a list the analyst loaded with --intel
 * (intel-set.ts: Zeek's intel file format). Where each indicator type is looked for (Zeek's
 * Intel::Where, in the log it appears in):
 *   ADDR/SUBNET  conn id.orig_h, id.resp_h       DOMAIN  dns query, http host, ssl server_name
 *   URL          http host + uri                  USER_AGENT  http user_agent
 *   EMAIL        smtp mailfrom, rcptto, from      FILE_HASH  files md5, sha1, sha256
 *   FILE_NAME    files filename                   CERT_HASH  x509 sha1 or fingerprint (sha256)
 *   JA3 / JA3S / JA4  ssl ja3, ja3s, ja4
 * A DOMAIN indicator also matches its subdomains (evil.example lists www.evil.example too).
 * One notice per (indicator, connection or file); x509 hits carry no uid (x509.log has none).
 */
import type { Heuristic, HeuristicConfig, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import type { IntelEntry, IntelSet, IntelType } from './intel-set.js';
import { normaliseName } from './domain-names.js';
import { num, str, strs } from './fields.js';

/** Labels walked up from a name when looking its parents up (a.b.c.evil.example → evil.example). */
const MAX_DOMAIN_WALK = 10;

/** [log, field, type]: where each indicator type is looked for. */
const WHERE: readonly [string, string, IntelType][] = [
  ['conn', 'id.orig_h', 'ADDR'], ['conn', 'id.resp_h', 'ADDR'],
  ['dns', 'query', 'DOMAIN'], ['http', 'host', 'DOMAIN'], ['ssl', 'server_name', 'DOMAIN'],
  ['http', 'user_agent', 'USER_AGENT'],
  ['smtp', 'mailfrom', 'EMAIL'], ['smtp', 'rcptto', 'EMAIL'], ['smtp', 'from', 'EMAIL'],
  ['files', 'md5', 'FILE_HASH'], ['files', 'sha1', 'FILE_HASH'], ['files', 'sha256', 'FILE_HASH'], ['files', 'filename', 'FILE_NAME'],
  ['x509', 'sha1', 'CERT_HASH'], ['x509', 'fingerprint', 'CERT_HASH'],
  ['ssl', 'ja3', 'JA3'], ['ssl', 'ja3s', 'JA3S'], ['ssl', 'ja4', 'JA4'],
];

class IntelMatch implements Heuristic {
  private readonly byLog = new Map<string, [string, IntelType][]>();
  /** Only the logs where a loaded indicator type is looked for (none without --intel). */
  readonly logs: readonly string[];
  private readonly reported = new Set<string>();
  private full = false;

  constructor(private readonly intel: IntelSet) {
    for (const [path, fieldName, type] of WHERE) {
      if (!intel.has(type)) continue;
      let l = this.byLog.get(path);
      if (!l) this.byLog.set(path, (l = []));
      l.push([fieldName, type]);
    }
    if (intel.has('URL')) this.byLog.set('http', [...(this.byLog.get('http') ?? []), ['uri', 'URL']]);
    this.logs = [...this.byLog.keys()];
  }

  observe(path: string, rec: LogRecord, log: NoticeLog): void {
    const checks = this.byLog.get(path);
    if (checks === undefined) return;
    for (const [fieldName, type] of checks) {
      if (type === 'URL') {
        const host = str(rec, 'host') ?? str(rec, 'id.resp_h');
        const uri = str(rec, 'uri');
        if (host !== undefined && uri !== undefined) this.check(rec, path, 'host+uri', type, host + uri, log);
        continue;
      }
      const v = rec[fieldName];
      const values = typeof v === 'string' ? [v] : strs(rec, fieldName);
      for (const value of values) {
        if (type === 'EMAIL') this.check(rec, path, fieldName, type, emailAddress(value), log);
        else if (type === 'DOMAIN') this.checkDomain(rec, path, fieldName, normaliseName(value.replace(/:\d+$/, '')), log);
        else this.check(rec, path, fieldName, type, value, log);
      }
    }
  }

  private checkDomain(rec: LogRecord, path: string, fieldName: string, name: string, log: NoticeLog): void {
    let n = name;
    for (let i = 0; i < MAX_DOMAIN_WALK && n !== ''; i++) {
      if (this.check(rec, path, fieldName, 'DOMAIN', n, log, name)) return;
      const dot = n.indexOf('.');
      if (dot < 0) return;
      n = n.slice(dot + 1);
    }
  }

  private check(rec: LogRecord, path: string, fieldName: string, type: IntelType, value: string, log: NoticeLog, seen = value): boolean {
    const hit = this.intel.lookup(type, value);
    if (!hit) return false;
    const uid = str(rec, 'uid');
    const fuid = str(rec, 'fuid');
    const key = `${hit.type} ${hit.indicator} ${uid ?? fuid ?? str(rec, 'fingerprint') ?? ''}`;
    if (this.reported.has(key)) return true;
    if (this.reported.size >= LIMITS.heuristicMaxKeys) {
      if (!this.full) { this.full = true; log.limitReached('intel reported', String(LIMITS.heuristicMaxKeys)); }
    } else this.reported.add(key);
    this.notice(rec, path, fieldName, hit, seen, log);
    return true;
  }

  private notice(rec: LogRecord, path: string, fieldName: string, hit: IntelEntry, seen: string, log: NoticeLog): void {
    const isConn = str(rec, 'id.orig_h') !== undefined;
    log.notice({
      ts: num(rec, 'ts') ?? 0, note: 'Capdex::Intel_Match',
      msg: `Intel hit on ${hit.indicator} (Intel::${hit.type}) in ${path}.log ${fieldName}${seen !== hit.indicator ? ` (${seen})` : ''}`,
      sub: `sources: ${hit.sources.join(', ')}`,
      uid: str(rec, 'uid'), conn: isConn ? rec : undefined, fuid: str(rec, 'fuid'),
      fileMimeType: path === 'files' ? str(rec, 'mime_type') : undefined,
      fileDesc: path === 'x509' ? str(rec, 'certificate.subject') : undefined,
      src: str(rec, 'id.orig_h'), dst: str(rec, 'id.resp_h'), p: num(rec, 'id.resp_p'),
    });
  }

  finish(): void {}
}

/** The address inside "Name <user@host>" (or the value as is), lower-cased by the lookup. */
function emailAddress(v: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(v);
  return m ? m[1] : v.trim();
}

export const INTEL_MATCH: HeuristicDescriptor = {
  name: 'intel',
  notes: ['Capdex::Intel_Match'],
  doc: 'A value in the traffic (address, domain, URL, user agent, e-mail, file hash or name, certificate hash, JA3/JA3S/JA4) is on a list loaded with --intel. As good as the list.',
  logs: ['conn', 'dns', 'http', 'ssl', 'smtp', 'files', 'x509'],
  create: (config: HeuristicConfig) => new IntelMatch(config.intel),
};
