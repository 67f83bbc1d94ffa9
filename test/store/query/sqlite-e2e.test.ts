/**
 * Every construct of the query language, compiled and run on a real SQLite database holding the
 * records of real captures, compared with the JavaScript evaluator (oracle.ts). Each query that
 * should find something is also checked to find something, so an empty result cannot pass.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery } from '../../../src/store/query/index.js';
import { parseQuery } from '../../../src/store/query/parser.js';
import { Fixture, type Row } from './fixture.js';
import { AGGREGATIONS, CAPTURES, FILTERS, HOSTILE_CAPTURE, captureId, hostileRecords } from './cases.js';
import { aggregate, evaluate } from './oracle.js';

let fx: Fixture;
before(async () => {
  fx = new Fixture();
  for (const [i, c] of CAPTURES.entries()) await fx.importCapture(c, captureId(i));
  fx.insertRecords(HOSTILE_CAPTURE, hostileRecords());
});
after(() => fx?.close());

function run(q: string, limit = 10_000): { rows: Row[]; sql: string } {
  const c = compileQuery(q, 'sqlite', { limit });
  if (!c.ok) assert.fail(`${q}: ${c.error.message}`);
  const ids = (fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { id: number }[]).map((r) => r.id);
  const byId = new Map(fx.rows.map((r) => [r.id, r]));
  return { rows: ids.map((id) => byId.get(id)!), sql: c.query.sql };
}

function oracle(q: string): number[] {
  const { filter } = parseQuery(q);
  return fx.rows.filter((r) => evaluate(filter, r)).map((r) => r.id);
}

describe('compiled queries on SQLite agree with the evaluator', () => {
  for (const [q, least] of FILTERS) {
    test(q.length > 80 ? q.slice(0, 80) : q, () => {
      const got = run(q).rows.map((r) => r.id);
      const want = oracle(q);
      assert.deepEqual(got, want);
      assert.ok(got.length >= least, `${q}: ${got.length} records, expected at least ${least}`);
    });
  }
});

test('a NUL inside a value reaches SQLite as data: exact matches find it, the rest of the table is untouched', () => {
  const rows = run('http.uri:"nul\u0000inside"').rows;
  assert.equal(rows.length, 1);
  assert.equal(rows[0].doc.uri, 'nul\u0000inside');
  // SQLite's LIKE reads text up to a NUL (documented in compile.ts): a wildcard cannot reach past it.
  assert.deepEqual(run('http.uri:nul*').rows.map((r) => r.uid), ['Chostile2']);
  // FTS5 would stop reading its query at the NUL: as free text it is a word separator.
  assert.deepEqual(run('nul\u0000inside').rows.map((r) => r.uid), ['Chostile2']);
});

test('the tables are intact after the hostile values were searched', () => {
  const n = fx.db.prepare('SELECT count(*) AS n FROM records').get() as { n: number };
  assert.equal(n.n, fx.rows.length);
});

test('pages: limit and offset walk the same order', () => {
  const all = run('log:conn').rows.map((r) => r.id);
  const c = compileQuery('log:conn', 'sqlite', { limit: 10, offset: 5 });
  assert.ok(c.ok);
  const page = (fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { id: number }[]).map((r) => r.id);
  assert.deepEqual(page, all.slice(5, 15));
});

describe('aggregations on SQLite agree with the evaluator', () => {
  for (const q of AGGREGATIONS) {
    test(q, () => {
      const c = compileQuery(q, 'sqlite');
      if (!c.ok) assert.fail(c.error.message);
      const got = fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { key?: unknown; count: number }[];
      const parsed = parseQuery(q);
      const rows = fx.rows.filter((r) => evaluate(parsed.filter, r));
      const want = aggregate(parsed.aggregation!, rows);
      assert.ok(got.length > 0 && got[0].count > 0);
      const norm = (xs: { key?: unknown; count: number }[]) => xs.map((x) => `${x.key === undefined ? '' : String(x.key)}=${x.count}`).sort();
      if (parsed.aggregation!.op === 'values') {
        assert.deepEqual(got.map((x) => String(x.key)).sort(), want.map((x) => String(x.key)).sort());
      } else {
        assert.deepEqual(norm(got), norm(want));
        for (let i = 1; i < got.length; i++) assert.ok(got[i - 1].count >= got[i].count, 'largest groups first');
      }
    });
  }
});

test('top N keeps the N largest groups', () => {
  const c = compileQuery('| top 5 id.resp_h', 'sqlite');
  assert.ok(c.ok);
  const got = fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { key: string; count: number }[];
  assert.equal(got.length, 5);
  const all = aggregate(parseQuery('| count by id.resp_h').aggregation!, fx.rows).map((x) => x.count).sort((a, b) => b - a);
  assert.deepEqual(got.map((x) => x.count), all.slice(0, 5));
  assert.equal(got[0].key, '192.168.170.20');
});
