/**
 * A capture upload into the blob store: streamed, hashed (SHA-256) while streaming, size-capped, and checked
 * by magic bytes before it is kept (the engine's own sniffing and refusal messages), so a zip or a
 * text file is refused with what it looks like and never becomes a blob or a job.
 */
import type { Readable } from 'node:stream';
import { constants, gunzipSync } from 'node:zlib';
import { BlobTooLargeError, type BlobDigest, type BlobStore } from '../store/blobs/blobs.js';
import { SNIFF_BYTES, describeNonCapture, sniffCaptureMagic } from '../engine/capture/sniff.js';
import { ApiError } from './errors.js';

/** Bytes of the smallest file header of each format: a capture shorter than that holds nothing. */
const HEADER_BYTES = { pcap: 24, pcapng: 28 } as const;

/** Checks the start of an upload (gunzipping what the head holds of a gzip'd one); throws ApiError. */
async function checkCaptureHead(head: Buffer, size: number): Promise<void> {
  if (size === 0) throw new ApiError('EMPTY_UPLOAD');
  let inner = head;
  const outer = sniffCaptureMagic(head);
  const gzip = outer?.kind === 'gzip';
  if (gzip) {
    try {
      // The head is a prefix of the gzip stream: a sync flush yields what it decompresses to so far.
      inner = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: SNIFF_BYTES * 16 });
    } catch {
      throw new ApiError('NOT_A_CAPTURE', 'this is a damaged gzip file');
    }
  }
  const sniffed = gzip ? sniffCaptureMagic(inner) : outer;
  if (sniffed?.kind === 'capture') {
    if (inner.length < HEADER_BYTES[sniffed.format]) throw new ApiError('TRUNCATED_CAPTURE', `${inner.length} bytes of a ${sniffed.format} file`);
    return;
  }
  const looksLike = await describeNonCapture(inner.subarray(0, SNIFF_BYTES));
  throw new ApiError('NOT_A_CAPTURE', `this is ${gzip ? `a gzip file holding ${looksLike}` : looksLike}`);
}

export async function receiveCapture(blobs: BlobStore, input: Readable, maxBytes: number): Promise<BlobDigest> {
  try {
    // SHA-256 only: MD5 and SHA-1 are the analysis job's (capture-import.ts), off the upload's path.
    return await blobs.put(input, { maxBytes, sha256Only: true, accept: (head, d) => checkCaptureHead(head, d.size) });
  } catch (e) {
    if (e instanceof BlobTooLargeError) throw new ApiError('UPLOAD_TOO_LARGE', `limit ${maxBytes} bytes`);
    throw e;
  }
}
