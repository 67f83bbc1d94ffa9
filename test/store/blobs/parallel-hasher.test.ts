/**
 * ParallelHasher: the worker threads' digests equal node:crypto's over the same bytes (a real
 * capture fed in uneven chunks, chunks larger than a batch, nothing at all, batches refilled), concurrent sessions
 * do not mix (nor do sessions sharing the pool of batches after an abort), a caller feeding faster than the worker hashes is asked to wait, and with writeTo the
 * worker writes the same bytes to a new file (removed on abort; an existing file is never overwritten).
 * A subset of the digests runs only those lanes; hashFileOffThread (a job's MD5 and SHA-1) agrees with node:crypto.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HASH_BATCH_BYTES, HASH_IN_FLIGHT_MAX_BYTES, ParallelHasher, startHashWorkers, type Digests } from '../../../src/store/blobs/parallel-hasher.js';
import { hashFileOffThread } from '../../../src/store/blobs/file-digests.js';

const PCAPS = join(import.meta.dirname, '../../../../shared/pcaps');

const expected = (b: Uint8Array): Digests => ({
  sha256: createHash('sha256').update(b).digest('hex'), md5: createHash('md5').update(b).digest('hex'), sha1: createHash('sha1').update(b).digest('hex'),
});

async function feed(h: ParallelHasher, b: Uint8Array, sizes: number[]): Promise<Digests> {
  for (let off = 0, i = 0; off < b.length; i++) {
    const n = sizes[i % sizes.length];
    await h.update(b.subarray(off, off + n));
    off += n;
  }
  return h.digest();
}

test('digests equal node:crypto\'s for uneven chunks, chunks past a batch, and empty input', async () => {
  const pcap = readFileSync(join(PCAPS, 'tor.pcap'));
  assert.deepEqual(await feed(new ParallelHasher(), pcap, [1, 7, 4096, 65536, 13]), expected(pcap));
  const big = Buffer.concat(Array.from({ length: 20 }, () => pcap)); // ~3 MB: several batches
  assert.ok(big.length > 2 * HASH_BATCH_BYTES);
  assert.deepEqual(await feed(new ParallelHasher(), big, [HASH_BATCH_BYTES + 3, 100]), expected(big));
  assert.deepEqual(await new ParallelHasher().digest(), expected(Buffer.alloc(0)));
});

test('batches are filled again once every digest\'s worker is done with them: the digests still cover exactly the bytes fed', async () => {
  // Distinct bytes per batch, so a batch refilled while a slower worker still read it would change that worker's digest.
  const big = Buffer.alloc(3 * HASH_IN_FLIGHT_MAX_BYTES + 12345);
  for (let i = 0; i + 4 <= big.length; i += 4) big.writeUInt32LE(i, i);
  assert.deepEqual(await feed(new ParallelHasher(), big, [65536, HASH_BATCH_BYTES - 1, 17]), expected(big));
});

test('concurrent sessions keep their own bytes', async () => {
  const a = readFileSync(join(PCAPS, 'malware-emotet.pcap'));
  const b = readFileSync(join(PCAPS, 'sip.pcap'));
  const [da, db] = await Promise.all([feed(new ParallelHasher(), a, [5000]), feed(new ParallelHasher(), b, [3000])]);
  assert.deepEqual(da, expected(a));
  assert.deepEqual(db, expected(b));
});

test('batches go back to the process\'s pool only once every lane is done with them: sessions after an aborted one, and alongside it, keep their own bytes', async () => {
  startHashWorkers();
  // Distinct bytes per session and per offset: a batch refilled by one session while a lane still read it for another shows in a digest.
  const bytes = (seed: number, n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i + 4 <= n; i += 4) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
    return b;
  };
  const a = bytes(1, 2 * HASH_IN_FLIGHT_MAX_BYTES + 999);
  const b = bytes(2, 2 * HASH_IN_FLIGHT_MAX_BYTES + 7);
  const c = bytes(3, HASH_IN_FLIGHT_MAX_BYTES + 12345);
  // Aborted with batches posted and not hashed yet, and one half filled.
  const aborted = new ParallelHasher();
  aborted.update(a.subarray(0, HASH_IN_FLIGHT_MAX_BYTES + HASH_BATCH_BYTES / 2));
  const running = feed(new ParallelHasher(), b, [65536]);
  await aborted.abort();
  const [db, dc] = await Promise.all([running, feed(new ParallelHasher(), c, [HASH_BATCH_BYTES + 1, 3])]);
  assert.deepEqual(db, expected(b));
  assert.deepEqual(dc, expected(c));
  assert.deepEqual(await feed(new ParallelHasher(), a, [100_000]), expected(a));
});

test('more than HASH_IN_FLIGHT_MAX_BYTES not hashed yet: update asks the caller to wait, and the wait ends', async () => {
  const h = new ParallelHasher();
  const chunk = Buffer.alloc(HASH_BATCH_BYTES, 0x5a);
  let waited: Promise<void> | undefined;
  let fed = 0;
  // Synchronous feeding: the worker cannot answer before this loop yields.
  while (!waited) {
    waited = h.update(chunk);
    fed++;
    assert.ok(fed * HASH_BATCH_BYTES <= HASH_IN_FLIGHT_MAX_BYTES + HASH_BATCH_BYTES, 'asked to wait once past the bound');
  }
  await waited;
  assert.deepEqual(await h.digest(), expected(Buffer.concat(Array.from({ length: fed }, () => chunk))));
  h.abort(); // after the digest: nothing left to forget, no throw
});

test('writeTo: the worker writes every byte to a new file; abort removes it; a file it cannot create fails the session', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-hasher-'));
  try {
    const pcap = readFileSync(join(PCAPS, 'tor.pcap'));
    const big = Buffer.concat(Array.from({ length: 20 }, () => pcap));
    const path = join(dir, 'out');
    assert.deepEqual(await feed(new ParallelHasher({ writeTo: path }), big, [65536, 3, HASH_BATCH_BYTES + 1]), expected(big));
    assert.deepEqual(readFileSync(path), big, 'the file holds exactly the bytes hashed');

    // Aborted at once (its open may still be queued): once abort resolves, no file is left.
    const gone = join(dir, 'aborted');
    const h = new ParallelHasher({ writeTo: gone });
    h.update(big.subarray(0, 3 * HASH_BATCH_BYTES));
    await h.abort();
    assert.equal(existsSync(gone), false);

    // Exclusive create: an existing file (or a missing folder) is an error, not an overwrite.
    const refused = new ParallelHasher({ writeTo: path });
    await assert.rejects(feed(refused, pcap, [4096]), /writing the blob failed/);
    await refused.abort();
    assert.deepEqual(readFileSync(path), big, 'the existing file is untouched');
    // Aborted after the failure, before any end: the file it could not create is not its to remove.
    const abortedAfterFailure = new ParallelHasher({ writeTo: path });
    await assert.rejects(async () => {
      for (;;) {
        await abortedAfterFailure.update(pcap);
        await new Promise((r) => setTimeout(r, 5));
      }
    }, /writing the blob failed/);
    await abortedAfterFailure.abort();
    assert.deepEqual(readFileSync(path), big, 'the existing file is still there after the abort');
    const failing = new ParallelHasher({ writeTo: join(dir, 'no', 'such', 'dir') });
    await assert.rejects(feed(failing, big, [HASH_BATCH_BYTES]), /writing the blob failed/);
    await failing.abort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('digests: SHA-256 only (an upload) computes that digest alone, written file and all; a hasher with nothing to do is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-hasher-'));
  try {
    const big = Buffer.concat(Array.from({ length: 20 }, () => readFileSync(join(PCAPS, 'tor.pcap'))));
    const path = join(dir, 'out');
    const only = await feed(new ParallelHasher({ writeTo: path, digests: ['sha256'] }), big, [65536, HASH_BATCH_BYTES + 1]);
    assert.deepEqual(only, { sha256: expected(big).sha256 }, 'no MD5 or SHA-1 lane ran');
    assert.deepEqual(readFileSync(path), big);
    assert.deepEqual(await feed(new ParallelHasher({ digests: ['md5', 'sha1'] }), big, [4096]), { md5: expected(big).md5, sha1: expected(big).sha1 });
    assert.throws(() => new ParallelHasher({ digests: [] }), /needs a digest or a file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hashFileOffThread: a file\'s digests from a thread of its own equal node:crypto\'s; a missing file rejects with the reason', async () => {
  const path = join(PCAPS, 'smb2-smb3-windows10.pcap');
  const bytes = readFileSync(path);
  const { md5, sha1 } = expected(bytes);
  assert.deepEqual(await hashFileOffThread(path, ['md5', 'sha1']), { md5, sha1 });
  await assert.rejects(hashFileOffThread(join(PCAPS, 'no-such.pcap'), ['md5']), /ENOENT/);
});

test('idle hashing workers do not keep a process alive: started ahead of any upload, as the API does', () => {
  const url = new URL('../../../src/store/blobs/parallel-hasher.ts', import.meta.url).href;
  // A file, not -e with --input-type=module: workers inherit execArgv, and the lanes' eval'd source is CommonJS.
  const dir = mkdtempSync(join(tmpdir(), 'capdex-hasher-exit-'));
  const file = join(dir, 'child.mjs');
  writeFileSync(file, `const m = await import(${JSON.stringify(url)}); m.startHashWorkers(); console.log('started');`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.signal, null, 'the child had to be killed: an idle lane kept it alive');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'started');
});
