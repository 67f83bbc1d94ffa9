/**
 * CaptureFilter's time bounds on every backend (run from suite.ts): imported between and first
 * packet between, inclusive, combined with each other, with paging and with the viewer's
 * visibility; a capture without a first packet time never matches a first-packet bound.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANONYMOUS, type CaptureMeta, type Store } from '../../src/store/store.js';

const meta = (c: string, extra: Partial<CaptureMeta> = {}): CaptureMeta => {
  const id = c.repeat(64);
  return { id, md5: id.slice(0, 32), sha1: id.slice(0, 40), size: 1, name: `cap-${c}`, visibility: 'public', ...extra };
};

export function captureTimeSuite(backend: string, open: () => Promise<Store>): void {
  describe(`captures by time on ${backend}`, () => {
    it('filters by imported and first-packet bounds, inclusive', async () => {
      const store = await open();
      try {
        // First packets: a 2019, b 2021, c none, d 2023 (private), e 2024.
        const first: Record<string, number | undefined> = { a: 1_550_000_000, b: 1_610_000_000, c: undefined, d: 1_680_000_000, e: 1_710_000_000 };
        for (const c of Object.keys(first)) {
          await store.importCapture(meta(c, c === 'd' ? { visibility: 'private', submitter: 'key_000000000001' } : {}), async () => (first[c] === undefined ? {} : { firstTs: first[c], lastTs: first[c]! + 60 }));
          await new Promise((r) => setTimeout(r, 15)); // distinct import times
        }
        const all = await store.captures({ order: 'oldest' });
        const at = Object.fromEntries(all.map((c) => [c.name.slice(4), c.importedAt]));
        const names = async (f: Parameters<Store['captures']>[0]) => (await store.captures({ ...f, order: 'oldest' })).map((c) => c.name.slice(4));
        assert.deepEqual(await names({ importedFrom: at.b, importedTo: at.d }), ['b', 'c', 'd']);
        assert.deepEqual(await names({ importedFrom: at.e }), ['e']);
        assert.deepEqual(await names({ importedTo: at.a }), ['a']);
        assert.deepEqual(await names({ firstTsFrom: 1_600_000_000 }), ['b', 'd', 'e']);
        assert.deepEqual(await names({ firstTsFrom: first.b, firstTsTo: first.d }), ['b', 'd']);
        assert.deepEqual(await names({ firstTsTo: 1_600_000_000 }), ['a']);
        assert.deepEqual(await names({ firstTsFrom: 1_600_000_000, importedTo: at.d }), ['b', 'd']);
        assert.deepEqual(await names({ firstTsFrom: 1_600_000_000, viewer: ANONYMOUS }), ['b', 'e']);
        assert.deepEqual(await names({ firstTsFrom: 1_600_000_000, limit: 1, offset: 1 }), ['d']);
        assert.deepEqual(await names({ firstTsFrom: Number.NaN }), ['a', 'b', 'c', 'd', 'e'], 'a non-finite bound is no bound');
        assert.deepEqual(await names({ firstTsFrom: 2_000_000_000 }), []);
      } finally {
        await store.close();
      }
    });
  });
}
