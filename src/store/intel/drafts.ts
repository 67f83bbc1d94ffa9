/**
 * Signature drafts: Suricata 7 rules for a capture's (or a label's) distinguishing observables —
 * DNS names, HTTP hosts, TLS SNI (each in the buffer the name was seen in), JA3 (alone and with
 * its SNI), JA4, URI paths, user agents, and one filesha256 rule over a list of file hashes — each
 * with how many stored captures hold the same observable (labelled, unlabelled, benign-labelled,
 * all; for a label's drafts also how many of its own captures), so the analyst sees the
 * false-positive risk before exporting. The rules use only keywords our own
 * parser supports (test/store/intel/drafts.test.ts parses them and runs them over the capture).
 *
 * Everything from the capture reaches a rule as content bytes: printable ASCII except `"`, `;`,
 * `\`, `|` literally, every other byte as |hex| (so a hostile name cannot close the option).
 */
import type { Feature } from './features.js';
import { fnv1a } from './minhash.js';

/** Rules per draft (the most specific first). */
export const DRAFT_RULES_MAX = 60;
/** First sid of drafts: local rules, outside Capdex's bundled range and the ET/Snort ones. */
export const DRAFT_SID_BASE = 8_000_000;

export type DraftKind = 'dns.query' | 'http.host' | 'tls.sni' | 'ja3.hash' | 'ja3+sni' | 'ja4.hash' | 'http.uri' | 'http.user_agent' | 'filesha256';

/** The feature kind each draft kind matches (what its hits are counted on). */
export const DRAFT_FEATURE: Record<DraftKind, 'domain' | 'ja3' | 'ja3sni' | 'ja4' | 'uri' | 'user_agent' | 'sha256'> = {
  'dns.query': 'domain', 'http.host': 'domain', 'tls.sni': 'domain', 'ja3.hash': 'ja3', 'ja3+sni': 'ja3sni', 'ja4.hash': 'ja4',
  'http.uri': 'uri', 'http.user_agent': 'user_agent', filesha256: 'sha256',
};

export interface DraftHits {
  /** Visible stored captures holding the observable (the source included). */
  captures: number;
  /** Of which carry a label. */
  labelled: number;
  /** Of which carry none (captures - labelled): unknown traffic the rule would also fire on. */
  unlabelled: number;
  /** Of which are labelled benign (a likely false positive). */
  benign: number;
  /** Label drafts only: of which carry the drafted label (the rest is the false-positive risk). */
  inLabel?: number;
}

export interface RuleDraft {
  sid: number;
  kind: DraftKind;
  /** The observable(s) the rule matches. */
  value: string;
  rule: string;
  hits?: DraftHits;
}

export interface DraftInput {
  /** The source: a capture id, or for a label `label-<value>` (its first 12 characters tag the rules). */
  captureId: string;
  /** The label the msg names (a family, else a category), if any. */
  label?: string;
  features: readonly Feature[];
  /** Where each contacted domain was seen: 'dns' | 'http' | 'ssl' | 'quic' | 'alert' logs. */
  domainLogs: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface DraftSet {
  rules: RuleDraft[];
  /** List files the rules name (filesha256), by file name: one hash a line. */
  lists: Record<string, string>;
}

/**
 * A JA4 fingerprint of TLS over TCP as the ssl log holds it: only such text becomes a ja4.hash
 * draft (QUIC's `q` ones come from the quic log, and `alert tls` rules never see QUIC).
 */
const JA4 = /^t[0-9a-z]{2}[di][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;

/** Content bytes of a rule, escaped as described above. */
export function ruleContent(s: string): string {
  let out = '';
  let hex: string[] = [];
  const flush = (): void => { if (hex.length) { out += `|${hex.join(' ')}|`; hex = []; } };
  for (const b of Buffer.from(s, 'utf8')) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x3b && b !== 0x5c && b !== 0x7c) { flush(); out += String.fromCharCode(b); }
    else hex.push(b.toString(16).padStart(2, '0'));
  }
  flush();
  return out;
}

/** msg text: letters, digits and a few separators only (it is inside quotes in the rule). */
function msgText(s: string): string {
  return s.replace(/[^A-Za-z0-9 ._:/+-]/g, '?').slice(0, 120);
}

/** A stable sid per (kind, value): the same observable drafts to the same sid every time. */
function sidOf(kind: string, value: string): number {
  return DRAFT_SID_BASE + (fnv1a(`${kind}\u0000${value}`, 0x811c9dc5) % 999_000);
}

/** The longest literal run of a URI pattern (placeholders `{n}` `{hex}` `{b64}` removed). */
function uriLiteral(pattern: string): { text: string; anchored: boolean } | undefined {
  if (!pattern.includes('{')) return pattern.length > 1 ? { text: pattern, anchored: true } : undefined;
  const parts = pattern.split(/\{(?:n|hex|b64)\}/);
  const best = parts.reduce((a, b) => (b.length > a.length ? b : a), '');
  return best.length >= 4 ? { text: best, anchored: parts[0] === best } : undefined;
}

export function draftRules(input: DraftInput): DraftSet {
  const label = input.label ? msgText(input.label) : 'unlabelled';
  // Into a metadata value and a list file name: nothing but [A-Za-z0-9_.-] (a label may hold / : + and spaces).
  const tag = input.captureId.slice(0, 12).replace(/[^A-Za-z0-9_.-]/g, '_');
  const rules: RuleDraft[] = [];
  const add = (kind: DraftKind, value: string, proto: string, body: string): void => {
    if (rules.length >= DRAFT_RULES_MAX) return;
    const sid = sidOf(kind, value);
    const msg = `CAPDEX DRAFT ${label} ${kind} ${msgText(value)}`;
    rules.push({ sid, kind, value,
      rule: `alert ${proto} any any -> any any (msg:"${msg}"; ${body} metadata:capdex_draft ${tag}; sid:${sid}; rev:1;)` });
  };
  const of = (kind: string) => input.features.filter((f) => f.kind === kind).map((f) => f.value);
  const lists: Record<string, string> = {};
  const hashes = of('sha256');
  if (hashes.length) {
    const file = `capdex-draft-${tag}.sha256`;
    lists[file] = hashes.join('\n') + '\n';
    add('filesha256', hashes.join(','), 'http', `filesha256:${file};`);
  }
  for (const pair of of('ja3sni')) {
    const [ja3, sni] = pair.split('|');
    if (/^[0-9a-f]{32}$/.test(ja3) && sni) add('ja3+sni', pair, 'tls', `ja3.hash; content:"${ja3}"; tls.sni; content:"${ruleContent(sni)}"; nocase; endswith;`);
  }
  for (const d of of('domain')) {
    const logs = input.domainLogs.get(d) ?? new Set<string>();
    const c = ruleContent(d);
    if (logs.has('dns')) add('dns.query', d, 'dns', `dns.query; content:"${c}"; nocase; endswith;`);
    if (logs.has('http')) add('http.host', d, 'http', `flow:to_server; http.host; content:"${c}"; nocase; endswith;`);
    if (logs.has('ssl')) add('tls.sni', d, 'tls', `tls.sni; content:"${c}"; nocase; endswith;`);
  }
  for (const u of of('uri')) {
    const lit = uriLiteral(u);
    if (lit) add('http.uri', u, 'http', `flow:to_server; http.uri; content:"${ruleContent(lit.text)}";${lit.anchored ? ' startswith;' : ''}`);
  }
  for (const ua of of('user_agent')) add('http.user_agent', ua, 'http', `flow:to_server; http.user_agent; content:"${ruleContent(ua)}"; startswith; endswith;`);
  for (const ja3 of of('ja3')) if (/^[0-9a-f]{32}$/.test(ja3)) add('ja3.hash', ja3, 'tls', `ja3.hash; content:"${ja3}";`);
  // JA4 (FoxIO): a_b_c, e.g. t13d1516h2_8daaf6152771_e5627efa2ab1. nocase: features are lower-cased,
  // the ALPN characters in `a` are not.
  for (const ja4 of of('ja4')) if (JA4.test(ja4)) add('ja4.hash', ja4, 'tls', `ja4.hash; content:"${ja4}"; nocase; startswith; endswith;`);
  return { rules, lists };
}
