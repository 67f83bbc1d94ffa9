/**
 * Aggregations after the pipe, as SQL over the filtered records: `count`, `count by f` and
 * `top N f` (GROUP BY the field's value, largest groups first), `values f` (distinct values in
 * order). Set and vector fields count each element; records without the field are left out.
 * Rows come back as `{ key, count }` (AggregationRow in store.ts).
 */
import type { Aggregation } from './ast.js';
import { resolveField } from './fields.js';
import { QUERY_LIMITS } from './limits.js';
import { type Dialect, type Fragment, explode, frag, join, jsonValue } from './sql.js';

export function compileAggregation(agg: Aggregation, where: Fragment, dialect: Dialect): Fragment {
  if (agg.op === 'count') return join(['SELECT count(*) AS count FROM records WHERE ', where]);
  const f = resolveField(agg.field);
  const limit = Math.min(agg.limit ?? QUERY_LIMITS.defaultAggregationRows, QUERY_LIMITS.maxAggregationRows);
  let key: Fragment;
  let from: Fragment = frag('');
  let keyAgain: Fragment;
  if (f.kind === 'column') {
    key = keyAgain = frag(`records.${f.column}`);
  } else if (f.container) {
    const e = explode(f.path, dialect);
    from = e.from;
    key = keyAgain = frag(e.key);
  } else {
    key = jsonValue(f.path, dialect);
    keyAgain = jsonValue(f.path, dialect);
  }
  const scope = f.log === undefined ? frag('') : frag(' AND records.log = ?', f.log);
  // Ordinals, not the alias: SQLite's json_each has a column named `key` that GROUP BY would pick.
  const order = agg.op === 'values' ? '1' : '2 DESC, 1';
  return join([
    'SELECT ', key, ' AS key, count(*) AS count FROM records', from,
    ' WHERE (', where, ') AND ', keyAgain, ' IS NOT NULL', scope,
    frag(` GROUP BY 1 ORDER BY ${order} LIMIT ?`, limit),
  ]);
}
