/**
 * The panel views' id cache (src/store/log-view-cache.ts): one build per key even when asked
 * concurrently, least recently used evicted first by entries and by ids held, failures not kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inIdOrder, LogViewCache, logViewKey, pageIds } from '../../src/store/log-view-cache.js';

const ids = (n: number) => ({ total: n, ids: Float64Array.from({ length: n }, (_, i) => i + 1) });

test('one build per key, concurrent askers share it', async () => {
  const cache = new LogViewCache(100, 10);
  let builds = 0;
  const build = async () => { builds++; await new Promise((r) => setTimeout(r, 5)); return ids(3); };
  const [a, b] = await Promise.all([cache.get('k', build), cache.get('k', build)]);
  assert.equal(a, b);
  assert.equal(builds, 1);
  await cache.get('k', build);
  assert.equal(builds, 1);
});

test('evicts the least recently used by entries and by ids held; keeps the newest whatever its size', async () => {
  const cache = new LogViewCache(10, 3);
  const built: string[] = [];
  const get = (k: string, n: number) => cache.get(k, async () => { built.push(k); return ids(n); });
  await get('a', 4); await get('b', 4);
  await get('a', 4); // a is now the most recent
  await get('c', 4); // 12 ids > 10: b goes (least recent)
  await get('a', 4); await get('b', 4);
  assert.deepEqual(built, ['a', 'b', 'c', 'b']);
  await get('huge', 50); // alone over the budget: kept, everything else goes
  await get('huge', 50);
  await get('a', 1);
  assert.deepEqual(built, ['a', 'b', 'c', 'b', 'huge', 'a']);
});

test('a failed build is not kept', async () => {
  const cache = new LogViewCache();
  await assert.rejects(cache.get('k', async () => { throw new Error('timeout'); }));
  assert.equal((await cache.get('k', async () => ids(2))).total, 2);
});

test('keys change with the import; pages and id order', () => {
  const c = { id: 'x', importedAt: 1, recordCount: 5 };
  assert.notEqual(logViewKey(c, 'conn', '', 'ts'), logViewKey({ ...c, importedAt: 2 }, 'conn', '', 'ts'));
  assert.notEqual(logViewKey(c, 'conn', 'a', 'ts'), logViewKey(c, 'conn', '', 'a ts'));
  assert.deepEqual(pageIds(ids(10).ids, 8, 5), [9, 10]);
  assert.deepEqual(pageIds(ids(10).ids, 20, 5), []);
  assert.deepEqual(inIdOrder([3, 1, 2], [{ id: 1 }, { id: 2 }]), [{ id: 1 }, { id: 2 }]);
  assert.deepEqual(inIdOrder([2, 1], [{ id: 1 }, { id: 2 }]), [{ id: 2 }, { id: 1 }]);
});
