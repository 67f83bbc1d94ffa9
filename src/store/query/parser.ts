/**
 * Parses the query language into a syntax tree (ast.ts). Grammar, loosest binding first:
 *
 *   query   := expr? ('|' aggregation)?
 *   expr    := and (OR and)*
 *   and     := unary (AND? unary)*          (juxtaposition is AND)
 *   unary   := (NOT | '-') unary | '(' expr ')' | term
 *   term    := field ':' (value | '>' v | '>=' v | '<' v | '<=' v | ('['|'{') b TO b (']'|'}') | '(' expr ')')
 *            | word | "phrase"               (bare: free text; a bare `*` is every record)
 *   aggregation := count (by field)? | top N field | values field N?
 *
 * `field:(a OR b)` applies the field to the bare words inside. Keywords are case-insensitive;
 * quote them to search for the words. Depth and term count are capped (limits.ts).
 */
import type { Aggregation, Bound, FieldName, ParsedQuery, QueryNode, Value } from './ast.js';
import { QuerySyntaxError, columnOf } from './errors.js';
import { FIELD_NAME, Lexer, type Token } from './lexer.js';
import { QUERY_LIMITS } from './limits.js';
import { clip } from './values.js';

export function parseQuery(text: string): ParsedQuery {
  if (text.length > QUERY_LIMITS.maxQueryLength) {
    throw new QuerySyntaxError(QUERY_LIMITS.maxQueryLength, 'the end of the query',
      `expected the end of the query (queries are limited to ${QUERY_LIMITS.maxQueryLength} characters)`);
  }
  return new Parser(text).query();
}

const TERM_START = new Set(['(', '-', 'NOT', 'FIELD', 'WORD', 'PHRASE']);

function describe(t: Token, text: string): string {
  if (t.type === 'EOF') return 'the end of the query';
  return `'${clip(text.slice(t.pos, Math.min(t.end, t.pos + 41)))}'`;
}

class Parser {
  private readonly lex: Lexer;
  private terms = 0;

  constructor(private readonly text: string) {
    this.lex = new Lexer(text);
  }

  query(): ParsedQuery {
    const first = this.lex.peek();
    const filter = first.type === '|' || first.type === 'EOF' ? undefined : this.expr(0, undefined);
    let aggregation: Aggregation | undefined;
    const t = this.lex.next();
    if (t.type === '|') aggregation = this.aggregation(t);
    else if (t.type !== 'EOF') this.fail(t, 'an operator, a term or the end of the query');
    if (aggregation) {
      const end = this.lex.next();
      if (end.type !== 'EOF') this.fail(end, 'the end of the query after the aggregation');
    }
    return { filter, aggregation };
  }

  private fail(t: Token, expected: string, context = ''): never {
    throw new QuerySyntaxError(t.pos, expected, `expected ${expected}${context}, found ${describe(t, this.text)}`);
  }

  private expr(depth: number, field: FieldName | undefined): QueryNode {
    const first = this.and(depth, field);
    if (this.lex.peek().type !== 'OR') return first;
    const children = [first];
    while (this.lex.peek().type === 'OR') {
      const op = this.lex.next();
      if (!TERM_START.has(this.lex.peek().type)) this.fail(this.lex.peek(), 'a term', ` after ${this.text.slice(op.pos, op.end)}`);
      children.push(this.and(depth, field));
    }
    return { kind: 'or', children, pos: first.pos };
  }

  private and(depth: number, field: FieldName | undefined): QueryNode {
    const first = this.unary(depth, field);
    const children = [first];
    for (;;) {
      const t = this.lex.peek();
      if (t.type === 'AND') {
        this.lex.next();
        if (!TERM_START.has(this.lex.peek().type)) this.fail(this.lex.peek(), 'a term', ` after ${this.text.slice(t.pos, t.end)}`);
      } else if (!TERM_START.has(t.type)) {
        break;
      }
      children.push(this.unary(depth, field));
    }
    return children.length === 1 ? first : { kind: 'and', children, pos: first.pos };
  }

  private deeper(depth: number, t: Token): number {
    if (depth + 1 > QUERY_LIMITS.maxDepth) {
      throw new QuerySyntaxError(t.pos, 'a shallower query', `expected a shallower query (nesting is limited to ${QUERY_LIMITS.maxDepth} levels of parentheses and NOT)`);
    }
    return depth + 1;
  }

  private unary(depth: number, field: FieldName | undefined): QueryNode {
    const t = this.lex.next();
    switch (t.type) {
      case 'NOT':
      case '-': {
        const d = this.deeper(depth, t);
        if (!TERM_START.has(this.lex.peek().type)) this.fail(this.lex.peek(), 'a term', ` after ${t.type === '-' ? "'-'" : 'NOT'}`);
        return { kind: 'not', child: this.unary(d, field), pos: t.pos };
      }
      case '(':
        return this.group(t, this.deeper(depth, t), field);
      case 'FIELD':
        return this.fieldTerm(t.field!, depth);
      case 'WORD':
      case 'PHRASE':
        return this.bare(t.value!, field);
      default:
        return this.fail(t, "a term (field:value, a word, a \"phrase\" or '(')");
    }
  }

  private group(open: Token, depth: number, field: FieldName | undefined): QueryNode {
    if (this.lex.peek().type === ')') this.fail(this.lex.peek(), "a term inside '( )'");
    const inner = this.expr(depth, field);
    const close = this.lex.next();
    if (close.type !== ')') this.fail(close, `')' to close the '(' at column ${columnOf(this.text, open.pos)}`);
    return inner;
  }

  /** Refuses values with more wildcards than QUERY_LIMITS allows (pattern cost grows with them). */
  private checkPattern(v: Value): Value {
    const n = v.pattern ? v.pattern.filter((p) => typeof p !== 'string').length : 0;
    if (n > QUERY_LIMITS.maxWildcardsPerValue) {
      throw new QuerySyntaxError(v.pos, 'fewer wildcards', `expected fewer wildcards (at most ${QUERY_LIMITS.maxWildcardsPerValue} '*' and '?' in one value)`);
    }
    return v;
  }

  private countTerm(pos: number): void {
    if (++this.terms > QUERY_LIMITS.maxTerms) {
      throw new QuerySyntaxError(pos, 'fewer terms', `expected fewer terms (a query holds at most ${QUERY_LIMITS.maxTerms})`);
    }
  }

  /** A bare word or phrase: free text, or inside `field:( )` a value of that field. */
  private bare(value: Value, field: FieldName | undefined): QueryNode {
    this.countTerm(value.pos);
    this.checkPattern(value);
    if (field) return { kind: 'match', field, value, pos: value.pos };
    if (value.pattern?.length === 1 && value.text === '*') return { kind: 'all', pos: value.pos };
    return { kind: 'text', value, pos: value.pos };
  }

  private fieldTerm(field: FieldName, depth: number): QueryNode {
    const lex = this.lex;
    const c = lex.char();
    if (c === '' || /\s/.test(c)) throw new QuerySyntaxError(lex.pos, "a value after ':'");
    if (c === '(') {
      const open = lex.next();
      return this.group(open, this.deeper(depth, open), field);
    }
    this.countTerm(field.pos);
    if (c === '[' || c === '{') return this.range(field);
    if (c === '>' || c === '<') {
      const op = lex.char(1) === '=' ? c + '=' : c;
      lex.pos += op.length;
      const value = lex.readValue(op);
      const bound: Bound = { value, inclusive: op.length === 2 };
      return c === '>' ? { kind: 'range', field, lower: bound, pos: field.pos } : { kind: 'range', field, upper: bound, pos: field.pos };
    }
    const value = this.checkPattern(lex.readValue(':'));
    return { kind: 'match', field, value, pos: field.pos };
  }

  /** `[a TO b]` inclusive, `{a TO b}` exclusive, mixed brackets allowed; `*` is an open end. */
  private range(field: FieldName): QueryNode {
    const lex = this.lex;
    const open = lex.char();
    lex.pos++;
    const lo = lex.readBound(open);
    lex.skipSpace();
    if (!/^to$/i.test(lex.text.slice(lex.pos, lex.pos + 2)) || !/\s/.test(lex.char(2))) {
      throw new QuerySyntaxError(lex.pos, "'TO' between the bounds of a range");
    }
    lex.pos += 2;
    const hi = lex.readBound('TO');
    lex.skipSpace();
    const close = lex.char();
    if (close !== ']' && close !== '}') throw new QuerySyntaxError(lex.pos, "']' or '}' to close the range");
    lex.pos++;
    const open_ = (v: Value): boolean => !v.quoted && v.text === '*';
    return {
      kind: 'range',
      field,
      lower: open_(lo) ? undefined : { value: lo, inclusive: open === '[' },
      upper: open_(hi) ? undefined : { value: hi, inclusive: close === ']' },
      pos: field.pos,
    };
  }

  private fieldName(t: Token, after: string): FieldName {
    if (t.type !== 'WORD' || !FIELD_NAME.test(t.value!.text)) this.fail(t, 'a field name', ` after ${after}`);
    return { name: t.value!.text, pos: t.pos, end: t.end };
  }

  private number(t: Token, after: string): number {
    const n = t.type === 'WORD' && /^\d{1,9}$/.test(t.value!.text) ? Number(t.value!.text) : NaN;
    if (!(n >= 1 && n <= QUERY_LIMITS.maxAggregationRows)) this.fail(t, `a number from 1 to ${QUERY_LIMITS.maxAggregationRows}`, ` after ${after}`);
    return n;
  }

  private aggregation(pipe: Token): Aggregation {
    const t = this.lex.next();
    const op = t.type === 'WORD' ? t.value!.text.toLowerCase() : '';
    if (op === 'count') {
      const by = this.lex.peek();
      if (by.type !== 'WORD' || by.value!.text.toLowerCase() !== 'by') return { op: 'count', pos: t.pos };
      this.lex.next();
      return { op: 'count_by', field: this.fieldName(this.lex.next(), "'by'"), pos: t.pos };
    }
    if (op === 'top') {
      const limit = this.number(this.lex.next(), "'top'");
      return { op: 'top', limit, field: this.fieldName(this.lex.next(), `'top ${limit}'`), pos: t.pos };
    }
    if (op === 'values') {
      const field = this.fieldName(this.lex.next(), "'values'");
      const n = this.lex.peek();
      const limit = n.type === 'WORD' ? this.number(this.lex.next(), `'values ${field.name}'`) : undefined;
      return { op: 'values', field, limit, pos: t.pos };
    }
    return this.fail(t, "an aggregation ('count', 'count by FIELD', 'top N FIELD' or 'values FIELD')", " after '|'");
  }
}
