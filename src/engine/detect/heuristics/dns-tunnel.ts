/**
 * Capdex::DNS_Tunnel: data carried in DNS names (iodine, dnscat2, DNSExfiltrator, Cobalt Strike
 * DNS beacons). A tunnel encodes its payload into the labels under a domain its server answers
 * for, so one parent domain collects many long, high-entropy, never-repeating subdomains, often
 * with TXT or NULL (or CNAME/MX) queries whose answers carry the downstream data.
 *
 * Per parent domain (domain-names.ts), queries with an encoded-looking subdomain are counted:
 * a label of TUNNEL_MIN_LABEL+ characters at TUNNEL_MIN_LABEL_ENTROPY+ bits per character, or a
 * TXT/NULL query whose subdomain is itself random-looking. A parent with TUNNEL_MIN_QUERIES such
 * queries spread over TUNNEL_MIN_UNIQUE distinct subdomains is reported.
 *
 * False positives: security products that look reputations up over DNS (hash labels under
 * McAfee's, Sophos' or Spamhaus' zones), some CDN and telemetry names, DKIM/SPF lookups in
 * volume (their labels are short and low-entropy, so rarely).
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { entropy, normaliseName, splitName } from './domain-names.js';
import { num, str } from './fields.js';

/** Characters of the longest subdomain label that make a query look encoded (hostnames rarely
 *  pass 20; base32/hex/base64 payload labels run to the 63-byte maximum). */
export const TUNNEL_MIN_LABEL = 20;
/** Entropy (bits/char) of that label: hex payloads reach ~3.7, base32 ~4.5, words ~3. */
export const TUNNEL_MIN_LABEL_ENTROPY = 3.2;
/** TXT/NULL queries count with a shorter label, if it is this random (iodine polls "vaaaakardli"). */
export const TUNNEL_RECORD_MIN_LABEL = 8;
/** Encoded-looking queries under one parent before it is reported. */
export const TUNNEL_MIN_QUERIES = 10;
/** Distinct subdomains among them (retries of one name are not a tunnel). */
export const TUNNEL_MIN_UNIQUE = 10;

const DATA_QTYPES = new Set([16, 10]); // TXT, NULL

interface Parent { ts: number; rec: LogRecord; queries: number; dataQueries: number; subs: Set<number>; subsOverflow: boolean; lenSum: number; maxLabel: number; entSum: number; uids: CappedSet; srcs: CappedSet }

/** FNV-1a: distinct subdomains are counted by hash, so a flood of long names costs 8 bytes each. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The length of the longest label of a name: most names are passed over on this alone. */
function longestLabelLength(name: string): number {
  let best = 0, start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name.charCodeAt(i) === 0x2e) {
      if (i - start > best) best = i - start;
      start = i + 1;
    }
  }
  return best;
}

/** The longest label of a subdomain part, without allocating the split. */
function longestLabel(sub: string): [number, number] {
  let best = 0, bestStart = 0, start = 0;
  for (let i = 0; i <= sub.length; i++) {
    if (i === sub.length || sub.charCodeAt(i) === 0x2e) {
      if (i - start > best) { best = i - start; bestStart = start; }
      start = i + 1;
    }
  }
  return [bestStart, best];
}

class DnsTunnel implements Heuristic {
  private readonly parents = new BoundedTable<string, Parent>(LIMITS.heuristicMaxKeys, 'dns-tunnel parents');

  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    const q = str(rec, 'query');
    if (q === undefined || q.length < TUNNEL_RECORD_MIN_LABEL) return;
    const isData = DATA_QTYPES.has(num(rec, 'qtype') ?? 0);
    const minLabel = isData ? TUNNEL_RECORD_MIN_LABEL : TUNNEL_MIN_LABEL;
    // Most names have no label this long: they are passed over before any splitting.
    if (longestLabelLength(q) < minLabel) return;
    const split = splitName(normaliseName(q));
    if (!split || split.sub === '') return;
    const [start, len] = longestLabel(split.sub);
    if (len < minLabel) return;
    const label = split.sub.slice(start, start + len);
    const h = entropy(label);
    // Short labels cannot reach high per-character entropy: scale the bar with the length.
    if (h < Math.min(TUNNEL_MIN_LABEL_ENTROPY, Math.log2(len) * 0.85)) return;
    const p = this.parents.get(split.parent) ?? this.parents.add(split.parent, {
      ts: typeof rec.ts === 'number' ? rec.ts : 0, rec, queries: 0, dataQueries: 0, subs: new Set(), subsOverflow: false,
      lenSum: 0, maxLabel: 0, entSum: 0, uids: new CappedSet(LIMITS.noticeMaxUids), srcs: new CappedSet(LIMITS.noticeMaxUids),
    }, log);
    if (!p) return;
    p.queries++;
    if (isData) p.dataQueries++;
    if (p.subs.size < LIMITS.heuristicMaxDistinct) p.subs.add(hash(split.sub));
    else p.subsOverflow = true;
    p.lenSum += split.sub.length;
    if (len > p.maxLabel) p.maxLabel = len;
    p.entSum += h;
    const uid = str(rec, 'uid');
    if (uid) p.uids.add(uid);
    const src = str(rec, 'id.orig_h');
    if (src) p.srcs.add(src);
  }

  finish(log: NoticeLog): void {
    for (const [parent, p] of this.parents.entries()) {
      if (p.queries < TUNNEL_MIN_QUERIES || p.subs.size < TUNNEL_MIN_UNIQUE) continue;
      const srcs = [...p.srcs.items];
      log.notice({
        ts: p.ts, note: 'Capdex::DNS_Tunnel',
        msg: `Possible DNS tunnel under ${parent}: ${p.queries} queries with encoded-looking subdomains from ${srcs.join(', ') || 'unknown hosts'}`,
        sub: `${p.subs.size}${p.subsOverflow ? '+' : ''} distinct subdomains, mean length ${(p.lenSum / p.queries).toFixed(1)}, longest label ${p.maxLabel}, mean label entropy ${(p.entSum / p.queries).toFixed(2)} bits, TXT/NULL queries ${p.dataQueries}`,
        uid: str(p.rec, 'uid'), conn: p.rec, src: srcs[0], n: p.queries, uids: p.uids.items,
      });
    }
  }
}

export const DNS_TUNNEL: HeuristicDescriptor = {
  name: 'dns-tunnel',
  notes: ['Capdex::DNS_Tunnel'],
  doc: 'Many distinct long, high-entropy subdomains (or TXT/NULL lookups) under one parent domain: data carried in DNS names. Reputation lookups of security products look alike.',
  logs: ['dns'],
  create: () => new DnsTunnel(),
};
