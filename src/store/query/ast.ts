/**
 * The query language's syntax tree. Positions are 0-based offsets into the query string (UTF-16
 * code units, as JavaScript indexes strings); errors render them as 1-based columns.
 */

/** One piece of a value: literal text, `*` (any run of characters) or `?` (one character). */
export type PatternPart = string | { wildcard: '*' | '?' };

/** A value as written: the text with escapes resolved, and its pattern when it has wildcards. */
export interface Value {
  /** Text with backslash escapes resolved (wildcards kept as the characters `*` and `?`). */
  readonly text: string;
  /** Present only when the value holds an unescaped `*` or `?` outside quotes. */
  readonly pattern?: readonly PatternPart[];
  /** Written as a "quoted phrase". */
  readonly quoted: boolean;
  readonly pos: number;
  readonly end: number;
}

export interface FieldName {
  readonly name: string;
  readonly pos: number;
  readonly end: number;
}

/** `field:value`: equality, or a wildcard/CIDR match, depending on the value and the field. */
export interface MatchNode {
  readonly kind: 'match';
  readonly field: FieldName;
  readonly value: Value;
  readonly pos: number;
}

/** A range bound; undefined bound (`*`) means open. */
export interface Bound {
  readonly value: Value;
  readonly inclusive: boolean;
}

/** `field:[a TO b]`, `field:{a TO b}`, `field:>a`, `field:<=b`. */
export interface RangeNode {
  readonly kind: 'range';
  readonly field: FieldName;
  readonly lower?: Bound;
  readonly upper?: Bound;
  readonly pos: number;
}

/** A bare word or phrase: free text over whole records. */
export interface TextNode {
  readonly kind: 'text';
  readonly value: Value;
  readonly pos: number;
}

/** A bare `*`: every record. */
export interface AllNode {
  readonly kind: 'all';
  readonly pos: number;
}

export interface BoolNode {
  readonly kind: 'and' | 'or';
  readonly children: readonly QueryNode[];
  readonly pos: number;
}

export interface NotNode {
  readonly kind: 'not';
  readonly child: QueryNode;
  readonly pos: number;
}

export type QueryNode = MatchNode | RangeNode | TextNode | AllNode | BoolNode | NotNode;

/**
 * After the pipe: `count`, `count by f`, `top N f` (count by f, N groups), `values f` (the distinct
 * values of f, in order).
 */
export type Aggregation =
  | { readonly op: 'count'; readonly pos: number }
  | { readonly op: 'count_by' | 'values'; readonly field: FieldName; readonly limit?: number; readonly pos: number }
  | { readonly op: 'top'; readonly field: FieldName; readonly limit: number; readonly pos: number };

export interface ParsedQuery {
  /** Undefined for an empty filter (every record). */
  readonly filter?: QueryNode;
  readonly aggregation?: Aggregation;
}
