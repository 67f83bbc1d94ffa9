/**
 * One log of one capture as the console's panels see it: narrowed by a query-language filter and
 * ordered by any field, compiled to one parameterised statement returning the matching record
 * ids in order (`SELECT id … ORDER BY …`). The backends run it once per (capture, log, filter,
 * sort) and page through the ids (log-view-cache.ts), so a sort by a document field costs one
 * scan of the log, not one per page.
 *
 * The filter is the search language (parser.ts) without an aggregation, scoped to the capture and
 * the log by columns (as `capture:` and `log:` compile: index-usable equalities), never by
 * splicing text into the query. The sort field is `ts`, `uid`, `community_id` (columns) or a
 * document field: the log's schema field when it has one (its JSON path), otherwise the flat key
 * as written, and for a dotted name the nested path as well (documents imported from elsewhere).
 *
 * Order of a document field, the same on both backends: records holding the field first (absent
 * or null last, in both directions), then numbers and booleans (false 0, true 1) by value, then
 * strings by byte order (SQLite BINARY, PostgreSQL COLLATE "C"), then arrays and objects by their
 * JSON text; ties by record id. Numbers never sort as text and text never as numbers. An address
 * field of the log's schema (`id.orig_h`) sorts as addresses instead: IPv4 then IPv6 by value,
 * then anything else by text (address-order.ts).
 */
import { addressOrder } from './address-order.js';
import { compileFilter } from './compile.js';
import { type QueryError, QuerySyntaxError, toQueryError } from './errors.js';
import { resolveField } from './fields.js';
import { parseQuery } from './parser.js';
import { type Dialect, type Fragment, frag, join, render } from './sql.js';
import type { Viewer } from '../store.js';
import { notHiddenSql } from '../visibility.js';

/** Characters of a sort field name: the longest schema path is far shorter. */
export const SORT_FIELD_MAX_CHARS = 128;

export interface LogViewSpec {
  captureId: string;
  log: string;
  /** The filter (query language, no `|`); empty or absent: every record of the log. */
  q?: string;
  /** A field, `-field` for descending; absent: `ts`. */
  sort?: string;
}

export interface CompiledLogView {
  /** The statement giving the matching ids in order (one column, `id`). */
  readonly ids: { readonly sql: string; readonly params: unknown[] };
  /** True when the view is the whole log by ts: the backends page it by their (capture, log, ts) index. */
  readonly plain: boolean;
  readonly desc: boolean;
}

export type LogViewResult = { ok: true; view: CompiledLogView } | { ok: false; error: QueryError };

/** A sort parameter's parts; undefined when it is not a field name. */
export function parseSort(sort: string | undefined): { field: string; desc: boolean } | undefined {
  const s = sort ?? 'ts';
  const desc = s.startsWith('-');
  const field = desc ? s.slice(1) : s;
  // Field names are word characters and dots (the schemas' and the engine's keys): nothing to quote in a JSON path.
  if (field.length > SORT_FIELD_MAX_CHARS || !/^[\w@:-]+(\.[\w@:-]+)*$/.test(field)) return undefined;
  return { field, desc };
}

export function compileLogView(spec: LogViewSpec, dialect: Dialect, viewer?: Viewer): LogViewResult {
  const q = spec.q?.trim() ?? '';
  const sort = parseSort(spec.sort);
  if (!sort) return { ok: false, error: { position: 0, expected: 'a field to sort by', message: 'expected a field to sort by (field or -field)' } };
  let filter: Fragment;
  try {
    const parsed = q ? parseQuery(q) : undefined;
    if (parsed?.aggregation) {
      const at = Math.max(0, q.indexOf('|'));
      throw new QuerySyntaxError(at, 'a filter', "expected a filter: a panel's rows cannot be aggregated ('|')");
    }
    filter = compileFilter(parsed?.filter, dialect);
  } catch (e) {
    if (e instanceof QuerySyntaxError) return { ok: false, error: toQueryError(q, e) };
    throw e;
  }
  const where: Fragment[] = [frag('records.capture_id = ? AND records.log = ?', spec.captureId, spec.log)];
  if (q) where.push(join(['(', filter, ')']));
  const params: unknown[] = [];
  const visible = notHiddenSql(viewer, 'records.capture_id', (v) => { params.push(v); return '?'; });
  if (visible !== undefined) where.push(frag(visible, ...params));
  const dir: 'ASC' | 'DESC' = sort.desc ? 'DESC' : 'ASC';
  const column = sortColumn(sort.field);
  let stmt: Fragment;
  if (column === 'ts') {
    // As the plain log pages (Store.records): no ts sorts first ascending, last descending, so
    // the (capture, log, ts) index gives the order without a sort.
    const nulls = dialect === 'pg' ? (sort.desc ? ' NULLS LAST' : ' NULLS FIRST') : '';
    stmt = join(['SELECT records.id AS id FROM records WHERE ', join(where, ' AND '), ` ORDER BY records.ts ${dir}${nulls}, records.id ${dir}`]);
  } else if (column) {
    // Absent values last in both directions, as for document fields.
    stmt = join(['SELECT records.id AS id FROM records WHERE ', join(where, ' AND '),
      ` ORDER BY (records.${column} IS NULL), records.${column} ${dir}, records.id ${dir}`]);
  } else {
    // An address field of the log's schema sorts as addresses (address-order.ts), any other as below.
    const addr = addressPath(spec.log, sort.field);
    stmt = addr ? addressOrder(join(where, ' AND '), addr, dir, dialect)
      : documentOrder(join(where, ' AND '), documentPaths(spec.log, sort.field), dir, dialect);
  }
  return { ok: true, view: { ids: render(stmt, dialect), plain: !q && sort.field === 'ts', desc: sort.desc } };
}

const COLUMNS: Readonly<Record<string, string>> = { ts: 'ts', uid: 'uid', community_id: 'community_id' };

function sortColumn(field: string): string | undefined {
  return Object.hasOwn(COLUMNS, field) ? COLUMNS[field] : undefined;
}

/** The JSON path of a single-address field (schema type `addr`) of this log; undefined for any other field. */
function addressPath(log: string, field: string): readonly string[] | undefined {
  try {
    const f = resolveField({ name: `${log}.${field}`, pos: 0, end: 0 });
    return f.kind === 'json' && f.cls === 'ip' && !f.container ? f.path : undefined;
  } catch (e) {
    if (!(e instanceof QuerySyntaxError)) throw e;
    return undefined;
  }
}

/** The JSON path(s) of a field of this log: the schema's, or the key as written (and its nested reading). */
function documentPaths(log: string, field: string): string[][] {
  try {
    const f = resolveField({ name: `${log}.${field}`, pos: 0, end: 0 });
    if (f.kind === 'json') return [[...f.path]];
  } catch (e) {
    if (!(e instanceof QuerySyntaxError)) throw e;
  }
  return field.includes('.') ? [[field], field.split('.')] : [[field]];
}

/** The value a document field sorts by: the first path present (flat key first, as the table reads it). */
function valueExpr(paths: string[][], dialect: Dialect): Fragment {
  const one = (p: string[]): Fragment => dialect === 'sqlite'
    ? frag('json_extract(records.doc, ?)', sqlitePath(p))
    : frag('(records.doc #> ?::text[])', p);
  return paths.length === 1 ? one(paths[0]) : join(['COALESCE(', join(paths.map(one), ', '), ')']);
}

function documentOrder(where: Fragment, paths: string[][], dir: string, dialect: Dialect): Fragment {
  if (dialect === 'sqlite') {
    // json_extract gives SQL values (numbers, text; booleans 0/1; arrays/objects as JSON text), so
    // the rank separates them and the value orders within a rank. json_type of the same path
    // would parse each document again: the rank comes from the extracted value's SQL type.
    return join([
      'SELECT id FROM (SELECT records.id AS id, ', valueExpr(paths, dialect), ' AS v, ',
      typeRankSqlite(paths), ' AS k FROM records WHERE ', where,
      `) ORDER BY (k = 0), k ${dir}, v ${dir}, id ${dir}`,
    ]);
  }
  return pgOrder(where, paths, dir);
}

const sqlitePath = (p: readonly string[]): string => '$' + p.map((k) => `."${k}"`).join('');

/** SQLite: 0 absent/null, 1 number or boolean, 2 text, 3 array or object (json_type of the first path present). */
function typeRankSqlite(paths: string[][]): Fragment {
  const types = paths.map((p) => frag('json_type(records.doc, ?)', sqlitePath(p)));
  const t = types.length === 1 ? types[0] : join(['COALESCE(', join(types, ', '), ')']);
  return join(["(CASE ", t, " WHEN 'integer' THEN 1 WHEN 'real' THEN 1 WHEN 'true' THEN 1 WHEN 'false' THEN 1 WHEN 'text' THEN 2 WHEN 'array' THEN 3 WHEN 'object' THEN 3 ELSE 0 END)"]);
}

/** PostgreSQL: the jsonb value once per row, its rank and keys computed in the outer query. */
function pgOrder(where: Fragment, paths: string[][], dir: string): Fragment {
  const rank = "(CASE jsonb_typeof(j) WHEN 'number' THEN 1 WHEN 'boolean' THEN 1 WHEN 'string' THEN 2 WHEN 'array' THEN 3 WHEN 'object' THEN 3 ELSE 0 END)";
  return join([
    'SELECT id FROM (SELECT records.id AS id, ', valueExpr(paths, 'pg'), ' AS j FROM records WHERE ', where, ') AS s',
    ` ORDER BY (${rank} = 0), ${rank} ${dir}`,
    `, (CASE jsonb_typeof(j) WHEN 'number' THEN (j #>> '{}')::numeric WHEN 'boolean' THEN (CASE WHEN j = 'true'::jsonb THEN 1 ELSE 0 END) END) ${dir}`,
    `, (CASE jsonb_typeof(j) WHEN 'string' THEN (j #>> '{}') WHEN 'array' THEN j::text WHEN 'object' THEN j::text END) COLLATE "C" ${dir}`,
    `, id ${dir}`,
  ]);
}
