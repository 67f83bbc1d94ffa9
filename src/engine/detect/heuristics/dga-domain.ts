/**
 * Capdex::DGA_Domain: a DNS query for a registered name that looks machine-generated.
 *
 * Malware that finds its controller through a domain generation algorithm (Conficker, Necurs,
 * CryptoLocker) asks for hundreds of pseudo-random names a day (qgxkzrnwubmjvh.com), most of
 * them unregistered (NXDOMAIN). The label an operator registered (the `qgxkzrnwubmjvh` of
 * qgxkzrnwubmjvh.com) is scored: its letter pairs under a model of popular domain names
 * (dga-model.ts) and its character entropy. Long labels only: short names have too few pairs
 * to judge, and short random-looking brands (qq, jd, 163) are common; so are labels with bytes no
 * host name has (corrupted or crafted names, e.g. in fuzzed captures).
 *
 * False positives: hash-named CDN and cloud hosts (d3a8f9c2.cloudfront.net is a subdomain, so
 * not scored, but some services register such names), acronym-heavy or non-English brand names,
 * IDN (xn--) names, which are skipped. Dictionary-based DGAs (Suppobox: two English words) are
 * not caught.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { benignLikelihood } from './dga-model.js';
import { entropy, normaliseName, splitName } from './domain-names.js';
import { str } from './fields.js';

/** Registered labels shorter than this are not scored (too few letter pairs to judge). */
export const DGA_MIN_LENGTH = 8;
/** Mean log2-probability per letter pair at or below which a label is not name-like. Popular
 *  names score -3 to -5 (rubygems -5.0); random 8-16 letter strings -5.4 to -6.5. */
export const DGA_MAX_LIKELIHOOD = -5.2;
/** Minimum character entropy (bits): repetitive labels (aaaaaaaa) are odd but not random. */
export const DGA_MIN_ENTROPY = 2.8;

export interface DgaVerdict { dga: boolean; likelihood: number; entropy: number }

/** Scores the registered label of a (normalised) name; undefined when it is not scored. */
export function scoreLabel(label: string): DgaVerdict | undefined {
  // DGAs emit valid host names (RFC 1123 letters, digits, hyphens): a label with other bytes is a
  // corrupted or crafted name (weird material), not a generated one.
  if (label.length < DGA_MIN_LENGTH || label.startsWith('xn--') || !/^[a-z0-9-]+$/.test(label)) return undefined;
  const likelihood = benignLikelihood(label);
  const h = entropy(label);
  return { dga: likelihood <= DGA_MAX_LIKELIHOOD && h >= DGA_MIN_ENTROPY, likelihood, entropy: h };
}

/** The verdict on a registered label when it looks generated, else undefined. */
function dgaVerdict(label: string): DgaVerdict | undefined {
  const verdict = scoreLabel(label);
  return verdict?.dga ? verdict : undefined;
}

/** A parent seen; the counters exist only for DGA-like ones (most names are benign). */
interface Seen { verdict: DgaVerdict | undefined; hits?: Hits }
interface Hits { ts: number; rec: LogRecord; queries: number; nx: number; uids: CappedSet; srcs: CappedSet }

class DgaDomain implements Heuristic {
  private readonly parents = new BoundedTable<string, Seen>(LIMITS.heuristicMaxKeys, 'dga-domain parents');

  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    const q = str(rec, 'query');
    if (q === undefined) return;
    const name = normaliseName(q);
    const split = splitName(name);
    if (!split || split.registered === '') return;
    const seen = this.parents.get(split.parent) ?? this.parents.add(split.parent, { verdict: dgaVerdict(split.registered) }, log);
    if (!seen?.verdict) return;
    const h = (seen.hits ??= { ts: typeof rec.ts === 'number' ? rec.ts : 0, rec, queries: 0, nx: 0, uids: new CappedSet(LIMITS.noticeMaxUids), srcs: new CappedSet(LIMITS.noticeMaxUids) });
    h.queries++;
    if (str(rec, 'rcode_name') === 'NXDOMAIN') h.nx++;
    const uid = str(rec, 'uid');
    if (uid) h.uids.add(uid);
    const src = str(rec, 'id.orig_h');
    if (src) h.srcs.add(src);
  }

  finish(log: NoticeLog): void {
    for (const [parent, { verdict, hits: s }] of this.parents.entries()) {
      if (!verdict || !s) continue;
      const srcs = [...s.srcs.items];
      log.notice({
        ts: s.ts, note: 'Capdex::DGA_Domain',
        msg: `${srcs[0] ?? 'A host'} looked up ${parent}, a name that looks machine-generated (domain generation algorithm)`,
        sub: `label likelihood ${verdict.likelihood.toFixed(2)} (<= ${DGA_MAX_LIKELIHOOD}), entropy ${verdict.entropy.toFixed(2)} bits; ${s.queries} queries, ${s.nx} NXDOMAIN, from ${s.srcs.count} host(s)`,
        uid: str(s.rec, 'uid'), conn: s.rec, src: srcs[0], n: s.queries, uids: s.uids.items,
      });
    }
  }
}

export const DGA_DOMAIN: HeuristicDescriptor = {
  name: 'dga-domain',
  notes: ['Capdex::DGA_Domain'],
  doc: 'DNS lookups of registered names whose letters look random to a model of popular domain names (domain generation algorithms). Brand names made of rare letter pairs can trigger it.',
  logs: ['dns'],
  create: () => new DgaDomain(),
};
