/**
 * Query errors: where (0-based offset), what was expected there, and a sentence saying both,
 * e.g. "expected a value after ':' at column 12". `renderError` draws the caret for the CLI.
 */
export interface QueryError {
  readonly position: number;
  readonly expected: string;
  readonly message: string;
}

/** Thrown inside the parser and compiler only; the public functions return it as a value. */
export class QuerySyntaxError extends Error {
  constructor(readonly position: number, readonly expected: string, detail?: string) {
    super(detail ?? `expected ${expected}`);
  }
}

/** 1-based column of a 0-based offset, counting code points so a caret lines up under emoji. */
export function columnOf(query: string, position: number): number {
  let col = 1;
  for (let i = 0; i < position && i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < query.length) i++;
    col++;
  }
  return col;
}

export function toQueryError(query: string, e: QuerySyntaxError): QueryError {
  return { position: e.position, expected: e.expected, message: `${e.message} at column ${columnOf(query, e.position)}` };
}

/** Printable query line: control characters (NUL, newlines, tabs) shown as one '.' each. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '.');
}

/** The query, a caret under the error position, and the message (long queries cut around it). */
export function renderError(query: string, err: QueryError, width = 100): string {
  const chars = Array.from(query);
  const col = columnOf(query, err.position) - 1;
  const start = Math.max(0, Math.min(col - Math.floor(width / 2), chars.length - width));
  const shown = printable(chars.slice(start, start + width).join(''));
  const lead = start > 0 ? '…' : '';
  return `${lead}${shown}${start + width < chars.length ? '…' : ''}\n${' '.repeat(lead.length + col - start)}^\n${err.message}`;
}
