/**
 * A capture file into the store: hash it (SHA-256 is its identity, MD5/SHA-1 for lookup), then
 * analyse it with the engine straight into Store.importCapture's sink. The file is read twice
 * (hashing, then analysis): the id must be known before the first record is stored, and the
 * hashing pass is cheap next to the analysis (bench:store prints both).
 */
import { basename } from 'node:path';
import { analyze, DEFAULT_ENGINE_OPTIONS, type EngineOptions, type EngineStats } from '../engine/pipeline.js';
import type { SourceProgress } from '../engine/capture/source.js';
import type { HeuristicOptions } from '../engine/detect/heuristics/index.js';
import type { RecordSink } from '../engine/logs/schema.js';
import type { CaptureFacts, ImportResult, Store, Visibility } from '../store/store.js';
import { hashFileOffThread } from '../store/blobs/file-digests.js';
import { hashFiles } from '../store/log-files.js';

export interface FileDigest {
  sha256: string;
  /** Absent when the caller did not compute them (an upload): analyseIntoStore does, alongside the analysis. */
  md5?: string;
  sha1?: string;
  size: number;
}

/** Hashes a file in one streamed pass. */
export async function hashFile(path: string): Promise<Required<FileDigest>> {
  const h = await hashFiles([path]);
  return { sha256: h.id, md5: h.md5, sha1: h.sha1, size: h.size };
}

export interface CaptureImportOptions {
  engine?: Partial<EngineOptions>;
  /** The heuristics' settings (intel lists); on by default, as in analyze(). */
  heuristics?: HeuristicOptions;
  name?: string;
  submitter?: string;
  visibility?: Visibility;
}

export interface CaptureImportResult extends ImportResult {
  digest: Required<FileDigest>;
  packets: number;
  /** Seconds spent hashing, and analysing + storing. */
  hashSeconds: number;
  importSeconds: number;
}

/** Hashes and analyses `path` into `store` (replacing an earlier import of the same file). */
export async function importCaptureFile(store: Store, path: string, opts: CaptureImportOptions = {}): Promise<CaptureImportResult> {
  const t0 = process.hrtime.bigint();
  const digest = await hashFile(path);
  const t1 = process.hrtime.bigint();
  const { result, packets } = await analyseIntoStore(store, path, digest, opts);
  const t2 = process.hrtime.bigint();
  return { ...result, digest, packets, hashSeconds: Number(t1 - t0) / 1e9, importSeconds: Number(t2 - t1) / 1e9 };
}

/**
 * Analyses `path`, whose SHA-256 is already known (the service hashed it while uploading), into
 * `store` in one all-or-nothing import; `onProgress` gets the engine's progress as it reads. The
 * MD5 and SHA-1 the digest lacks are computed on another thread meanwhile (file-digests.ts).
 */
export async function analyseIntoStore(
  store: Store, path: string, digest: FileDigest,
  opts: CaptureImportOptions & {
    onProgress?: (p: SourceProgress, stats: EngineStats, records: number) => void;
    /** Runs once the engine is done, inside the import: what it writes to `sink` lands in the same transaction. */
    afterAnalysis?: (sink: RecordSink, stats: EngineStats) => Promise<unknown>;
  } = {},
): Promise<{ result: ImportResult; packets: number; alerts: number }> {
  let packets = 0;
  let alerts = 0;
  const rest = digest.md5 !== undefined && digest.sha1 !== undefined ? undefined : hashFileOffThread(path, ['md5', 'sha1']);
  rest?.catch(() => undefined); // awaited once the analysis is done; a failed analysis must not leave it unhandled
  const result = await store.importCapture(
    { id: digest.sha256, md5: digest.md5, sha1: digest.sha1, size: digest.size, name: opts.name ?? basename(path), submitter: opts.submitter, visibility: opts.visibility },
    async (sink): Promise<CaptureFacts> => {
      let records = 0;
      const counted: RecordSink = { write(schema, rec) { records++; sink.write(schema, rec); } };
      const onProgress = opts.onProgress;
      const r = await analyze(path, onProgress ? counted : sink, {
        engine: { ...DEFAULT_ENGINE_OPTIONS, ...opts.engine },
        heuristics: opts.heuristics,
        onProgress: onProgress ? (p, stats) => onProgress(p, stats, records) : undefined,
      });
      packets = r.stats.packets;
      alerts = r.stats.alerts;
      await opts.afterAnalysis?.(sink, r.stats);
      const s = r.stats;
      const hashed = await rest;
      return {
        md5: hashed?.md5, sha1: hashed?.sha1,
        format: r.capture.format + (r.capture.gzip ? '+gzip' : ''),
        linkTypes: r.capture.reader.info.linkTypes,
        firstTs: s.packets > 0 ? s.firstTs : undefined,
        lastTs: s.packets > 0 ? s.lastTs : undefined,
        packets: s.packets,
        stats: s,
      };
    },
  );
  return { result, packets, alerts };
}
