/**
 * The folder blob store: digests match an independent hash, size limit, refusal keeps nothing, a
 * known blob is kept (a damaged one replaced), no path input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FolderBlobStore } from '../../../src/store/blobs/folder-blobs.js';
import { BlobNotFoundError, BlobTooLargeError } from '../../../src/store/blobs/blobs.js';

const PCAP = join(import.meta.dirname, '../../../../shared/pcaps/http-get-simple.pcap');

async function withBlobs(fn: (b: FolderBlobStore, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-blobs-'));
  try { await fn(await FolderBlobStore.open(dir), dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('put hashes while streaming and stores by sha256; a second put is idempotent', () => withBlobs(async (b) => {
  const bytes = readFileSync(PCAP);
  const d = await b.put(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]));
  assert.equal(d.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(d.md5, createHash('md5').update(bytes).digest('hex'));
  assert.equal(d.sha1, createHash('sha1').update(bytes).digest('hex'));
  assert.equal(d.size, bytes.length);
  assert.ok(await b.has(d.sha256));
  assert.equal(await b.size(d.sha256), bytes.length);
  assert.deepEqual(readFileSync(b.localPath(d.sha256)), bytes);
  assert.match(b.localPath(d.sha256), new RegExp(`sha256/${d.sha256.slice(0, 2)}/${d.sha256.slice(2, 4)}/${d.sha256}$`));
  const again = await b.put(Readable.from([bytes]));
  assert.deepEqual(again, d);
  const chunks: Buffer[] = [];
  for await (const c of await b.open(d.sha256)) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), bytes);
}));

test('a put of a known blob keeps the stored file; one whose stored file has another size (a crash before puts synced) replaces it', () => withBlobs(async (b, dir) => {
  const bytes = readFileSync(PCAP);
  const d = await b.put(Readable.from([bytes]));
  const path = b.localPath(d.sha256);
  const ino = statSync(path).ino;
  await b.put(Readable.from([bytes]));
  assert.equal(statSync(path).ino, ino, 'the same file, not a new copy renamed over it');
  assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'the temp copy is gone');

  writeFileSync(path, bytes.subarray(0, 100));
  assert.deepEqual(await b.put(Readable.from([bytes])), d);
  assert.deepEqual(readFileSync(path), bytes);
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
}));

test('over the size limit: BlobTooLargeError, nothing kept', () => withBlobs(async (b, dir) => {
  await assert.rejects(b.put(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 }), BlobTooLargeError);
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  assert.deepEqual(readdirSync(join(dir, 'sha256')), []);
}));

test('accept refuses: its error comes back and nothing is kept; it saw the head', () => withBlobs(async (b, dir) => {
  let seen = '';
  await assert.rejects(b.put(Readable.from([Buffer.from('hello world')]), {
    accept: (head) => { seen = head.toString(); throw new Error('not a capture'); },
  }), /not a capture/);
  assert.equal(seen, 'hello world');
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  assert.deepEqual(readdirSync(join(dir, 'sha256')), []);
}));

test('ids that are not sha256 hex never reach the file system', () => withBlobs(async (b) => {
  assert.equal(await b.has('../../etc/passwd'), false);
  assert.equal(await b.size('A'.repeat(64)), undefined);
  await assert.rejects(b.open('../x'), BlobNotFoundError);
  assert.throws(() => b.localPath('..'), BlobNotFoundError);
}));
