/**
 * reuseStatements: a connection's prepare() compiles each SQL text once, hands a reused statement
 * back without the modes a previous caller set, never shares a statement that is still being
 * iterated, and keeps at most its bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { reuseStatements } from '../../../src/store/sqlite/statement-cache.js';

function numbers(max?: number): Database.Database {
  const db = reuseStatements(new Database(':memory:'), max);
  db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)');
  return db;
}

test('the same SQL text is compiled once; another text is another statement', () => {
  const db = numbers();
  const a = db.prepare('SELECT n FROM t ORDER BY n');
  assert.equal(db.prepare('SELECT n FROM t ORDER BY n'), a);
  assert.notEqual(db.prepare('SELECT n FROM t ORDER BY n DESC'), a);
  assert.deepEqual(a.all(), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  db.close();
});

test('a reused statement has none of the modes its previous caller set', () => {
  const db = numbers();
  assert.deepEqual(db.prepare('SELECT n FROM t ORDER BY n').pluck().all(), [1, 2, 3]);
  assert.deepEqual(db.prepare('SELECT n FROM t ORDER BY n').all(), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.deepEqual(db.prepare('SELECT n FROM t ORDER BY n').raw().all(), [[1], [2], [3]]);
  assert.deepEqual(db.prepare('SELECT n FROM t ORDER BY n').get(), { n: 1 });
  // Statements that return nothing (no modes to clear) are reused as well.
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  assert.equal(db.prepare('INSERT INTO t VALUES (?)'), insert);
  insert.run(4);
  assert.equal((db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c, 4);
  db.close();
});

test('a statement being iterated is not handed out again: the nested caller gets its own', () => {
  const db = numbers();
  const sql = 'SELECT n FROM t ORDER BY n';
  const seen: number[][] = [];
  for (const row of db.prepare(sql).iterate() as IterableIterator<{ n: number }>) {
    seen.push((db.prepare(sql).all() as { n: number }[]).map((r) => row.n * 10 + r.n));
  }
  assert.deepEqual(seen, [[11, 12, 13], [21, 22, 23], [31, 32, 33]]);
  // Once the iteration is over, the kept statement is the one reused.
  assert.equal(db.prepare(sql).busy, false);
  db.close();
});

test('at most `max` statements are kept: the least recently used one is compiled again', () => {
  const db = numbers(2);
  const a = db.prepare('SELECT 1');
  const b = db.prepare('SELECT 2');
  assert.equal(db.prepare('SELECT 1'), a); // a is now the most recent
  db.prepare('SELECT 3'); // evicts b
  assert.equal(db.prepare('SELECT 1'), a);
  assert.notEqual(db.prepare('SELECT 2'), b);
  db.close();
});
