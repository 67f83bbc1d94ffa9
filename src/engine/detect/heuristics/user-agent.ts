/**
 * Capdex::Suspicious_User_Agent: an HTTP request whose User-Agent names an attack tool or a bare
 * HTTP library (what droppers and scripts use), carries an injection attempt (Log4Shell's
 * ${jndi:, Shellshock's () {), is missing, or claims an ancient browser (MSIE 8 and older:
 * Internet Explorer is retired, and droppers hard-code "Mozilla/4.0 (compatible; MSIE 7.0; ...)";
 * IE11's compatibility view sends MSIE 7.0 too, on intranet sites). curl and wget are not
 * flagged: administrators use them all day.
 * Capdex::Rare_User_Agent: in a capture with at least RARE_MIN_HOSTS HTTP clients, a
 * User-Agent sent by one host only, at most RARE_MAX_REQUESTS times: software nobody else runs.
 *
 * Aggregated per (User-Agent, client). False positives: administrators' scripts and package
 * managers (curl, wget, python), API clients, IoT devices without a User-Agent; "rare" depends on
 * what else the capture holds.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { aboutConn, num, str } from './fields.js';

/** HTTP clients needed before "used by one host" says anything. */
export const RARE_MIN_HOSTS = 10;
/** Requests at most, for a single-host User-Agent to count as rare. */
export const RARE_MAX_REQUESTS = 3;
/** Longest User-Agent considered normal (real ones stay under ~400 characters). */
export const UA_MAX_LENGTH = 512;

/** [pattern, why] in order; the first match names the reason. */
const SUSPICIOUS: readonly [RegExp, string][] = [
  [/\$\{(jndi|env|sys|lower|upper|::-)/i, 'Log4Shell lookup (CVE-2021-44228)'],
  [/^\s*\(\)\s*\{/, 'Shellshock function definition (CVE-2014-6271)'],
  [/<script|union\s+select|'\s*or\s+'?1'?\s*=|\.\.\/\.\.\//i, 'injection attempt'],
  [/sqlmap|nikto|nmap|masscan|zgrab|hydra|dirbuster|gobuster|wfuzz|nuclei|acunetix|netsparker|w3af|metasploit|zmeu|morfeus|havij|jorgee/i, 'attack or scanning tool'],
  [/^(python-requests|python-urllib|python\/|aiohttp|go-http-client|winhttp|wininet|java\/|libwww-perl|lwp::|powershell|httpclient|ruby|perl|php\/|nim httpclient|indy library)/i, 'bare HTTP library or command-line tool'],
  [/WindowsPowerShell|Microsoft BITS\/[0-6]\./i, 'scripting host download'],
  [/MSIE [2-8]\.\d/, 'ancient browser claimed (MSIE 8 or older)'],
  [/\\x[0-9a-f]{2}/i, 'non-printable bytes'],
];

export function suspiciousUserAgent(ua: string | undefined): string | undefined {
  if (ua === undefined || ua.trim() === '' || ua === '-') return 'no User-Agent';
  if (ua.length > UA_MAX_LENGTH) return `longer than ${UA_MAX_LENGTH} characters`;
  if (ua.length < 5) return 'shorter than 5 characters';
  for (const [re, why] of SUSPICIOUS) if (re.test(ua)) return why;
  return undefined;
}

interface Use { first: LogRecord; requests: number; why: string | undefined; uids: CappedSet }
interface Agent { requests: number; hosts: CappedSet }

class UserAgent implements Heuristic {
  private readonly uses = new BoundedTable<string, Use>(LIMITS.heuristicMaxKeys, 'user-agent uses');
  private readonly agents = new BoundedTable<string, Agent>(LIMITS.heuristicMaxKeys, 'user-agent agents');
  private readonly clients = new CappedSet(RARE_MIN_HOSTS);

  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    // A record without a method is a response without a request (a capture started mid-stream).
    if (str(rec, 'method') === undefined) return;
    const ua = str(rec, 'user_agent');
    const src = str(rec, 'id.orig_h') ?? '';
    this.clients.add(src);
    const key = ua ?? '';
    const agent = this.agents.upsert(key, () => ({ requests: 0, hosts: new CappedSet(2) }), log);
    if (agent) { agent.requests++; agent.hosts.add(src); }
    const use = this.uses.upsert(`${src} ${key}`, () => ({ first: rec, requests: 0, why: suspiciousUserAgent(ua), uids: new CappedSet(LIMITS.noticeMaxUids) }), log);
    if (!use) return;
    use.requests++;
    const uid = str(rec, 'uid');
    if (uid) use.uids.add(uid);
  }

  finish(log: NoticeLog): void {
    const rareCounts = this.clients.count >= RARE_MIN_HOSTS;
    for (const u of this.uses.values()) {
      const ua = str(u.first, 'user_agent');
      const agent = this.agents.get(ua ?? '');
      const rare = rareCounts && ua !== undefined && agent !== undefined && agent.hosts.count === 1 && agent.requests <= RARE_MAX_REQUESTS;
      if (u.why === undefined && !rare) continue;
      const f = u.first;
      const shown = ua === undefined ? '(none)' : JSON.stringify(ua.length > 200 ? ua.slice(0, 200) + '…' : ua);
      log.notice({
        ts: num(f, 'ts') ?? 0, note: u.why !== undefined ? 'Capdex::Suspicious_User_Agent' : 'Capdex::Rare_User_Agent',
        msg: u.why !== undefined
          ? `${str(f, 'id.orig_h')} sent HTTP requests with a suspicious User-Agent: ${u.why}`
          : `${str(f, 'id.orig_h')} sent a User-Agent no other of the capture's ${this.clients.count}+ HTTP clients used`,
        sub: `User-Agent ${shown}; ${u.requests} request(s), first to ${str(f, 'host') ?? str(f, 'id.resp_h')}${str(f, 'uri') ?? ''}`,
        ...aboutConn(f, 'tcp'),
        n: u.requests, uids: u.uids.items,
      });
    }
  }
}

export const USER_AGENT: HeuristicDescriptor = {
  name: 'user-agent',
  notes: ['Capdex::Suspicious_User_Agent', 'Capdex::Rare_User_Agent'],
  doc: 'HTTP User-Agents of attack tools, bare libraries, injection payloads, ancient browsers or none at all; and agents only one host of many uses. Scripts and API clients trigger it legitimately.',
  logs: ['http'],
  create: () => new UserAgent(),
};
