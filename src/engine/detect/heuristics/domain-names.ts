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

/** The last name split, and its input: the DNS heuristics split every query twice in a row. */
let lastName = '';
let lastSplit: SplitName | undefined;

/** Splits a normalised name; undefined for an empty name or an IP literal. */
export function splitName(name: string): SplitName | undefined {
  if (name === lastName) return lastSplit;
  lastName = name;
  return (lastSplit = split(name));
}

function split(name: string): SplitName | undefined {
  if (name === '' || isIpLiteral(name)) return undefined;
  // Dots found from the end (no array of labels): d1 before the TLD, d2 before the next label...
  const d1 = name.lastIndexOf('.');
  if (d1 < 0) return { parent: name, registered: '', sub: '' };
  if (!plausibleTld(name.slice(d1 + 1))) {
    const first = name.indexOf('.');
    return { parent: name.slice(0, first), registered: '', sub: name.slice(first + 1) };
  }
  const d2 = d1 === 0 ? -1 : name.lastIndexOf('.', d1 - 1);
  let cut = d2; // the dot left of the registrable domain (-1: none)
  let regStart = d2 + 1, regEnd = d1;
  if (d2 >= 0 && d1 === name.length - 3 && GENERIC_SECOND_LEVELS.has(name.slice(d2 + 1, d1))) {
    const d3 = d2 === 0 ? -1 : name.lastIndexOf('.', d2 - 1);
    if (d3 < 0 && d2 >= 0) return { parent: name, registered: name.slice(0, d2), sub: '' };
    cut = d3;
    regStart = d3 + 1;
    regEnd = d2;
  }
  return { parent: name.slice(cut + 1), registered: name.slice(regStart, regEnd), sub: cut < 0 ? '' : name.slice(0, cut) };
}

/** An IPv4 dotted quad or an IPv6 literal (with or without brackets). */
export function isIpLiteral(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return true;
  return s.includes(':') && /^\[?[0-9a-fA-F:.]+(%[\w.-]+)?\]?$/.test(s);
}

/** Per-character counts for entropy(), reused: names are short and this runs per DNS query. */
const COUNTS = new Uint16Array(256);

/** Shannon entropy in bits per character (0 for an empty string). Characters above U+00FF share a bucket. */
export function entropy(s: string): number {
  const len = Math.min(s.length, 65535);
  if (len === 0) return 0;
  for (let i = 0; i < len; i++) COUNTS[Math.min(s.charCodeAt(i), 255)]++;
  let h = 0;
  for (let i = 0; i < len; i++) {
    const c = Math.min(s.charCodeAt(i), 255);
    const k = COUNTS[c];
    if (k === 0) continue; // already summed
    const p = k / len;
    h -= p * Math.log2(p);
    COUNTS[c] = 0;
  }
  return h;
}
