/**
 * The console's column filters (web/src/features/console/column-filters.ts) and view URLs
 * (view-url.ts) under node: what each box text means, that the query it becomes parses in the
 * real query language with the value intact (hostile text stays one value, never an operator),
 * and that a view survives the URL round trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnFilterQuery, panelFilterQuery, parseColumnFilter } from '../../web/src/features/console/column-filters.js';
import { DEFAULT_VIEW, readView, viewSearch } from '../../web/src/features/console/view-url.js';
import { parseQuery } from '../../src/store/query/index.js';
import type { QueryNode } from '../../src/store/query/ast.js';

test('box texts: contains, =exact, CIDR, comparisons', () => {
  assert.deepEqual(parseColumnFilter('  '), undefined);
  assert.deepEqual(parseColumnFilter('evil'), { op: 'contains', value: 'evil' });
  assert.deepEqual(parseColumnFilter('=GET'), { op: 'eq', value: 'GET' });
  assert.deepEqual(parseColumnFilter('10.0.0.0/8'), { op: 'cidr', value: '10.0.0.0/8' });
  assert.deepEqual(parseColumnFilter('2001:db8::/32'), { op: 'cidr', value: '2001:db8::/32' });
  assert.deepEqual(parseColumnFilter('>= 2.5'), { op: 'ge', value: '2.5' });
  assert.deepEqual(parseColumnFilter('<100'), { op: 'lt', value: '100' });
  assert.deepEqual(parseColumnFilter('/index.html'), { op: 'contains', value: '/index.html' });
});

/** The single match or range node a column query parses to. */
function node(q: string): QueryNode {
  const parsed = parseQuery(q);
  assert.ok(parsed.filter, q);
  return parsed.filter;
}

test('queries parse in the query language with the value intact, whatever it holds', () => {
  const hostile = ['a b', 'x") OR (capture:*', '*?\\', 'NOT', '|count', 'α"β', ':', '(', ')'];
  for (const v of hostile) {
    const c = columnFilterQuery('http', 'uri', { op: 'contains', value: v });
    assert.ok('q' in c, v);
    const n = node(c.q);
    assert.equal(n.kind, 'match', `${v}: ${c.q}`);
    if (n.kind === 'match') {
      assert.equal(n.field.name, 'http.uri');
      // The pattern is *, the value's characters as literals, *.
      assert.deepEqual(n.value.pattern, [{ wildcard: '*' }, v, { wildcard: '*' }], c.q);
    }
    const e = columnFilterQuery('http', 'uri', { op: 'eq', value: v });
    assert.ok('q' in e);
    const m = node(e.q);
    assert.ok(m.kind === 'match' && m.value.text === v && !m.value.pattern, e.q);
  }
  const range = node((columnFilterQuery('conn', 'duration', { op: 'gt', value: '2.5' }) as { q: string }).q);
  assert.ok(range.kind === 'range' && range.lower?.value.text === '2.5' && !range.lower.inclusive);
  assert.ok('error' in columnFilterQuery('conn', 'duration', { op: 'gt', value: '2 OR x' }));
  assert.ok('error' in columnFilterQuery('conn', 'duration', { op: 'contains', value: 'abc' }, true));
  assert.deepEqual(columnFilterQuery('conn', 'id.resp_p', { op: 'contains', value: '443' }, true), { q: 'conn.id.resp_p:443' });
  assert.deepEqual(columnFilterQuery('conn', 'ts', { op: 'contains', value: '2024-01-31' }), { q: 'ts:2024-01-31' });
  assert.ok('error' in columnFilterQuery('conn', 'bad column"', { op: 'contains', value: 'x' }));
  const all = panelFilterQuery('conn', '10.0.0.1 OR 10.0.0.2', { 'id.resp_p': '53', 'id.orig_h': '10.0.0.0/8', history: '' }, (c) => c === 'id.resp_p');
  assert.deepEqual(all, { q: '(10.0.0.1 OR 10.0.0.2) AND conn.id.resp_p:53 AND conn.id.orig_h:10.0.0.0/8', errors: [] });
  assert.equal(node(all.q).kind, 'and');
});

test('a view survives the URL; hostile URLs give a sane view', () => {
  const v = { filter: 'dns.query:*.example.com', sort: '-id.resp_p', cols: { 'id.orig_h': '10.0.0.0/8', query: '=a&b=c' } };
  const back = readView(viewSearch('dns', v));
  assert.equal(back.panel, 'dns');
  assert.deepEqual(back.view, v);
  assert.deepEqual(readView('').view, DEFAULT_VIEW);
  const bad = readView(`?panel=conn&sort=${encodeURIComponent("x'; DROP")}&col.a=${'y'.repeat(5000)}`);
  assert.equal(bad.view.sort, 'ts');
  assert.equal(bad.view.cols.a.length, 512);
});
