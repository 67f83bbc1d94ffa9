/**
 * One capture's import into PostgreSQL: a RecordSink that encodes each record into COPY text as it
 * arrives (store-core's RecordEncoder makes the columns, observables and file facts) and COPYs
 * each full batch (records, then observables, then files) inside the import's transaction.
 *
 * The engine writes synchronously and awaits only between reads of the capture, so a batch cannot
 * be awaited where it fills: full batches queue behind one flush chain that runs as the engine
 * reads. The first failure stops the chain; later writes are dropped and `finish` throws it, so the
 * caller rolls the whole import back. Ids are taken per batch from records_id_seq (one nextval
 * reserves ID_BLOCK ids), so each line is encoded once without its id and the id is prefixed at
 * flush; observables name their record without a round trip per row.
 */
import type { PoolClient } from 'pg';
import type { LogRecord, LogSchema, RecordSink } from '../../engine/logs/schema.js';
import { RecordEncoder, type FileFacts } from '../ingest.js';
import { reverseValue } from '../query/observable-keys.js';
import { ID_BLOCK } from './migrations.js';
import { copyInto, copyNumber, copyOptText, copyText } from './copy-text.js';
import { encodeJson, encodeText, indexKey, PG_INDEX_KEY_MAX_CHARS } from './pg-text.js';

/**
 * Records per COPY batch. Larger batches amortise the per-statement round trips (three COPYs and a
 * nextval per batch); each batch is held in memory as text until it is sent. At most ID_BLOCK.
 */
export const PG_BATCH_RECORDS = Math.min(16_384, ID_BLOCK);
/** Characters of encoded text per batch, so a run of huge records (1 MB values) flushes early. */
export const PG_BATCH_CHARS = 32 * 1024 * 1024;

const RECORD_COLUMNS = ['id', 'capture_id', 'log', 'ts', 'uid', 'community_id', 'doc'] as const;
// record_id first: each line is the record's id, a tab, then a tail encoded once at write time.
const OBSERVABLE_COLUMNS = ['record_id', 'type', 'value', 'capture_id', 'log', 'field', 'rvalue', 'ipkey'] as const;

interface Batch {
  /** Per record: everything after the id column, ending in '\n'. */
  records: string[];
  /** Per observable: its record's index in `records`, and the line after record_id. */
  obsRecord: number[];
  obsTails: string[];
  files: { index: number; facts: FileFacts }[];
  chars: number;
}

const newBatch = (): Batch => ({ records: [], obsRecord: [], obsTails: [], files: [], chars: 0 });

export class PgImport implements RecordSink {
  records = 0;
  observables = 0;
  private batch = newBatch();
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  private readonly encoder = new RecordEncoder();
  private readonly captureId: string;
  private readonly captureCol: string;

  constructor(private readonly client: PoolClient, captureId: string) {
    this.captureId = encodeText(captureId);
    this.captureCol = copyText(this.captureId);
  }

  write(schema: LogSchema, rec: LogRecord): void {
    // After finish (or a failure) writes are dropped: they must not land in a later transaction.
    if (this.failure !== undefined || this.closed) return;
    try {
      this.add(schema, rec);
    } catch (err) {
      this.failure = err; // a bug in encoding: fail the import rather than lose records silently
      return;
    }
    if (this.batch.records.length >= PG_BATCH_RECORDS || this.batch.chars >= PG_BATCH_CHARS) this.seal();
  }

  /** Sends what is left and waits for every batch; throws the first failure. */
  async finish(): Promise<void> {
    this.seal();
    this.closed = true;
    await this.settled();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits for batches in flight (before a rollback the connection must be idle). */
  async settled(): Promise<void> {
    this.closed = true;
    await this.chain;
  }

  private add(schema: LogSchema, rec: LogRecord): void {
    const row = this.encoder.encode(schema, rec);
    const b = this.batch;
    const index = b.records.length;
    const cap = this.captureCol;
    const log = copyText(indexKey(row.log));
    const line = `\t${cap}\t${log}\t${copyNumber(row.ts)}\t${copyOptText(row.uid === null ? null : indexKey(row.uid))}\t` +
      `${copyOptText(row.communityId === null ? null : indexKey(row.communityId))}\t${copyText(encodeJson(row.doc))}\n`;
    b.records.push(line);
    b.chars += line.length;
    for (const o of row.observables) {
      const value = indexKey(o.value);
      // The PG index keeps a shorter prefix than the store-wide cap: reverse what is kept.
      const rvalue = o.rvalue === null ? null : o.value.length > PG_INDEX_KEY_MAX_CHARS ? reverseValue(value) : encodeText(o.rvalue);
      const tail = `\t${copyText(o.type)}\t${copyText(value)}\t${cap}\t${log}\t${copyText(encodeText(o.field))}\t` +
        `${copyOptText(rvalue)}\t${copyOptText(o.ipkey)}\n`;
      b.obsRecord.push(index);
      b.obsTails.push(tail);
      b.chars += tail.length;
    }
    if (row.file) b.files.push({ index, facts: { ...row.file } });
  }

  private seal(): void {
    const b = this.batch;
    if (b.records.length === 0) return;
    this.batch = newBatch();
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
    const res = await this.client.query<{ base: string }>("SELECT nextval('records_id_seq') AS base");
    const base = Number(res.rows[0].base);
    for (let i = 0; i < b.records.length; i++) b.records[i] = String(base + i) + b.records[i];
    for (let i = 0; i < b.obsTails.length; i++) b.obsTails[i] = String(base + b.obsRecord[i]) + b.obsTails[i];
    await copyInto(this.client, 'records', RECORD_COLUMNS, b.records);
    await copyInto(this.client, 'observables', OBSERVABLE_COLUMNS, b.obsTails);
    if (b.files.length > 0) await this.insertFiles(b.files, base);
    this.records += b.records.length;
    this.observables += b.obsTails.length;
  }

  /** files keeps one row per sha256 (earliest ts wins); every sighting is kept. */
  private async insertFiles(files: Batch['files'], base: number): Promise<void> {
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
      [f.map((x) => x.sha256), this.captureId, files.map((x) => base + x.index)]);
  }
}
