/**
 * The folder blob store: DIR/sha256/ab/cd/<sha256>. A put streams into DIR/tmp/<random> while
 * hashing (SHA-256, and MD5 and SHA-1 unless told not to, each on its own worker; another writes the file and syncs it to the
 * disk: parallel-hasher.ts), then renames into place and syncs the folder, so a reader never sees a
 * half-written blob, a crash leaves only a temp file, and a put that resolved survives a power cut. Paths are built from our own hex digests
 * only: nothing a user sends (file names, ids) reaches the file system unchecked.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ParallelHasher } from './parallel-hasher.js';
import { BLOB_HEAD_BYTES, BlobNotFoundError, BlobTooLargeError, type BlobDigest, type BlobStore, type PutOptions } from './blobs.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Syncs a folder that just got an entry (a rename into it) and, when mkdir made folders on the
 * way (`created`: the first one it made), every folder that got one of them: until then a crash may
 * lose the entry even though the file's bytes are on the disk.
 */
async function syncFolders(dir: string, created: string | undefined): Promise<void> {
  const dirs = [dir];
  if (created !== undefined) for (let d = dir; d !== dirname(created);) dirs.push(d = dirname(d));
  await Promise.all(dirs.map(async (d) => {
    const h = await open(d, 'r');
    try { await h.sync(); } finally { await h.close(); }
  }));
}

export class FolderBlobStore implements BlobStore {
  private readonly tmpDir: string;

  private constructor(private readonly root: string) {
    this.tmpDir = join(root, 'tmp');
  }

  static async open(root: string): Promise<FolderBlobStore> {
    await mkdir(join(root, 'tmp'), { recursive: true });
    await mkdir(join(root, 'sha256'), { recursive: true });
    return new FolderBlobStore(root);
  }

  /** The store's root from one of its blob paths (a worker gets the capture's path, not the store). */
  static rootOf(blobPath: string): string | undefined {
    return /^(.+)[/\\]sha256[/\\][0-9a-f]{2}[/\\][0-9a-f]{2}[/\\][0-9a-f]{64}$/.exec(blobPath)?.[1];
  }

  localPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new BlobNotFoundError(sha256);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(input: Readable, opts: PutOptions = {}): Promise<BlobDigest> {
    const max = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const tmp = join(this.tmpDir, randomBytes(12).toString('hex'));
    // The workers hash each batch and one writes it to the temp file (large writes, off the event loop).
    const hasher = new ParallelHasher({ writeTo: tmp, digests: opts.sha256Only ? ['sha256'] : undefined });
    const head: Buffer[] = [];
    let headSize = 0;
    let size = 0;
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) throw new BlobTooLargeError(max);
        if (headSize < BLOB_HEAD_BYTES) {
          const part = chunk.subarray(0, BLOB_HEAD_BYTES - headSize);
          head.push(Buffer.from(part));
          headSize += part.length;
        }
        // Wait only when the worker is far behind.
        const behind = hasher.update(chunk);
        if (behind) await behind;
      }
      const digest: BlobDigest = { ...(await hasher.digest()), size };
      await opts.accept?.(Buffer.concat(head, headSize), digest);
      // Known already (same sha256 and size): the temp file goes, the blob stays. Otherwise it is
      // renamed into place, over a blob of another size (left damaged by a crash before puts synced).
      if ((await this.size(digest.sha256)) !== digest.size) {
        const dest = this.localPath(digest.sha256);
        const created = await mkdir(dirname(dest), { recursive: true });
        await rename(tmp, dest);
        await syncFolders(dirname(dest), created);
      }
      return digest;
    } finally {
      await hasher.abort();
      await rm(tmp, { force: true });
    }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    try {
      return (await stat(this.localPath(sha256))).size;
    } catch {
      return undefined;
    }
  }

  async open(sha256: string): Promise<Readable> {
    if (!(await this.has(sha256))) throw new BlobNotFoundError(sha256);
    return createReadStream(this.localPath(sha256));
  }
}
