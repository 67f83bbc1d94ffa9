/**
 * Compiles a parsed filter to a SQL condition on `records` (a Fragment: text + parameters).
 * Fields the observables index holds become `records.id IN (<the record ids of matching observables rows>)`
 * so they are index lookups (exact value, prefix/suffix ranges on value/rvalue, CIDR as an ipkey
 * range); other fields read the JSON document; `log`, `capture`, `ts`, `uid`, `community_id` are
 * columns. Every JSON comparison is wrapped so an absent field is FALSE, never NULL, which keeps
 * NOT exact. Free text: FTS5 on SQLite, a substring ILIKE on PostgreSQL (store contract notes).
 *
 * Semantics worth knowing:
 * - Exact values are case-sensitive, except for fields whose index values ingest lower-cases
 *   (domains, hosts, hashes, fingerprints, emails): those are normalised by the same function.
 *   Wildcards `*` `?` are case-insensitive (SQLite LIKE: ASCII letters; PostgreSQL ILIKE: all).
 * - A set/vector field matches when any element does.
 * - The index holds the first OBSERVABLE_VALUE_MAX_CHARS characters of a value (600 on PG): a
 *   wildcard cannot see past them, and an exact value that long matches on its prefix.
 * - SQLite's LIKE reads text up to a NUL: a wildcard cannot match past one (exact values can).
 * - Times: a date names a day, `T10:00` a minute, `T10:00:00` a second (UTC unless an offset is
 *   given): `ts:2024-01-31` is that whole day, `[a TO b]` includes all of b's span, `{a TO b}`
 *   neither span; epoch seconds with a fraction are an instant.
 */
import type { Bound, MatchNode, QueryNode, RangeNode, TextNode, Value } from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { labelCondition } from '../intel/label-query.js';
import { type ColumnField, type JsonField, resolveField } from './fields.js';
import { isLowerCased } from './observable-fields.js';
import { reverseValue } from './observable-keys.js';
import { normaliseObservable } from '../observables.js';
import type { ObservableType } from '../store.js';
import { PG_INDEX_KEY_MAX_CHARS } from '../postgres/pg-text.js';
import {
  type Dialect, type Fragment, anyElement, elementRead, frag, join, jsonIsBool, jsonNumber, jsonValue, likeOp,
} from './sql.js';
import {
  clip, containsPattern, ipBoundKey, isPrefixOnly, isSuffixOnly, likePattern, literalPrefix, literalSuffix, parseBool,
  parseIp, parseNumber, parseTime, prefixEnd, type TimeSpan,
} from './values.js';

const TRUE = frag('1 = 1');

export function compileFilter(node: QueryNode | undefined, dialect: Dialect): Fragment {
  return node ? new FilterCompiler(dialect).node(node) : TRUE;
}

/**
 * When the whole filter is one match the observables index answers (`dns.query:*.duckdns.org`,
 * `id.resp_h:10.0.0.0/8`), the observables rows it reads and their condition: a `| count` is then
 * the number of distinct record ids in those rows, with no lookup of each record (every id in a
 * row is a record of that row's capture: deletes remove both in one transaction).
 */
export function observableOnlyFilter(node: QueryNode | undefined, dialect: Dialect): ObservableRows | undefined {
  if (node === undefined || (node.kind !== 'match' && node.kind !== 'range')) return undefined;
  const c = new FilterCompiler(dialect);
  let whole: Fragment;
  try {
    whole = c.node(node);
  } catch {
    return undefined; // the ordinary compile reports the error
  }
  return c.lastObservables?.whole === whole ? c.lastObservables.rows : undefined;
}

/** Observables rows as a FROM (aliases `o`, and the record id as `rid`) and their WHERE condition. */
export interface ObservableRows {
  from: string;
  where: Fragment;
}

/** Comparison bounds in SQL terms: `>= lo` / `> lo`, `<= hi` / `< hi`. */
interface NumBounds {
  lo?: { value: unknown; op: '>=' | '>' };
  hi?: { value: unknown; op: '<=' | '<' };
}

class FilterCompiler {
  /** The last observables condition made, and the fragment it became (observableOnlyFilter). */
  lastObservables?: { rows: ObservableRows; whole: Fragment };

  constructor(private readonly dialect: Dialect) {}

  node(n: QueryNode): Fragment {
    switch (n.kind) {
      case 'and':
      case 'or':
        return join(['(', join(n.children.map((c) => this.node(c)), n.kind === 'and' ? ' AND ' : ' OR '), ')']);
      case 'not':
        return join(['(NOT ', this.node(n.child), ')']);
      case 'all':
        return TRUE;
      case 'text':
        return this.text(n);
      case 'match':
        return this.match(n);
      case 'range':
        return this.range(n);
    }
  }

  // ---- free text --------------------------------------------------------------------------

  private text(n: TextNode): Fragment {
    const v = n.value;
    if (v.text.trim() === '') throw new QuerySyntaxError(v.pos, 'a word or a non-empty phrase');
    if (this.dialect === 'pg') {
      // store-pg: no text index; a case-insensitive substring of the document's JSON text.
      const pattern = v.pattern ? '%' + likePattern(v.pattern) + '%' : containsPattern(v.text);
      return frag("(records.doc::text ILIKE ? ESCAPE '\\')", pattern);
    }
    let match: string;
    if (!v.pattern) match = ftsString(v.text);
    else if (isPrefixOnly(v.pattern)) match = ftsString(literalPrefix(v.pattern)) + ' *';
    else throw new QuerySyntaxError(v.pos, 'a word with at most a trailing *', `expected a word with at most a trailing * (free text matches whole words or their prefixes), found '${clip(v.text)}'`);
    return frag('records.id IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)', match);
  }

  // ---- field:value ------------------------------------------------------------------------

  private match(n: MatchNode): Fragment {
    const label = labelCondition(n, this.dialect); // label:, label.<kind>: (src/store/intel/)
    if (label) return label;
    const f = resolveField(n.field);
    if (f.kind === 'column') return this.scoped(f.log, this.columnMatch(f, n.value));
    if (f.observable) return this.observableMatch(f, n.value);
    const v = n.value;
    switch (f.cls) {
      case 'number': {
        if (v.pattern) throw new QuerySyntaxError(v.pos, 'a number', 'expected a number (wildcards match text fields only)');
        return this.jsonNumeric(f, { lo: { value: parseNumber(v), op: '>=' }, hi: { value: parseNumber(v), op: '<=' } });
      }
      case 'time':
        return this.jsonNumeric(f, timeMatchBounds(parseTime(v)));
      case 'bool': {
        const b = parseBool(v);
        const cond = f.container ? anyElement(f.path, elementRead(this.dialect).boolIs(b), this.dialect) : jsonIsBool(f.path, b, this.dialect);
        return this.scoped(f.log, cond);
      }
      default:
        return this.scoped(f.log, this.jsonText(f, v));
    }
  }

  private columnMatch(f: ColumnField, v: Value): Fragment {
    const col = `records.${f.column}`;
    if (f.cls === 'time') return this.bounded(col, timeMatchBounds(parseTime(v)));
    // Capture ids are lower-case hex (sha256); the rest compares as written.
    const norm = f.column === 'capture_id' ? (s: string) => s.toLowerCase() : (s: string) => s;
    // `col IS NOT NULL` rather than COALESCE keeps the comparison two-valued AND index-usable.
    const notNull = f.column === 'log' || f.column === 'capture_id' ? '' : ` AND ${col} IS NOT NULL`;
    if (v.pattern) return frag(`(${col} ${likeOp(this.dialect)}${notNull})`, likePattern(v.pattern, norm));
    if (f.column === 'capture_id' && /^[0-9a-fA-F]{1,63}$/.test(v.text)) {
      // A short id is a prefix, as `capdex` shows and accepts them elsewhere.
      const p = norm(v.text);
      return frag(`(${col} >= ? AND ${col} < ?)`, p, prefixEnd(p));
    }
    return frag(`(${col} = ?${notNull})`, f.column === 'log' ? v.text : this.indexKey(norm(v.text)));
  }

  private jsonText(f: JsonField, v: Value): Fragment {
    const cmp = v.pattern ? likeOp(this.dialect) : '= ?';
    const param = v.pattern ? likePattern(v.pattern) : v.text;
    if (f.container) return anyElement(f.path, frag(`${elementRead(this.dialect).text} ${cmp}`, param), this.dialect);
    return join(['COALESCE(', jsonValue(f.path, this.dialect), frag(` ${cmp}, FALSE)`, param)]);
  }

  private jsonNumeric(f: JsonField, b: NumBounds): Fragment {
    if (f.container) {
      const el = elementRead(this.dialect).number;
      return this.scoped(f.log, anyElement(f.path, this.bounded(el, b), this.dialect));
    }
    return this.scoped(f.log, this.boundedFrag(jsonNumber(f.path, this.dialect), b));
  }

  /** A value for an equality on an indexed column, cut where the PostgreSQL store cuts what it indexes. */
  private indexKey(v: string): string {
    return this.dialect === 'pg' && v.length > PG_INDEX_KEY_MAX_CHARS ? v.slice(0, PG_INDEX_KEY_MAX_CHARS) : v;
  }

  /** `records.log = ?` AND cond, when the field named its log. */
  private scoped(log: string | undefined, cond: Fragment): Fragment {
    return log === undefined ? cond : join(['(', frag('records.log = ? AND ', log), cond, ')']);
  }

  /** Bounds on a plain column or element expression: `expr IS NOT NULL` keeps it two-valued. */
  private bounded(expr: string, b: NumBounds): Fragment {
    return join(['(', this.comparisons(frag(expr), b), ` AND ${expr} IS NOT NULL)`]);
  }

  /** Bounds on a JSON expression (no index to keep usable): COALESCE makes absent FALSE. */
  private boundedFrag(expr: Fragment, b: NumBounds): Fragment {
    return join(['COALESCE(', this.comparisons(expr, b), ', FALSE)']);
  }

  private comparisons(expr: Fragment, b: NumBounds): Fragment {
    const parts: Fragment[] = [];
    if (b.lo) parts.push(join([expr, frag(` ${b.lo.op} ?`, b.lo.value)]));
    if (b.hi) parts.push(join([expr, frag(` ${b.hi.op} ?`, b.hi.value)]));
    return join(parts, ' AND ');
  }

  // ---- observables index ------------------------------------------------------------------

  private observableMatch(f: JsonField, v: Value): Fragment {
    const type = f.observable!;
    if (type === 'ip') {
      if (v.pattern) return this.observables(f, frag(`o.value ${likeOp(this.dialect)}`, likePattern(v.pattern)));
      const ip = parseIp(v);
      return ip.kind === 'exact'
        ? this.observables(f, frag('o.value = ?', ip.canonical))
        : this.observables(f, frag('o.ipkey >= ? AND o.ipkey <= ?', ip.lo, ip.hi));
    }
    if (!v.pattern) {
      // Normalised as ingest does (same function): a value ingest would not index (a "domain"
      // with blanks) can only be in the document, so the document answers.
      const value = normaliseObservable(type as ObservableType, v.text);
      return value === undefined ? this.scoped(f.log, this.jsonText(f, v)) : this.observables(f, frag('o.value = ?', this.indexKey(value)));
    }
    const lower = isLowerCased(type);
    const norm = lower ? (s: string) => s.toLowerCase() : (s: string) => s;
    const parts = v.pattern;
    // Ranges are byte-order exact only for values ingest lower-cased; LIKE is case-insensitive.
    if (lower && isPrefixOnly(parts)) {
      const p = norm(literalPrefix(parts));
      return this.observables(f, frag('o.value >= ? AND o.value < ?', p, prefixEnd(p)));
    }
    if (lower && isSuffixOnly(parts)) {
      const r = reverseValue(norm(literalSuffix(parts)));
      return this.observables(f, frag('o.rvalue >= ? AND o.rvalue < ?', r, prefixEnd(r)));
    }
    const like = frag(`o.value ${likeOp(this.dialect)}`, likePattern(parts, norm));
    const prefix = lower ? norm(literalPrefix(parts)) : '';
    return this.observables(f, prefix ? join([frag('o.value >= ? AND o.value < ? AND ', prefix, prefixEnd(prefix)), like]) : like);
  }

  private observables(f: JsonField, cond: Fragment): Fragment {
    const scope = f.log === undefined ? frag('') : frag(' AND o.log = ?', f.log);
    // One row per value and capture holds its records' ids (observable-groups.ts): a JSON array on
    // SQLite, a bigint[] on PostgreSQL.
    const from = this.dialect === 'pg'
      ? 'observables AS o CROSS JOIN LATERAL unnest(o.record_ids) AS rids(rid)'
      : 'observables AS o, json_each(o.record_ids) AS rids';
    const rid = this.dialect === 'pg' ? 'rids.rid' : 'rids.value';
    const where = join([frag('o.type = ? AND o.field = ?', f.observable, f.key), scope, ' AND ', cond]);
    const whole = join([`records.id IN (SELECT ${rid} FROM ${from} WHERE `, where, ')']);
    this.lastObservables = { rows: { from, where }, whole };
    return whole;
  }

  // ---- ranges -----------------------------------------------------------------------------

  private range(n: RangeNode): Fragment {
    const f = resolveField(n.field);
    if (f.cls === 'time') {
      const b = timeRangeBounds(n.lower, n.upper);
      return f.kind === 'column' ? this.scoped(f.log, this.bounded(`records.${f.column}`, b)) : this.jsonNumeric(f, b);
    }
    if (f.kind === 'json' && f.cls === 'number') {
      const b: NumBounds = {};
      if (n.lower) b.lo = { value: parseNumber(n.lower.value), op: n.lower.inclusive ? '>=' : '>' };
      if (n.upper) b.hi = { value: parseNumber(n.upper.value), op: n.upper.inclusive ? '<=' : '<' };
      return this.jsonNumeric(f, b);
    }
    if (f.kind === 'json' && f.cls === 'ip' && f.observable === 'ip') {
      const conds: Fragment[] = [];
      if (n.lower) conds.push(frag(`o.ipkey ${n.lower.inclusive ? '>=' : '>'} ?`, ipBoundKey(n.lower.value, n.lower.inclusive ? 'lo' : 'hi')));
      if (n.upper) conds.push(frag(`o.ipkey ${n.upper.inclusive ? '<=' : '<'} ?`, ipBoundKey(n.upper.value, n.upper.inclusive ? 'hi' : 'lo')));
      conds.push(frag('o.ipkey IS NOT NULL'));
      return this.observables(f, join(conds, ' AND '));
    }
    throw new QuerySyntaxError(n.field.pos, 'a number, time or address field',
      `expected a number, time or address field before a range or comparison ('${n.field.name}' is text)`);
  }
}

/**
 * FTS5 string literal: the text in double quotes, quotes doubled (no FTS5 operator survives). FTS5
 * ends its query text at a NUL ("unterminated string"): control characters become blanks, which
 * its tokenizer treats as the separators they are in the indexed text too.
 */
function ftsString(s: string): string {
  return '"' + s.replace(/"/g, '""').replace(/[\u0000-\u001f]/g, ' ') + '"';
}

function timeMatchBounds(t: TimeSpan): NumBounds {
  return t.exact ? { lo: { value: t.from, op: '>=' }, hi: { value: t.from, op: '<=' } } : { lo: { value: t.from, op: '>=' }, hi: { value: t.to, op: '<' } };
}

/**
 * A bound names a span (a day, a second): `[d` from its start, `{d` after its end, `d]` through
 * its end, `d}` before its start. Exact instants compare as numbers.
 */
function timeRangeBounds(lower: Bound | undefined, upper: Bound | undefined): NumBounds {
  const b: NumBounds = {};
  if (lower) {
    const t = parseTime(lower.value);
    b.lo = t.exact ? { value: t.from, op: lower.inclusive ? '>=' : '>' } : { value: lower.inclusive ? t.from : t.to, op: '>=' };
  }
  if (upper) {
    const t = parseTime(upper.value);
    b.hi = t.exact ? { value: t.from, op: upper.inclusive ? '<=' : '<' } : { value: upper.inclusive ? t.to : t.from, op: '<' };
  }
  return b;
}
