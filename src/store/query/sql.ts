/**
 * SQL fragments that carry their parameters, so text and values can never drift apart: `?` in a
 * fragment's text is a placeholder (our SQL has no other '?'), `render` numbers them `$1..$n`
 * for PostgreSQL. Values only ever travel as parameters. Also the per-dialect spellings of
 * "read this JSON path" (SQLite json1 on TEXT, PostgreSQL jsonb).
 */
export type Dialect = 'sqlite' | 'pg';

export interface Fragment {
  readonly text: string;
  readonly params: readonly unknown[];
}

export function frag(text: string, ...params: unknown[]): Fragment {
  return { text, params };
}

/** Concatenates fragments (and plain SQL strings) in order. */
export function join(parts: readonly (Fragment | string)[], sep = ''): Fragment {
  const text: string[] = [];
  const params: unknown[] = [];
  for (const p of parts) {
    if (typeof p === 'string') { text.push(p); continue; }
    text.push(p.text);
    params.push(...p.params);
  }
  return { text: text.join(sep), params };
}

export function render(f: Fragment, dialect: Dialect): { sql: string; params: unknown[] } {
  if (dialect === 'sqlite') return { sql: f.text, params: [...f.params] };
  let n = 0;
  return { sql: f.text.replace(/\?/g, () => `$${++n}`), params: [...f.params] };
}

/** The parameter naming a JSON path: SQLite `$."k1"."k2"` (keys quoted: they hold dots), PG text[]. */
function pathParam(path: readonly string[], dialect: Dialect): unknown {
  return dialect === 'sqlite' ? '$' + path.map((k) => `."${k}"`).join('') : [...path];
}

/** The value at `path` as SQL text/number (NULL when absent). */
export function jsonValue(path: readonly string[], dialect: Dialect): Fragment {
  return dialect === 'sqlite'
    ? frag('json_extract(records.doc, ?)', pathParam(path, dialect))
    : frag('(records.doc #>> ?::text[])', pathParam(path, dialect));
}

/** The value at `path` as a number, NULL unless the JSON holds a number (hostile text never casts). */
export function jsonNumber(path: readonly string[], dialect: Dialect): Fragment {
  const p = pathParam(path, dialect);
  return dialect === 'sqlite'
    ? frag("(CASE WHEN json_type(records.doc, ?) IN ('integer', 'real') THEN json_extract(records.doc, ?) END)", p, p)
    : frag("(CASE WHEN jsonb_typeof(records.doc #> ?::text[]) = 'number' THEN (records.doc #>> ?::text[])::float8 END)", p, p);
}

/** True when the JSON at `path` is the boolean `value`. */
export function jsonIsBool(path: readonly string[], value: boolean, dialect: Dialect): Fragment {
  const p = pathParam(path, dialect);
  return dialect === 'sqlite'
    ? frag('(json_type(records.doc, ?) = ?)', p, value ? 'true' : 'false')
    : frag("(jsonb_typeof(records.doc #> ?::text[]) = 'boolean' AND (records.doc #>> ?::text[]) = ?)", p, p, value ? 'true' : 'false');
}

/** How one element of an exploded array reads (see jsonElements). */
export interface ElementRead {
  readonly text: string;
  readonly number: string;
  boolIs(value: boolean): Fragment;
}

export function elementRead(dialect: Dialect): ElementRead {
  return dialect === 'sqlite'
    ? {
        text: 'e.value',
        number: "(CASE WHEN e.type IN ('integer', 'real') THEN e.value END)",
        boolIs: (v) => frag('(e.type = ?)', v ? 'true' : 'false'),
      }
    : {
        text: "(e.v #>> '{}')",
        number: "(CASE WHEN jsonb_typeof(e.v) = 'number' THEN (e.v #>> '{}')::float8 END)",
        boolIs: (v) => frag("(jsonb_typeof(e.v) = 'boolean' AND (e.v #>> '{}') = ?)", v ? 'true' : 'false'),
      };
}

/**
 * `EXISTS (one element of the array at path satisfies cond)`; a scalar counts as a one-element
 * array (records imported from elsewhere may hold either).
 */
export function anyElement(path: readonly string[], cond: Fragment, dialect: Dialect): Fragment {
  const p = pathParam(path, dialect);
  return dialect === 'sqlite'
    ? join([frag('EXISTS (SELECT 1 FROM json_each(records.doc, ?) AS e WHERE ', p), cond, ')'])
    : join([frag("EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(records.doc #> ?::text[]) = 'array' THEN records.doc #> ?::text[] ELSE jsonb_build_array(records.doc #> ?::text[]) END) AS e(v) WHERE ", p, p, p), cond, ')']);
}

/** FROM-clause addition exploding the array at path into rows of `e.key` (aggregations). */
export function explode(path: readonly string[], dialect: Dialect): { from: Fragment; key: string } {
  const p = pathParam(path, dialect);
  return dialect === 'sqlite'
    ? { from: frag(', json_each(records.doc, ?) AS e', p), key: 'e.value' }
    : {
        from: frag(" CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(records.doc #> ?::text[]) = 'array' THEN records.doc #> ?::text[] ELSE jsonb_build_array(records.doc #> ?::text[]) END) AS e(key)", p, p, p),
        key: 'e.key',
      };
}

/** Case-insensitive (ASCII at least) LIKE with backslash escapes. */
export function likeOp(dialect: Dialect): string {
  return dialect === 'sqlite' ? "LIKE ? ESCAPE '\\'" : "ILIKE ? ESCAPE '\\'";
}
