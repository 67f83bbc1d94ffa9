/**
 * Extracted files into the blob store: the engine's real extraction of a shared capture goes in
 * by SHA-256 (byte-identical), the per-capture cap leaves the largest files out with a weird each,
 * half-written and foreign names are ignored, and the extraction directory goes away.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../src/store/blobs/folder-blobs.js';
import { extractionFor, keepExtractedFiles } from '../../src/jobs/extracted-files.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';
import { pcap, run } from '../helpers.js';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'capdex-extracted-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('a capture\'s extracted files land in the blob store by SHA-256; the extraction directory is removed', async () => {
  const blobs = await FolderBlobStore.open(join(dir, 'blobs1'));
  const capture = await blobs.put((await import('node:fs')).createReadStream(pcap('link-sll-http-log4j-exploit.pcap')));
  const extraction = await extractionFor(blobs.localPath(capture.sha256));
  assert.ok(extraction, 'a folder blob gives an extraction');
  const { sink } = await run(blobs.localPath(capture.sha256), { extractDir: extraction.extractDir });
  const weirds = new MemorySink();
  const kept = await extraction.keep(weirds, 1);
  const hashes = new Set(sink.get('files').map((f) => f.sha256).filter((h): h is string => typeof h === 'string'));
  assert.ok(hashes.size >= 2);
  assert.equal(kept.kept, hashes.size);
  for (const h of hashes) assert.equal(sha(readFileSync(blobs.localPath(h))), h);
  assert.equal(weirds.get('weird').length, 0);
  await extraction.cleanup();
  assert.equal(existsSync(extraction.extractDir), false);
  assert.equal(await extractionFor('/somewhere/else/capture.pcap'), undefined);
});

test('the per-capture cap keeps the smallest files first and names each one left out in weird.log', async () => {
  const blobs = await FolderBlobStore.open(join(dir, 'blobs2'));
  const src = join(dir, 'extract2');
  mkdirSync(src);
  const files = [Buffer.alloc(100, 1), Buffer.alloc(200, 2), Buffer.alloc(5000, 3)];
  for (const f of files) writeFileSync(join(src, sha(f)), f);
  writeFileSync(join(src, `.part-1-Fabc`), 'half written');
  writeFileSync(join(src, 'not-a-hash'), 'foreign');
  const sink = new MemorySink();
  const kept = await keepExtractedFiles(src, blobs, sink, 1234.5, 1000);
  assert.deepEqual(kept, { kept: 2, keptBytes: 300, skipped: 1 });
  assert.equal(await blobs.has(sha(files[0])), true);
  assert.equal(await blobs.has(sha(files[1])), true);
  assert.equal(await blobs.has(sha(files[2])), false);
  const [w] = sink.get('weird');
  assert.equal(w.name, 'extracted_file_not_kept');
  assert.equal(w.ts, 1234.5);
  assert.match(String(w.addl), new RegExp(`^${sha(files[2])}: 5000 bytes would pass the 1000-byte limit`));
  // Only content-addressed files went in (and the blob store's own tmp is empty again).
  assert.deepEqual(readdirSync(join(dir, 'blobs2', 'tmp')), []);
});
