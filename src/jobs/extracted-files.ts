/**
 * Extracted files kept: the analysis worker runs the engine with a temporary extraction
 * directory (files named by their SHA-256) and, before the import commits, moves each file into
 * the blob store, where GET /api/files/{sha256} and files.zip find it. A capture can carry many
 * large transfers, so what one capture keeps is capped (MAX_KEPT_EXTRACTED_BYTES); a file over
 * the cap, or one the engine cut at its per-file limit (a prefix, not the file files.log hashes),
 * is left out and said so in the capture's weird.log (`extracted_file_not_kept`).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../store/blobs/blobs.js';
import { FolderBlobStore } from '../store/blobs/folder-blobs.js';
import type { RecordSink } from '../engine/logs/schema.js';
import { WEIRD_LOG } from '../engine/logs/weird-log.js';
import { LIMITS } from '../engine/support/limits.js';

/** Bytes of extracted files one capture may keep in the blob store (1 GiB). */
export const MAX_KEPT_EXTRACTED_BYTES = 1024 ** 3;

const SHA256_NAME = /^[0-9a-f]{64}$/;

export interface KeptFiles {
  kept: number;
  keptBytes: number;
  skipped: number;
}

/** What the worker hands the analysis, and what it calls once the engine is done and at the end. */
export interface Extraction {
  /** The engine's extraction directory (EngineOptions.extractDir). */
  extractDir: string;
  /** Moves the files into the blob store; records written to `sink` join the capture's import. */
  keep(sink: RecordSink, ts: number | undefined): Promise<KeptFiles>;
  /** Removes the extraction directory (always, success or not). */
  cleanup(): Promise<void>;
}

/**
 * Extraction for a capture kept in a folder blob store: the temp directory goes under the store's
 * tmp/ (same disk as the blobs). Undefined when the capture is not a folder blob.
 */
export async function extractionFor(capturePath: string): Promise<Extraction | undefined> {
  const root = FolderBlobStore.rootOf(capturePath);
  if (root === undefined) return undefined;
  const blobs = await FolderBlobStore.open(root);
  const extractDir = await mkdtemp(join(root, 'tmp', 'extract-'));
  return {
    extractDir,
    keep: (sink, ts) => keepExtractedFiles(extractDir, blobs, sink, ts),
    cleanup: () => rm(extractDir, { recursive: true, force: true }),
  };
}

/**
 * Puts every complete extracted file of `dir` into `blobs`, up to `maxBytes` in all (smallest
 * first, so one huge file does not crowd out many small ones), and writes a weird for each
 * file left out. The directory itself is left to the caller.
 */
export async function keepExtractedFiles(dir: string, blobs: BlobStore, sink: RecordSink, ts: number | undefined,
  maxBytes = MAX_KEPT_EXTRACTED_BYTES): Promise<KeptFiles> {
  const files: { name: string; size: number }[] = [];
  for (const name of await readdir(dir)) {
    // Only our own content-addressed names: half-written `.part-*` files are not files.
    if (!SHA256_NAME.test(name)) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) files.push({ name, size: s.size });
  }
  files.sort((a, b) => a.size - b.size || (a.name < b.name ? -1 : 1));
  const out: KeptFiles = { kept: 0, keptBytes: 0, skipped: 0 };
  const skip = (name: string, why: string): void => {
    out.skipped++;
    sink.write(WEIRD_LOG, { ts, name: 'extracted_file_not_kept', addl: `${name}: ${why}`, notice: false, peer: 'capdex', source: 'files' });
  };
  for (const f of files) {
    if (f.size >= LIMITS.fileExtractMaxBytes) { skip(f.name, `cut at the ${LIMITS.fileExtractMaxBytes}-byte extraction limit per file`); continue; }
    if (out.keptBytes + f.size > maxBytes) { skip(f.name, `${f.size} bytes would pass the ${maxBytes}-byte limit of extracted files per capture`); continue; }
    await blobs.put(createReadStream(join(dir, f.name)), { sha256Only: true }); // files.log has their MD5 and SHA-1
    out.kept++;
    out.keptBytes += f.size;
  }
  return out;
}
