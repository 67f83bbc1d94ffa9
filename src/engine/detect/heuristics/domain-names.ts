/**
 * Splitting DNS names the way the DNS heuristics need it: the registrable domain ("the parent"
 * an operator buys: example.co.uk) and what is left of it (the subdomain part a tunnel fills),
 * plus Shannon entropy. No public suffix list ships with Capdex, so the registrable domain is
 * approximated: two labels, or three when the second-level label is one of the generic
 * second levels ccTLDs use (co.uk, com.au, ne.jp, ...). A name whose last label cannot be a TLD
 * (digits, too long) is grouped by its first label instead: tunnels without a domain of their
 * own (dnscat2's "dnscat." prefix mode) put their fixed label first.
 */
import { LIMITS } from '../../support/limits.js';

/** Second-level labels under which ccTLDs register names (co.uk, com.br, ac.jp, ...). */
const GENERIC_SECOND_LEVELS = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'ne', 'or', 'go', 'gob', 'mil', 'nic', 'ltd', 'plc', 'sch', 'nom', 'info', 'biz']);

export interface SplitName {
  /** The registrable domain (or, for a name with no plausible TLD, its first label). */
  parent: string;
  /** The label an operator chose when registering (example in example.co.uk); '' if none. */
  registered: string;
  /** Labels left of the parent, joined with dots ('' when none). */
  sub: string;
  /** Number of labels in the name. */
  labels: number;
}

/** Lower-cased, trailing dot removed, capped at the DNS maximum (RFC 1035 §2.3.4: 255). */
export function normaliseName(name: string): string {
  let n = name.length > LIMITS.dnsMaxNameChars ? name.slice(0, LIMITS.dnsMaxNameChars) : name;
  if (n.endsWith('.')) n = n.slice(0, -1);
  return n.toLowerCase();
}

function plausibleTld(label: string): boolean {
  // IDN TLDs are xn--..., others letters only; the longest delegated TLD has 24 letters.
  return label.length >= 2 && label.length <= 24 && (/^[a-z]+$/.test(label) || /^xn--[a-z0-9-]+$/.test(label));
}

/** Splits a normalised name; undefined for an empty name or an IP literal. */
export function splitName(name: string): SplitName | undefined {
  if (name === '' || isIpLiteral(name)) return undefined;
  const parts = name.split('.');
  const n = parts.length;
  if (!plausibleTld(parts[n - 1])) {
    return { parent: parts[0], registered: '', sub: parts.slice(1).join('.'), labels: n };
  }
  let take = 2;
  if (n >= 3 && parts[n - 1].length === 2 && GENERIC_SECOND_LEVELS.has(parts[n - 2])) take = 3;
  if (n < take) return { parent: name, registered: n >= 2 ? parts[0] : '', sub: '', labels: n };
  return { parent: parts.slice(n - take).join('.'), registered: parts[n - take], sub: parts.slice(0, n - take).join('.'), labels: n };
}

/** An IPv4 dotted quad or an IPv6 literal (with or without brackets). */
export function isIpLiteral(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return true;
  return s.includes(':') && /^\[?[0-9a-fA-F:.]+(%[\w.-]+)?\]?$/.test(s);
}

/** Shannon entropy in bits per character (0 for an empty string). Counts bytes of the UTF-16 low half. */
export function entropy(s: string): number {
  const len = s.length;
  if (len === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / len;
    h -= p * Math.log2(p);
  }
  return h;
}
