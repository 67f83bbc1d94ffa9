/**
 * The query language's scanner. Outside values it yields tokens (parentheses, the pipe, AND/OR/NOT,
 * `-`, `field:`, words, "phrases"); after a `field:` the parser asks it for a value instead, because
 * values have their own syntax (IPv6 addresses and timestamps hold ':', ranges `[a TO b]`,
 * comparisons `>=5`). Every method advances or throws a QuerySyntaxError with a position, so no
 * loop can spin; the query length was capped before we got here.
 */
import type { FieldName, PatternPart, Value } from './ast.js';
import { QuerySyntaxError } from './errors.js';

export type TokenType = '(' | ')' | '|' | '-' | 'AND' | 'OR' | 'NOT' | 'FIELD' | 'WORD' | 'PHRASE' | 'EOF';

export interface Token {
  readonly type: TokenType;
  readonly pos: number;
  readonly end: number;
  /** WORD and PHRASE: the value; FIELD: its name. */
  readonly value?: Value;
  readonly field?: FieldName;
}

/** Field names: Zeek keys ('id.resp_h', 'TTLs', 'certificate.subject') and EVE paths ('alert.signature'). */
const FIELD_AT = /[A-Za-z_][A-Za-z0-9_.]*:/y;
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const KEYWORDS: Record<string, TokenType> = { and: 'AND', or: 'OR', not: 'NOT' };

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || /\s/.test(c);
}

/** Characters that end a word outside values. */
const WORD_STOP = '()"|';
/** Characters that end a value word (':' and '(' belong to IPv6, times, URIs). */
const VALUE_STOP = ')|';
/** Characters that end a range bound. */
const BOUND_STOP = ']}';

export class Lexer {
  pos = 0;
  private peeked: Token | undefined;

  constructor(readonly text: string) {}

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text[this.pos])) this.pos++;
  }

  private scan(): Token {
    this.skipSpace();
    const start = this.pos;
    if (start >= this.text.length) return { type: 'EOF', pos: start, end: start };
    const c = this.text[start];
    if (c === '(' || c === ')' || c === '|') {
      this.pos++;
      return { type: c, pos: start, end: this.pos };
    }
    // '-' right before a term negates it ("-word", "-(a b)", '-"phrase"', "-field:v"); alone it is a word.
    const after = this.text[start + 1];
    if (c === '-' && after !== undefined && !isSpace(after) && after !== ')' && after !== '|') {
      this.pos++;
      return { type: '-', pos: start, end: this.pos };
    }
    if (c === '"') {
      const value = this.readPhrase();
      return { type: 'PHRASE', pos: start, end: this.pos, value };
    }
    FIELD_AT.lastIndex = start;
    const m = FIELD_AT.exec(this.text);
    if (m) {
      this.pos = start + m[0].length;
      return { type: 'FIELD', pos: start, end: this.pos, field: { name: m[0].slice(0, -1), pos: start, end: this.pos - 1 } };
    }
    const value = this.readWord(WORD_STOP);
    const keyword = value.pattern === undefined && value.end - value.pos === value.text.length ? KEYWORDS[value.text.toLowerCase()] : undefined;
    return { type: keyword ?? 'WORD', pos: start, end: this.pos, value };
  }

  /** A "quoted phrase": backslash escapes any character; no wildcards inside. */
  readPhrase(): Value {
    const start = this.pos;
    let out = '';
    let i = start + 1;
    for (;;) {
      if (i >= this.text.length) throw new QuerySyntaxError(start, "a closing '\"'", `expected a closing '"' for the phrase opened`);
      const c = this.text[i];
      if (c === '"') break;
      if (c === '\\') {
        if (i + 1 >= this.text.length) throw new QuerySyntaxError(i, "a character after '\\'");
        out += this.text[i + 1];
        i += 2;
      } else {
        out += c;
        i++;
      }
    }
    this.pos = i + 1;
    return { text: out, quoted: true, pos: start, end: this.pos };
  }

  /** An unquoted word up to whitespace or a stop character; `\` escapes, `*` and `?` are wildcards. */
  readWord(stop: string): Value {
    const start = this.pos;
    let text = '';
    let literal = '';
    let pattern: PatternPart[] | undefined;
    let i = start;
    // Parentheses opened inside a value close inside it (`uri:/f(x)`), so only an unmatched ')' ends it.
    let open = 0;
    while (i < this.text.length) {
      const c = this.text[i];
      if (isSpace(c) || (stop.includes(c) && !(c === ')' && open > 0))) break;
      if (stop === VALUE_STOP) open += c === '(' ? 1 : c === ')' ? -1 : 0;
      if (c === '\\') {
        if (i + 1 >= this.text.length) throw new QuerySyntaxError(i, "a character after '\\'");
        text += this.text[i + 1];
        literal += this.text[i + 1];
        i += 2;
        continue;
      }
      if (c === '*' || c === '?') {
        pattern ??= [];
        if (literal) pattern.push(literal);
        pattern.push({ wildcard: c });
        literal = '';
      } else {
        literal += c;
      }
      text += c;
      i++;
    }
    if (pattern && literal) pattern.push(literal);
    this.pos = i;
    return pattern ? { text, pattern, quoted: false, pos: start, end: i } : { text, quoted: false, pos: start, end: i };
  }

  /** The value after `field:` (a phrase or a word; ranges and comparisons are the parser's). */
  readValue(after: string, stop = VALUE_STOP): Value {
    const c = this.text[this.pos];
    if (c === '"') return this.readPhrase();
    const v = this.readWord(stop);
    if (v.end === v.pos) throw new QuerySyntaxError(this.pos, `a value after '${after}'`);
    return v;
  }

  /** A range bound: `*` (open), a phrase, or a word ending at whitespace, ']' or '}'. */
  readBound(after: string): Value {
    this.skipSpace();
    return this.readValue(after, BOUND_STOP);
  }

  /** The character at the cursor ('' at the end). */
  char(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }
}
