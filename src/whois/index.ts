/**
 * Whois lookups for the API (GET /api/whois/{value}): an IP address or a domain name is checked
 * and normalised, sent to the configured server (ARIN for addresses, IANA for names by default),
 * and referrals in the answer (`refer:`, `ReferralServer:`, `Registrar WHOIS Server:`) are followed
 * up to WHOIS_MAX_REFERRALS hops, so the answer shown is the most specific registry's. Answers are
 * cached (bounded LRU + TTL) and concurrent lookups of one value share one query.
 */
import { normaliseIp } from '../store/observables.js';
import { NetworkSet } from '../engine/support/networks.js';
import { parseAddr } from '../engine/support/addr.js';
import { TtlLru } from './cache.js';
import { queryServer, WhoisError, type WhoisServer } from './client.js';
import { WHOIS_CACHE_ENTRIES, WHOIS_CACHE_TTL_MS, WHOIS_MAX_REFERRALS, WHOIS_QUERY_MAX_CHARS } from './limits.js';

export { WhoisError, type WhoisServer } from './client.js';

export interface WhoisOptions {
  /** Server asked about IP addresses ("host" or "host:port"); its answer refers on to RIPE, APNIC, ... */
  ipServer?: string;
  /** Server asked about domain names; IANA's answer names the TLD's registry. */
  domainServer?: string;
  /** Follow referrals in answers (false: only the configured server is asked). */
  followReferrals?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  cacheEntries?: number;
  cacheTtlMs?: number;
}

export const DEFAULT_WHOIS_SERVERS = { ip: 'whois.arin.net', domain: 'whois.iana.org' } as const;

export interface WhoisAnswer {
  /** What was asked: the normalised address, or the registered domain of a name. */
  query: string;
  kind: 'ip' | 'domain';
  /** Servers asked, in order ("host:port"); the text is the last one's answer. */
  servers: string[];
  text: string;
  truncated: boolean;
  /** Set when a referral could not be followed: the text is the previous server's answer. */
  referralFailed?: string;
  fetchedAt: string;
  cached: boolean;
}

/** Why a value cannot be looked up (the route answers 400 with it). */
export class WhoisQueryError extends Error {}

// Addresses no registry answers for: private, loopback, link-local, CGNAT, multicast, reserved, documentation.
const UNROUTED = new NetworkSet([
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.2.0/24',
  '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3',
  '::/127', 'fc00::/7', 'fe80::/10', 'ff00::/8', '2001:db8::/32',
]);

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Second-level labels under which country-code TLDs register names (example.co.uk): a short list, not the PSL. */
const CC_SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'ne', 'or', 'go', 'gob', 'mil']);

/** The value to ask about, or a WhoisQueryError saying why there is none. */
export function whoisQueryOf(raw: string): { query: string; kind: 'ip' | 'domain' } {
  const v = raw.trim();
  if (v.length === 0 || v.length > WHOIS_QUERY_MAX_CHARS) throw new WhoisQueryError('give an IP address or a domain name');
  const ip = /^[0-9a-fA-F:.[\]%]+$/.test(v) && /[.:]/.test(v) ? normaliseIp(v) : undefined;
  if (ip) {
    const w = parseAddr(ip);
    if (!w || UNROUTED.contains(w[0], w[1], w[2], w[3])) throw new WhoisQueryError(`${ip} is a private or reserved address: no registry holds it`);
    return { query: ip, kind: 'ip' };
  }
  const name = v.toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(name)) throw new WhoisQueryError('not an IP address or a domain name');
  return { query: registeredDomain(name), kind: 'domain' };
}

/** www.evil.example.co.uk → example.co.uk: registries know registered names, not hosts under them. */
export function registeredDomain(name: string): string {
  const labels = name.split('.');
  if (labels.length <= 2) return name;
  const tld = labels[labels.length - 1];
  const take = tld.length === 2 && CC_SECOND_LEVEL.has(labels[labels.length - 2]) ? 3 : 2;
  return labels.slice(-take).join('.');
}

/** "host", "host:port", "[v6]:port" → a server (port 43 by default). */
export function parseServer(spec: string): WhoisServer {
  const s = spec.trim().replace(/^whois:\/\//i, '').replace(/\/$/, '');
  const br = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (br) return { host: br[1], port: br[2] ? Number(br[2]) : 43 };
  const m = /^([A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/.exec(s);
  if (!m) throw new Error(`not a whois server: ${JSON.stringify(spec)}`);
  const port = m[2] ? Number(m[2]) : 43;
  if (port < 1 || port > 65535) throw new Error(`bad port in ${JSON.stringify(spec)}`);
  return { host: m[1], port };
}

const REFERRAL = /^[ \t]*(?:refer|whois|ReferralServer|Registrar WHOIS Server)[ \t]*:[ \t]*(\S{1,300})[ \t]*$/im;

/** The server an answer refers to, if it names one we can speak to (whois://, not rwhois:// or http). */
export function referralIn(text: string): WhoisServer | undefined {
  const m = REFERRAL.exec(text);
  if (!m) return undefined;
  const target = m[1];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !/^whois:\/\//i.test(target)) return undefined;
  try {
    return parseServer(target);
  } catch {
    return undefined;
  }
}

const label = (s: WhoisServer): string => `${s.host}:${s.port}`;

export class Whois {
  private readonly cache: TtlLru<Omit<WhoisAnswer, 'cached'>>;
  private readonly inFlight = new Map<string, Promise<Omit<WhoisAnswer, 'cached'>>>();
  private readonly ipServer: WhoisServer;
  private readonly domainServer: WhoisServer;

  constructor(private readonly opts: WhoisOptions = {}) {
    this.ipServer = parseServer(opts.ipServer ?? DEFAULT_WHOIS_SERVERS.ip);
    this.domainServer = parseServer(opts.domainServer ?? DEFAULT_WHOIS_SERVERS.domain);
    this.cache = new TtlLru(opts.cacheEntries ?? WHOIS_CACHE_ENTRIES, opts.cacheTtlMs ?? WHOIS_CACHE_TTL_MS);
  }

  /** Looks a value up (WhoisQueryError for a value no registry holds, WhoisError when no server answers). */
  async lookup(raw: string): Promise<WhoisAnswer> {
    const { query, kind } = whoisQueryOf(raw);
    const key = `${kind}:${query}`;
    const hit = this.cache.get(key);
    if (hit) return { ...hit, cached: true };
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetch(query, kind).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const answer = await pending;
    this.cache.set(key, answer);
    return { ...answer, cached: false };
  }

  private async fetch(query: string, kind: 'ip' | 'domain'): Promise<Omit<WhoisAnswer, 'cached'>> {
    const io = { timeoutMs: this.opts.timeoutMs, maxBytes: this.opts.maxBytes };
    let server = kind === 'ip' ? this.ipServer : this.domainServer;
    let answer = await queryServer(server, query, io);
    const servers = [label(server)];
    let referralFailed: string | undefined;
    for (let hop = 0; hop < WHOIS_MAX_REFERRALS && this.opts.followReferrals !== false; hop++) {
      const next = referralIn(answer.text);
      if (!next || servers.includes(label(next))) break;
      try {
        answer = await queryServer(next, query, io);
        servers.push(label(next));
        server = next;
      } catch (e) {
        referralFailed = `${label(next)}: ${(e as Error).message}`;
        break;
      }
    }
    return { query, kind, servers, text: answer.text, truncated: answer.truncated, referralFailed, fetchedAt: new Date().toISOString() };
  }
}

export function isWhoisError(e: unknown): e is WhoisError {
  return e instanceof WhoisError;
}
