/**
 * One capture's import into PostgreSQL: a RecordSink that encodes each record into COPY text as it
 * arrives (store-core's RecordEncoder makes the columns, observables and file facts) and COPYs
 * each full batch (records, then observables, then files) inside the import's transaction.
 * Observables are grouped for the whole import (observable-groups.ts: one row per value with its
 * records' ids as a bigint[]) and go out with the last batch, or earlier when the grouping's
 * memory bounds are reached.
 *
 * Ids: the import reserves ID_BLOCK ids before the first record (PgImport.start), so each record
 * and its observables are numbered while encoded, with no round trip per batch.
 * The engine writes synchronously and awaits only between reads of the capture, so a batch cannot
 * be awaited where it fills: full batches queue behind one flush chain that runs as the engine
 * reads; past PG_PENDING_MAX_BYTES the queued text waits on disk (spill-file.ts). The first
 * failure stops the chain; later writes are dropped and `finish` throws it, so the
 * caller rolls the whole import back.
 */
import type { PoolClient } from 'pg';
import type { LogRecord, LogSchema, RecordSink } from '../../engine/logs/schema.js';
import { RecordEncoder, type FileFacts } from '../ingest.js';
import { ObservableGrouper, type ObservableGroup } from '../observable-groups.js';
import { reverseValue } from '../query/observable-keys.js';
import { ID_BLOCK } from './migrations.js';
import { copyInto, copyNumber, copyOptText, copyText } from './copy-text.js';
import { encodeJson, encodeText, indexKey, PG_INDEX_KEY_MAX_CHARS } from './pg-text.js';
import { SpillFile, type SpillRef } from './spill-file.js';

/** Records per COPY batch: larger amortises the statements' round trips; each batch waits in memory as text. */
export const PG_BATCH_RECORDS = 16_384;
/** Characters of encoded text per batch, so a run of huge records (1 MB values) flushes early. */
export const PG_BATCH_CHARS = 32 * 1024 * 1024;
/**
 * Characters per piece of COPY text. Each piece is one write to the socket: a write per row made
 * the kernel calls the import's bottleneck (measured); ~1 MiB pieces make them noise.
 */
const COPY_PIECE_CHARS = 1 << 20;
/** Bytes of queued COPY text kept in memory; later batches wait in a temporary file. */
export const PG_PENDING_MAX_BYTES = 256 * 1024 * 1024;

const RECORD_COLUMNS = ['id', 'capture_id', 'log', 'ts', 'uid', 'community_id', 'doc'] as const;
const OBSERVABLE_COLUMNS = ['type', 'value', 'capture_key', 'log', 'field', 'rvalue', 'ipkey', 'record_ids'] as const;

/**
 * COPY text accumulated into ~COPY_PIECE_CHARS pieces, each turned into bytes as soon as it is
 * full: a batch waiting for its turn then holds a few Buffers outside the JavaScript heap instead
 * of millions of small strings the garbage collector would walk again and again.
 */
class CopyText {
  readonly pieces: Buffer[] = [];
  private current = '';
  chars = 0;
  add(line: string): void {
    this.current += line;
    this.chars += line.length;
    if (this.current.length >= COPY_PIECE_CHARS) { this.pieces.push(Buffer.from(this.current)); this.current = ''; }
  }
  done(): Buffer[] {
    if (this.current !== '') { this.pieces.push(Buffer.from(this.current)); this.current = ''; }
    return this.pieces;
  }
}

/** A sealed batch's COPY text: in memory, or spilled to disk. */
type Piece = Buffer | SpillRef;

interface Batch {
  records: CopyText;
  observables: CopyText;
  /** Set when sealed. */
  recordPieces?: Piece[];
  observablePieces?: Piece[];
  memoryBytes?: number;
  rows: number;
  /** Record references the batch's observable rows hold. */
  obsRefs: number;
  files: { id: number; facts: FileFacts }[];
}

const newBatch = (): Batch => ({ records: new CopyText(), observables: new CopyText(), rows: 0, obsRefs: 0, files: [] });

export class PgImport implements RecordSink {
  records = 0;
  /** Observable references (record, value) written, as ImportResult counts them. */
  observables = 0;
  private readonly grouper = new ObservableGrouper();
  private batch = newBatch();
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  private nextId = 0;
  private lastId = -1;
  private readonly encoder = new RecordEncoder();
  private pendingBytes = 0;
  private spill: SpillFile | undefined;
  /** Batches that waited on disk (for tests and the bench). */
  spilledBatches = 0;
  private readonly captureId: string;
  private readonly captureCol: string;

  /**
   * `captureKey`: the capture's captures.key, which its observables rows carry;
   * `pendingMaxBytes`: PG_PENDING_MAX_BYTES unless a test wants the disk path.
   */
  constructor(private readonly client: PoolClient, captureId: string, private readonly captureKey: number,
    private readonly pendingMaxBytes = PG_PENDING_MAX_BYTES) {
    this.captureId = encodeText(captureId);
    this.captureCol = copyText(this.captureId);
  }

  /** Reserves the import's ids; call before the first write. */
  async start(): Promise<void> {
    const res = await this.client.query<{ base: string }>("SELECT nextval('records_id_seq') AS base");
    this.nextId = Number(res.rows[0].base);
    this.lastId = this.nextId + ID_BLOCK - 1;
  }

  write(schema: LogSchema, rec: LogRecord): void {
    // After finish (or a failure) writes are dropped: they must not land in a later transaction.
    if (this.failure !== undefined || this.closed) return;
    if (this.nextId > this.lastId) {
      this.failure = new Error(`a capture holds at most ${ID_BLOCK} records on PostgreSQL (ID_BLOCK)`);
      return;
    }
    try {
      this.add(schema, rec);
    } catch (err) {
      this.failure = err; // a bug in encoding: fail the import rather than lose records silently
      return;
    }
    const b = this.batch;
    if (b.rows >= PG_BATCH_RECORDS || b.records.chars + b.observables.chars >= PG_BATCH_CHARS) this.seal();
  }

  /** Sends what is left and waits for every batch; throws the first failure. */
  async finish(): Promise<void> {
    if (this.failure === undefined && !this.closed) this.addGroups();
    this.seal();
    await this.settled();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits for batches in flight (before a rollback the connection must be idle). */
  async settled(): Promise<void> {
    this.closed = true;
    await this.chain;
    const spill = this.spill;
    this.spill = undefined;
    await spill?.remove();
  }

  private add(schema: LogSchema, rec: LogRecord): void {
    const row = this.encoder.encode(schema, rec);
    const b = this.batch;
    const id = this.nextId++;
    const cap = this.captureCol;
    const log = copyText(indexKey(row.log));
    b.records.add(`${id}\t${cap}\t${log}\t${copyNumber(row.ts)}\t${copyOptText(row.uid === null ? null : indexKey(row.uid))}\t` +
      `${copyOptText(row.communityId === null ? null : indexKey(row.communityId))}\t${copyText(encodeJson(row.doc))}\n`);
    b.rows++;
    if (row.observables.length > 0 && this.grouper.add(id, row.log, row.observables)) this.addGroups();
    if (row.file) b.files.push({ id, facts: { ...row.file } });
  }

  /** Every observable group held so far, as COPY text of the current batch. */
  private addGroups(): void {
    const b = this.batch;
    const cap = String(this.captureKey);
    const groups: ObservableGroup[] = this.grouper.take();
    for (const g of groups) {
      const value = indexKey(g.value);
      // The PG index keeps a shorter prefix than the store-wide cap: reverse what is kept.
      const rvalue = g.rvalue === null ? null : g.value.length > PG_INDEX_KEY_MAX_CHARS ? reverseValue(value) : encodeText(g.rvalue);
      b.observables.add(`${copyText(g.type)}\t${copyText(value)}\t${cap}\t${copyText(indexKey(g.log))}\t${copyText(encodeText(g.field))}\t` +
        `${copyOptText(rvalue)}\t${copyOptText(g.ipkey)}\t{${g.recordIds.join(',')}}\n`);
      b.obsRefs += g.recordIds.length;
    }
  }

  private seal(): void {
    const b = this.batch;
    if (b.rows === 0 && b.obsRefs === 0) return;
    this.batch = newBatch();
    const records = b.records.done();
    const observables = b.observables.done();
    const bytes = [...records, ...observables].reduce((n, x) => n + x.length, 0);
    if (this.pendingBytes + bytes <= this.pendingMaxBytes) {
      b.recordPieces = records;
      b.observablePieces = observables;
      b.memoryBytes = bytes;
      this.pendingBytes += bytes;
    } else {
      const spill = (this.spill ??= new SpillFile());
      this.spilledBatches++;
      b.recordPieces = records.map((x) => spill.append(x));
      b.observablePieces = observables.map((x) => spill.append(x));
      b.memoryBytes = 0;
    }
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.flush(b);
      } catch (err) {
        this.failure = err;
      }
    });
  }

  private async flush(b: Batch): Promise<void> {
    try {
      await copyInto(this.client, 'records', RECORD_COLUMNS, this.bytesOf(b.recordPieces!));
      await copyInto(this.client, 'observables', OBSERVABLE_COLUMNS, this.bytesOf(b.observablePieces!));
    } finally {
      this.pendingBytes -= b.memoryBytes!;
    }
    if (b.files.length > 0) await this.insertFiles(b.files);
    this.records += b.rows;
    this.observables += b.obsRefs;
  }

  private async *bytesOf(pieces: readonly Piece[]): AsyncGenerator<Buffer> {
    for (const p of pieces) yield Buffer.isBuffer(p) ? p : await this.spill!.read(p);
  }

  /** files keeps one row per sha256 (earliest ts wins); every sighting is kept. */
  private async insertFiles(files: Batch['files']): Promise<void> {
    const t = (s: string | null): string | null => (s === null ? null : encodeText(s));
    const f = files.map((x) => x.facts);
    await this.client.query(
      `INSERT INTO files (sha256, md5, sha1, mime, size, first_ts)
       SELECT DISTINCT ON (sha256) * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[])
         AS f(sha256, md5, sha1, mime, size, first_ts) ORDER BY sha256, first_ts
       ON CONFLICT (sha256) DO UPDATE SET first_ts = LEAST(files.first_ts, EXCLUDED.first_ts)`,
      [f.map((x) => x.sha256), f.map((x) => t(x.md5)), f.map((x) => t(x.sha1)), f.map((x) => t(x.mime)),
        f.map((x) => (Number.isSafeInteger(x.size) ? x.size : null)), f.map((x) => x.ts)]);
    await this.client.query(
      `INSERT INTO file_sightings (sha256, capture_id, record_id)
       SELECT sha256, $2, record_id FROM unnest($1::text[], $3::bigint[]) AS s(sha256, record_id)`,
      [f.map((x) => x.sha256), this.captureId, files.map((x) => x.id)]);
  }
}
