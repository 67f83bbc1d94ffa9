/**
 * PreviewTap, on the records a real capture produces: the very first record is handed out at once
 * (a running job shows results as soon as it has any), later ones wait for the next drain, every
 * record reaches the real sink, and a log keeps at most PREVIEW_RECORDS_PER_LOG records, each
 * encoded as the store holds it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';
import type { LogRecord, LogSchema, RecordSink } from '../../src/engine/logs/schema.js';
import { PreviewTap } from '../../src/jobs/preview.js';
import { PREVIEW_RECORDS_PER_LOG } from '../../src/jobs/limits.js';
import type { PreviewRecord } from '../../src/jobs/worker-protocol.js';
import { bigCapture } from './big-capture.js';

test('the first record is posted at once, the rest at the next drain, at most PREVIEW_RECORDS_PER_LOG per log', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-preview-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const posts: PreviewRecord[][] = [];
  const tap = new PreviewTap((records) => posts.push(records));
  const mem = new MemorySink();
  const tapped = tap.wrap(mem);
  let writes = 0;
  let postsAtFirstWrite = -1;
  let postsAtSecondWrite = -1;
  const watching: RecordSink = {
    write(schema: LogSchema, rec: LogRecord) {
      tapped.write(schema, rec);
      writes++;
      if (writes === 1) postsAtFirstWrite = posts.length;
      if (writes === 2) postsAtSecondWrite = posts.length;
    },
  };
  // Copies of the shared captures: thousands of dns records, more than one preview's worth of one log.
  await analyze(bigCapture(dir, 2).path, watching);
  assert.equal(postsAtFirstWrite, 1, 'the first record was posted before the engine wrote another');
  assert.equal(posts[0].length, 1);
  assert.equal(postsAtSecondWrite, 1, 'the second record waits for a drain');
  tap.drain();
  const all = posts.flat();
  const byLog = new Map<string, PreviewRecord[]>();
  for (const r of all) byLog.set(r.log, [...(byLog.get(r.log) ?? []), r]);
  for (const [path, recs] of mem.records) {
    const kept = byLog.get(path) ?? [];
    assert.equal(kept.length, Math.min(recs.length, PREVIEW_RECORDS_PER_LOG), path);
    // The first records of the log, in order, as JSON documents of the same records.
    assert.deepEqual(kept.map((r) => (JSON.parse(r.doc) as LogRecord).ts), recs.slice(0, kept.length).map((r) => r.ts), path);
  }
  assert.ok((mem.records.get('dns')?.length ?? 0) > PREVIEW_RECORDS_PER_LOG, 'the capture has more dns records than a preview keeps');
});
