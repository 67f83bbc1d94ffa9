/**
 * Content-addressed blob storage: captures (and later extracted files) kept by their SHA-256.
 * One interface, so an S3-compatible backend can come later without callers changing; the folder
 * backend (folder-blobs.ts) is the embedded default.
 */
import type { Readable } from 'node:stream';

export interface BlobDigest {
  sha256: string;
  /** Absent when the put asked for SHA-256 only (PutOptions.sha256Only). */
  md5?: string;
  sha1?: string;
  size: number;
}

export interface PutOptions {
  /** Bytes accepted; one more and the put fails with BlobTooLargeError and keeps nothing. */
  maxBytes?: number;
  /**
   * Compute SHA-256 only, the blob's identity (MD5 and SHA-1 then come back absent): an upload's
   * receive is CPU-bound on a small machine, and the analysis job hashes the rest off its path.
   */
  sha256Only?: boolean;
  /**
   * Called with the first bytes (up to BLOB_HEAD_BYTES, fewer for a smaller input) once the whole
   * input is in, before it is kept: a throw refuses the blob (nothing is kept) and put rethrows it.
   */
  accept?: (head: Buffer, digest: BlobDigest) => Promise<void> | void;
}

export interface BlobStore {
  /**
   * Streams `input` in, hashing as it goes; returns the digests and size once the blob is durable
   * (a crash or power cut afterwards keeps it: the API answers an upload with "stored"). Idempotent by sha256.
   */
  put(input: Readable, opts?: PutOptions): Promise<BlobDigest>;
  has(sha256: string): Promise<boolean>;
  /** Throws BlobNotFoundError when there is no such blob. */
  open(sha256: string): Promise<Readable>;
  size(sha256: string): Promise<number | undefined>;
  /** A local file path when the backend has one (the folder backend); the engine reads it directly. */
  localPath?(sha256: string): string;
}

/** Bytes of a blob's start handed to `accept` (enough to sniff a capture, gzip'd or not). */
export const BLOB_HEAD_BYTES = 64 * 1024;

export class BlobTooLargeError extends Error {
  readonly code = 'CAPDEX_BLOB_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
  }
}

export class BlobNotFoundError extends Error {
  readonly code = 'CAPDEX_BLOB_NOT_FOUND';
  constructor(readonly sha256: string) {
    super(`no blob ${sha256}`);
  }
}
