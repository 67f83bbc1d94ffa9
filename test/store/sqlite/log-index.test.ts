/**
 * Migration 4 (records_log): a query that names a log across every capture reads that log's
 * records through the index instead of scanning the table, for anonymous viewers (the NOT IN
 * visibility filter) and the local admin alike; the answers equal a full scan's (NOT INDEXED)
 * over what two real captures stored, one of them private.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ANONYMOUS, openStore, type Viewer } from '../../../src/store/store.js';
import { compileQuery } from '../../../src/store/query/index.js';
import { importCaptureFile } from '../../../src/cli/capture-import.js';

const PCAPS = join(import.meta.dirname, '../../../../shared/pcaps');

test('log-wide aggregations and rows are planned on records_log and answer as a full scan does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-log-index-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'capdex.db');
  const store = await openStore({ sqlite: path });
  try {
    await importCaptureFile(store, join(PCAPS, 'malware-emotet.pcap'), { visibility: 'public' });
    const hidden = await importCaptureFile(store, join(PCAPS, 'tor.pcap'), { visibility: 'private', submitter: 'someone' });
    const db = new Database(path, { readonly: true });
    try {
      const plan = (q: string, viewer?: Viewer): string => {
        const c = compileQuery(q, 'sqlite', { limit: 50, offset: 0 }, viewer);
        assert.ok(c.ok, q);
        return (db.prepare(`EXPLAIN QUERY PLAN ${c.query.sql}`).all(...c.query.params) as { detail: string }[]).map((r) => r.detail).join(' | ');
      };
      for (const viewer of [ANONYMOUS, undefined]) {
        assert.match(plan('log:conn | count by conn.service', viewer), /SEARCH records USING INDEX records_log \(log=\?\)/);
        assert.doesNotMatch(plan('log:conn | count by conn.service', viewer), /SCAN records/);
        assert.match(plan('log:http', viewer), /records_log/);
      }
      // The oracle: the same questions answered by scanning the table.
      const scanned = db.prepare(`SELECT json_extract(doc, '$.service') AS key, count(*) AS count FROM records NOT INDEXED
        WHERE log = 'conn' AND capture_id <> ? AND json_extract(doc, '$.service') IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1`).all(hidden.captureId);
      assert.ok(scanned.length > 1, 'the public capture has conn records of several services');
      const agg = await store.search('log:conn | count by conn.service', { viewer: ANONYMOUS });
      assert.deepEqual(agg.aggregation, scanned);
      const httpIds = (db.prepare(`SELECT id FROM records NOT INDEXED WHERE log = 'http' AND capture_id <> ? ORDER BY id`).pluck().all(hidden.captureId) as number[]);
      assert.ok(httpIds.length > 0);
      const rows = await store.search('log:http', { viewer: ANONYMOUS, limit: 1000 });
      assert.deepEqual(rows.rows?.map((r) => r.id), httpIds);
    } finally {
      db.close();
    }
  } finally {
    await store.close();
  }
});
