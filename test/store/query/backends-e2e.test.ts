/**
 * The query language through the real Store backends: the same captures and hostile records
 * imported into PostgreSQL (a fresh database on the tests' private cluster) and into the SQLite
 * backend, every query of cases.ts run with Store.search, and the records found compared with
 * the evaluator over the same records (oracle.ts). Free text follows each backend's index
 * (SQLite FTS5 words, PostgreSQL a substring of the JSON text), and the evaluator with it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../src/engine/pipeline.js';
import { openStore, type Store, type StoredRecord } from '../../../src/store/store.js';
import { parseQuery } from '../../../src/store/query/parser.js';
import { testServer, type TestServer } from '../pg-server.js';
import { pcap } from '../../helpers.js';
import { AGGREGATIONS, CAPTURES, FILTERS, HOSTILE_CAPTURE, captureId, hostileRecords } from './cases.js';
import { Fixture } from './fixture.js';
import { aggregate, evaluate, type TextMode } from './oracle.js';

/** A document with its keys sorted: JSONB does not keep key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const key = (capture: string, log: string, doc: unknown) => `${capture}|${log}|${canonical(doc)}`;

async function fill(store: Store): Promise<void> {
  for (const [i, c] of CAPTURES.entries()) {
    await store.importCapture({ id: captureId(i), md5: '0'.repeat(32), sha1: '0'.repeat(40), size: 1, name: c }, async (sink) => {
      await analyze(pcap(c), sink);
    });
  }
  await store.importCapture({ id: HOSTILE_CAPTURE, md5: '0'.repeat(32), sha1: '0'.repeat(40), size: 1, name: 'hostile' }, async (sink) => {
    for (const r of hostileRecords()) sink.write(r.schema, r.rec);
  });
}

let fx: Fixture;
let pgServer: TestServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'capdex-query-backends-'));
const stores: { name: string; store: Store; text: TextMode }[] = [];

before(async () => {
  fx = new Fixture();
  for (const [i, c] of CAPTURES.entries()) await fx.importCapture(c, captureId(i));
  fx.insertRecords(HOSTILE_CAPTURE, hostileRecords());
  pgServer = await testServer();
  const pg = await openStore({ pg: await pgServer.database() });
  await fill(pg);
  stores.push({ name: 'PostgreSQL', store: pg, text: 'pg' });
  const sqlite = await openStore({ sqlite: join(dir, 'store.db') });
  await fill(sqlite);
  stores.push({ name: 'SQLite', store: sqlite, text: 'fts' });
});

after(async () => {
  for (const s of stores) await s.store.close();
  await pgServer?.release();
  fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function search(store: Store, q: string): Promise<StoredRecord[]> {
  const r = await store.search(q, { limit: 10_000 });
  if (r.error) assert.fail(`${q}: ${r.error.message}`);
  return r.rows ?? [];
}

for (const backend of ['PostgreSQL', 'SQLite']) {
  describe(`Store.search on ${backend} agrees with the evaluator`, () => {
    for (const [q] of FILTERS) {
      test(q.length > 80 ? q.slice(0, 80) : q, async (t) => {
        const s = stores.find((x) => x.name === backend)!;
        const probe = await s.store.search('| count');
        if (probe.error) return t.skip(`search not available on ${backend}: ${probe.error.message}`);
        const got = (await search(s.store, q)).map((r) => key(r.captureId, r.log, r.doc)).sort();
        const { filter } = parseQuery(q);
        const want = fx.rows.filter((r) => evaluate(filter, r, s.text)).map((r) => key(r.capture_id, r.log, r.doc)).sort();
        assert.equal(got.length, want.length, `${q}: ${got.length} records, the evaluator ${want.length}`);
        assert.deepEqual(got, want);
      });
    }
    for (const q of AGGREGATIONS) {
      test(q, async (t) => {
        const s = stores.find((x) => x.name === backend)!;
        const r = await s.store.search(q);
        if (r.error) return t.skip(`search not available on ${backend}: ${r.error.message}`);
        const parsed = parseQuery(q);
        const want = aggregate(parsed.aggregation!, fx.rows.filter((x) => evaluate(parsed.filter, x, s.text)));
        const norm = (xs: { key?: unknown; count: number }[]) => xs.map((x) => `${x.key === undefined || x.key === null ? '' : String(x.key)}=${x.count}`).sort();
        if (parsed.aggregation!.op === 'values') assert.deepEqual(r.aggregation!.map((x) => String(x.key)).sort(), want.map((x) => String(x.key)).sort());
        else assert.deepEqual(norm(r.aggregation!), norm(want));
      });
    }
  });
}

test('a query error comes back with its position from both backends', async () => {
  for (const s of stores) {
    const r = await s.store.search('dns.query:x AND');
    if (r.error?.message.includes('not available')) continue;
    assert.equal(r.error?.position, 15, s.name);
    assert.equal(r.error?.expected, 'a term', s.name);
  }
});
