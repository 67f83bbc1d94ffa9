/**
 * A panel's per-column filters: what the analyst types in a column's filter box, and the query
 * language it becomes (the server applies it to the whole log). The box reads:
 *   `=value`  exact;  `>n` / `<n` (also `>=`, `<=`)  numeric or time comparison;
 *   `10.0.0.0/8` or `2001:db8::/32`  address in the network;  anything else  text containing it.
 * Values travel escaped (a phrase, or backslash before every character the lexer reads as syntax),
 * so a box never injects operators; a comparison needs a number (or a date for times).
 */
export type ColumnFilterOp = 'contains' | 'eq' | 'cidr' | 'gt' | 'ge' | 'lt' | 'le';

export interface ColumnFilter { op: ColumnFilterOp; value: string }

/** Characters of one column filter (a URL parameter each). */
export const COLUMN_FILTER_MAX_CHARS = 512;

const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)\/\d{1,3}$/;
/** A number, or an ISO date/time (time columns compare dates). */
const COMPARABLE = /^(?:-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?)$/i;

/** The filter a box's text means; undefined for an empty box. */
export function parseColumnFilter(text: string): ColumnFilter | undefined {
  const t = text.trim().slice(0, COLUMN_FILTER_MAX_CHARS);
  if (!t) return undefined;
  const cmp = /^(>=|<=|>|<)\s*(.+)$/.exec(t);
  if (cmp) return { op: ({ '>': 'gt', '>=': 'ge', '<': 'lt', '<=': 'le' } as const)[cmp[1] as '>' | '>=' | '<' | '<='], value: cmp[2].trim() };
  if (t.startsWith('=')) return { op: 'eq', value: t.slice(1) };
  if (CIDR.test(t)) return { op: 'cidr', value: t };
  return { op: 'contains', value: t };
}

/** How the op reads (for labels and the active-filter summary). */
export const OP_WORDS: Record<ColumnFilterOp, string> = {
  contains: 'contains', eq: 'is', cidr: 'in network', gt: '>', ge: '≥', lt: '<', le: '≤',
};

/** A word the lexer reads literally: a backslash before everything but letters, digits and . _ - / */
function escapeWord(s: string): string {
  return s.replace(/[^A-Za-z0-9._\-/]/g, (c) => `\\${c}`);
}

function phrase(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Query-language term for one column of one log, or an error sentence for a value that cannot be
 * one. `numeric`: the column holds numbers (wildcards do not apply to them): text is an equality.
 */
export function columnFilterQuery(log: string, column: string, f: ColumnFilter, numeric = false): { q: string } | { error: string } {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(column)) return { error: `column ${column} cannot be filtered` };
  // ts, uid and community_id are the record's columns (ts compares as a time).
  const field = ['ts', 'uid', 'community_id'].includes(column) ? column : `${log}.${column}`;
  // A time names a span: `2024-01-31` is that day, `2024-01-31T10:00` that minute.
  if (column === 'ts' && (f.op === 'contains' || f.op === 'eq')) return { q: `ts:${escapeWord(f.value)}` };
  if (numeric && (f.op === 'contains' || f.op === 'eq')) {
    return /^-?\d+(?:\.\d+)?$/.test(f.value) ? { q: `${field}:${f.value}` } : { error: `${column} holds numbers: type a number, or >n / <n` };
  }
  switch (f.op) {
    case 'contains': return { q: `${field}:*${escapeWord(f.value)}*` };
    case 'eq': return f.value ? { q: `${field}:${phrase(f.value)}` } : { error: `nothing after = for ${column}` };
    case 'cidr': return { q: `${field}:${escapeWord(f.value)}` };
    default: {
      if (!COMPARABLE.test(f.value)) return { error: `${column}: ${OP_WORDS[f.op]} needs a number or a date, not “${f.value}”` };
      const sym = { gt: '>', ge: '>=', lt: '<', le: '<=' }[f.op];
      return { q: `${field}:${sym}${f.value}` };
    }
  }
}

/** The panel's whole filter: its free query (parenthesised) and every column filter, all required. */
export function panelFilterQuery(
  log: string, free: string, columns: Readonly<Record<string, string>>, isNumeric: (column: string) => boolean = () => false,
): { q: string; errors: string[] } {
  const parts: string[] = [];
  const errors: string[] = [];
  if (free.trim()) parts.push(`(${free.trim()})`);
  for (const [column, text] of Object.entries(columns)) {
    const f = parseColumnFilter(text);
    if (!f) continue;
    const r = columnFilterQuery(log, column, f, isNumeric(column));
    if ('q' in r) parts.push(r.q); else errors.push(r.error);
  }
  return { q: parts.join(' AND '), errors };
}
