/**
 * The query semantics written a second way: a direct evaluator of the syntax tree over records in
 * memory. End-to-end tests compare what the compiled SQL returns from SQLite with this, so a
 * compile bug (a wrong operator, a lost NOT, a misplaced parameter) shows up as a difference.
 */
import type { Aggregation, PatternPart, QueryNode, Value } from '../../../src/store/query/ast.js';
import { resolveField } from '../../../src/store/query/fields.js';
import { ipKey } from '../../../src/store/query/observable-keys.js';
import { parseBool, parseIp, parseNumber, parseTime, type TimeSpan } from '../../../src/store/query/values.js';
import { normaliseObservable } from '../../../src/store/observables.js';
import type { ObservableType } from '../../../src/store/store.js';
import { elements, valueAt, type Row } from './fixture.js';

function regexOf(parts: readonly PatternPart[]): RegExp {
  const src = parts.map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p.wildcard === '*' ? '[\\s\\S]*' : '[\\s\\S]')).join('');
  return new RegExp(`^${src}$`, 'i');
}

function inSpan(t: number, s: TimeSpan): boolean {
  return s.exact ? t === s.from : t >= s.from && t < s.to;
}

/** FTS5 unicode61, as far as these tests use it: runs of letters and digits, lower-cased. */
function tokens(s: string): string[] {
  return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function textMatches(row: Row, v: Value): boolean {
  const hay = tokens(row.text);
  if (v.pattern) {
    const prefix = tokens(v.text.slice(0, -1));
    return prefix.length === 1 && hay.some((t) => t.startsWith(prefix[0]));
  }
  const needle = tokens(v.text);
  if (needle.length === 0) return false; // FTS5: a phrase without words matches nothing
  for (let i = 0; i + needle.length <= hay.length; i++) if (needle.every((t, j) => hay[i + j] === t)) return true;
  return false;
}

/**
 * PostgreSQL's free text (store contract): a case-insensitive substring of the document's JSON
 * text, keys included. For the words the tests use, JSON.stringify's text holds the same substrings.
 */
function pgTextMatches(row: Row, v: Value): boolean {
  const hay = JSON.stringify(row.doc);
  if (!v.pattern) return hay.toLowerCase().includes(v.text.toLowerCase());
  const src = v.pattern.map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p.wildcard === '*' ? '[\\s\\S]*' : '[\\s\\S]')).join('');
  return new RegExp(src, 'i').test(hay);
}

export type TextMode = 'fts' | 'pg';

export function evaluate(n: QueryNode | undefined, row: Row, text: TextMode = 'fts'): boolean {
  if (!n) return true;
  switch (n.kind) {
    case 'and': return n.children.every((c) => evaluate(c, row, text));
    case 'or': return n.children.some((c) => evaluate(c, row, text));
    case 'not': return !evaluate(n.child, row, text);
    case 'all': return true;
    case 'text': return text === 'pg' ? pgTextMatches(row, n.value) : textMatches(row, n.value);
    case 'match':
    case 'range': {
      const f = resolveField(n.field);
      if (f.log !== undefined && row.log !== f.log) return false;
      const values: unknown[] = f.kind === 'column' ? [row[f.column]] : elements(valueAt(row.doc, f.path));
      return values.some((x) => x !== null && x !== undefined && (n.kind === 'match' ? matchOne(f.cls, f.kind === 'json' ? f.observable : undefined, x, n.value, f.kind === 'column' ? f.column : undefined) : rangeOne(f.cls, x, n)));
    }
  }
}

function matchOne(cls: string, observable: string | undefined, x: unknown, v: Value, column?: string): boolean {
  switch (cls) {
    case 'time': return typeof x === 'number' && inSpan(x, parseTime(v));
    case 'number': return typeof x === 'number' && x === parseNumber(v);
    case 'bool': return x === parseBool(v);
    case 'ip': {
      if (typeof x !== 'string') return false;
      if (v.pattern) return regexOf(v.pattern).test(x);
      const ip = parseIp(v);
      const k = ipKey(x);
      return ip.kind === 'exact' ? x === ip.canonical : k !== undefined && k >= ip.lo && k <= ip.hi;
    }
    default: {
      if (typeof x !== 'string') return false;
      if (observable) {
        // The index holds normalised values; a query value that does not normalise is looked up in the document.
        const have = normaliseObservable(observable as ObservableType, x);
        if (v.pattern) return have !== undefined && regexOf(v.pattern).test(have);
        const want = normaliseObservable(observable as ObservableType, v.text);
        return want === undefined ? x === v.text : have === want;
      }
      if (v.pattern) return regexOf(v.pattern).test(x);
      if (column === 'capture_id') return /^[0-9a-f]{1,63}$/i.test(v.text) ? x.startsWith(v.text.toLowerCase()) : x === v.text.toLowerCase();
      return x === v.text;
    }
  }
}

function rangeOne(cls: string, x: unknown, n: Extract<QueryNode, { kind: 'range' }>): boolean {
  if (cls === 'ip') {
    const k = typeof x === 'string' ? ipKey(x) : undefined;
    if (k === undefined) return false;
    const bound = (b: Value, end: 'lo' | 'hi') => { const ip = parseIp(b); return ip.kind === 'exact' ? ip.key : ip[end]; };
    if (n.lower && !(n.lower.inclusive ? k >= bound(n.lower.value, 'lo') : k > bound(n.lower.value, 'hi'))) return false;
    if (n.upper && !(n.upper.inclusive ? k <= bound(n.upper.value, 'hi') : k < bound(n.upper.value, 'lo'))) return false;
    return true;
  }
  if (typeof x !== 'number') return false;
  if (cls === 'time') {
    if (n.lower) {
      const t = parseTime(n.lower.value);
      if (!(t.exact ? (n.lower.inclusive ? x >= t.from : x > t.from) : x >= (n.lower.inclusive ? t.from : t.to))) return false;
    }
    if (n.upper) {
      const t = parseTime(n.upper.value);
      if (!(t.exact ? (n.upper.inclusive ? x <= t.from : x < t.from) : x < (n.upper.inclusive ? t.to : t.from))) return false;
    }
    return true;
  }
  if (n.lower && !(n.lower.inclusive ? x >= parseNumber(n.lower.value) : x > parseNumber(n.lower.value))) return false;
  if (n.upper && !(n.upper.inclusive ? x <= parseNumber(n.upper.value) : x < parseNumber(n.upper.value))) return false;
  return true;
}

/** `{ key, count }` groups as the SQL returns them (ties by key, keys as strings for comparison). */
export function aggregate(agg: Aggregation, rows: readonly Row[]): { key?: string; count: number }[] {
  if (agg.op === 'count') return [{ count: rows.length }];
  const f = resolveField(agg.field);
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (f.log !== undefined && r.log !== f.log) continue;
    const vals = f.kind === 'column' ? [r[f.column]] : elements(valueAt(r.doc, f.path));
    for (const v of vals) {
      if (v === null || v === undefined) continue;
      const k = String(v);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return [...counts].map(([key, count]) => ({ key, count }));
}
