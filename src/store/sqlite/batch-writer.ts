/**
 * The SQLite side of an import: a RecordSink that encodes each record (ingest.ts) and inserts
 * records, their full text and their observables with multi-row INSERTs of cached prepared
 * statements, inside the transaction the store opened for the capture.
 *
 * - Row ids are assigned here (the store holds the write lock, so max(id)+1 onwards is ours): a
 *   batch carries a record and the rows pointing at it without a round trip per record, and a
 *   capture's records and observables are each one contiguous rowid range, kept on its captures row,
 *   so deleting a capture is a range delete on the tables themselves, with no capture_id index.
 * - Observables are grouped per (type, value, log, field) for the whole import (observable-groups.ts:
 *   one row per value with its records' ids) and inserted when it ends, sorted by (type, value):
 *   consecutive index inserts then land on neighbouring B-tree pages.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { LogRecord, LogSchema, RecordSink } from '../../engine/logs/schema.js';
import { RecordEncoder } from '../ingest.js';
import { INGEST_BATCH_RECORDS } from '../limits.js';
import { ObservableGrouper, recordIdsJson } from '../observable-groups.js';

interface Table {
  /** INSERT prefix up to VALUES, and one row's placeholder group. */
  head: string;
  group: string;
  columns: number;
  /** Prepared statements by row count (powers of two up to INGEST_BATCH_RECORDS). */
  statements: Map<number, Statement>;
  params: unknown[];
}

function table(head: string, columns: number): Table {
  return { head, group: '(' + new Array(columns).fill('?').join(',') + ')', columns, statements: new Map(), params: [] };
}

/** Multi-row INSERT statements by connection and SQL text. */
const STATEMENTS = new WeakMap<Database, Map<string, Statement>>();

/** Rowid ranges of what one import wrote (inclusive; lo > hi when empty). */
export interface WrittenRanges {
  recordLo: number;
  recordHi: number;
  observableLo: number;
  observableHi: number;
}

export class SqliteBatchWriter implements RecordSink {
  private readonly encoder = new RecordEncoder();
  private readonly records = table('INSERT INTO records (id, capture_id, log, ts, uid, community_id, doc) VALUES ', 7);
  private readonly fts = table('INSERT INTO records_fts (rowid, text) VALUES ', 2);
  private readonly observables = table('INSERT INTO observables (rowid, type, value, capture_key, log, field, rvalue, ipkey, record_ids) VALUES ', 9);
  private readonly sightings = table('INSERT INTO file_sightings (sha256, capture_id, record_id) VALUES ', 3);
  private readonly upsertFile: Statement;
  private readonly grouper = new ObservableGrouper();
  private readonly firstRecordId: number;
  private nextRecordId: number;
  private readonly firstObservableId: number;
  private nextObservableId: number;
  private pending = 0;
  recordCount = 0;
  /** Observable references (record, value) written; `observableRows` the rows holding them. */
  observableCount = 0;
  observableRows = 0;

  /** `captureKey`: the capture's integer key (captures.key), which its observables rows carry. */
  constructor(private readonly db: Database, private readonly captureId: string, private readonly captureKey: number) {
    const maxRecord = db.prepare('SELECT coalesce(max(id), 0) AS m FROM records').get() as { m: number };
    const maxObservable = db.prepare('SELECT coalesce(max(rowid), 0) AS m FROM observables').get() as { m: number };
    this.firstRecordId = this.nextRecordId = maxRecord.m + 1;
    this.firstObservableId = this.nextObservableId = maxObservable.m + 1;
    this.upsertFile = db.prepare(`INSERT INTO files (sha256, md5, sha1, mime, size, first_ts) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(sha256) DO UPDATE SET
        md5 = coalesce(files.md5, excluded.md5), sha1 = coalesce(files.sha1, excluded.sha1),
        mime = coalesce(files.mime, excluded.mime), size = coalesce(files.size, excluded.size),
        first_ts = min(coalesce(files.first_ts, excluded.first_ts), coalesce(excluded.first_ts, files.first_ts))`);
  }

  write(schema: LogSchema, rec: LogRecord): void {
    const row = this.encoder.encode(schema, rec);
    const id = this.nextRecordId++;
    const cid = this.captureId;
    this.records.params.push(id, cid, row.log, row.ts, row.uid, row.communityId, row.doc);
    if (row.text !== '') this.fts.params.push(id, row.text);
    const full = row.observables.length > 0 && this.grouper.add(id, row.log, row.observables);
    if (row.file) {
      const fl = row.file;
      this.upsertFile.run(fl.sha256, fl.md5, fl.sha1, fl.mime, fl.size, fl.ts);
      this.sightings.params.push(fl.sha256, cid, id);
    }
    this.recordCount++;
    if (++this.pending >= INGEST_BATCH_RECORDS) this.flushRecords();
    if (full) this.flushObservables();
  }

  /** Inserts everything buffered; call before commit. Returns the rowid ranges written. */
  finish(): WrittenRanges {
    this.flushRecords();
    this.flushObservables();
    return {
      recordLo: this.firstRecordId, recordHi: this.nextRecordId - 1,
      observableLo: this.firstObservableId, observableHi: this.nextObservableId - 1,
    };
  }

  private flushRecords(): void {
    this.insert(this.records);
    this.insert(this.fts);
    this.insert(this.sightings);
    this.pending = 0;
  }

  private flushObservables(): void {
    const params = this.observables.params;
    const key = this.captureKey;
    for (const g of this.grouper.take()) {
      params.push(this.nextObservableId++, g.type, g.value, key, g.log, g.field, g.rvalue, g.ipkey, recordIdsJson(g.recordIds));
      this.observableRows++;
      if (params.length >= INGEST_BATCH_RECORDS * 9) this.insert(this.observables);
    }
    this.insert(this.observables);
    this.observableCount = this.grouper.references;
  }

  private insert(t: Table): void {
    const rows = t.params.length / t.columns;
    let done = 0;
    // Largest power-of-two chunks first: at most log2(batch) statements per flush, each prepared once.
    for (let size = INGEST_BATCH_RECORDS; size >= 1; size >>= 1) {
      while (rows - done >= size) {
        this.statement(t, size).run(done === 0 && size === rows ? t.params : t.params.slice(done * t.columns, (done + size) * t.columns));
        done += size;
      }
    }
    t.params.length = 0;
  }

  private statement(t: Table, rows: number): Statement {
    let st = t.statements.get(rows);
    if (!st) {
      // Prepared once per connection, not per import: a 256-row INSERT takes a while to compile,
      // which would dominate the import of a small capture.
      const sql = t.head + new Array(rows).fill(t.group).join(',');
      let cache = STATEMENTS.get(this.db);
      if (!cache) STATEMENTS.set(this.db, (cache = new Map()));
      st = cache.get(sql);
      if (!st) cache.set(sql, (st = this.db.prepare(sql)));
      t.statements.set(rows, st);
    }
    return st;
  }
}
