/**
 * The SQLite side of an import: a RecordSink that encodes each record (ingest.ts) and inserts
 * records, their full text and their observables with multi-row INSERTs of cached prepared
 * statements, inside the transaction the store opened for the capture. Row ids are assigned here
 * (the store holds the write lock, so max(id)+1 onwards is ours), which lets one batch carry a
 * record and the rows that point at it without a round trip per record.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { LogRecord, LogSchema, RecordSink } from '../../engine/logs/schema.js';
import { RecordEncoder } from '../ingest.js';
import { INGEST_BATCH_RECORDS } from '../limits.js';

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

export class SqliteBatchWriter implements RecordSink {
  private readonly encoder = new RecordEncoder();
  private readonly records = table('INSERT INTO records (id, capture_id, log, ts, uid, community_id, doc) VALUES ', 7);
  private readonly fts = table('INSERT INTO records_fts (rowid, text) VALUES ', 2);
  private readonly observables = table('INSERT INTO observables (type, value, capture_id, record_id, log, field, rvalue, ipkey) VALUES ', 8);
  private readonly sightings = table('INSERT INTO file_sightings (sha256, capture_id, record_id) VALUES ', 3);
  private readonly upsertFile: Statement;
  private nextId: number;
  private pending = 0;
  recordCount = 0;
  observableCount = 0;

  constructor(private readonly db: Database, private readonly captureId: string) {
    const max = db.prepare('SELECT coalesce(max(id), 0) AS m FROM records').get() as { m: number };
    this.nextId = max.m + 1;
    this.upsertFile = db.prepare(`INSERT INTO files (sha256, md5, sha1, mime, size, first_ts) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(sha256) DO UPDATE SET
        md5 = coalesce(files.md5, excluded.md5), sha1 = coalesce(files.sha1, excluded.sha1),
        mime = coalesce(files.mime, excluded.mime), size = coalesce(files.size, excluded.size),
        first_ts = min(coalesce(files.first_ts, excluded.first_ts), coalesce(excluded.first_ts, files.first_ts))`);
  }

  write(schema: LogSchema, rec: LogRecord): void {
    const row = this.encoder.encode(schema, rec);
    const id = this.nextId++;
    const cid = this.captureId;
    this.records.params.push(id, cid, row.log, row.ts, row.uid, row.communityId, row.doc);
    if (row.text !== '') this.fts.params.push(id, row.text);
    const obs = this.observables.params;
    for (const o of row.observables) obs.push(o.type, o.value, cid, id, row.log, o.field, o.rvalue, o.ipkey);
    this.observableCount += row.observables.length;
    if (row.file) {
      const fl = row.file;
      this.upsertFile.run(fl.sha256, fl.md5, fl.sha1, fl.mime, fl.size, fl.ts);
      this.sightings.params.push(fl.sha256, cid, id);
    }
    this.recordCount++;
    if (++this.pending >= INGEST_BATCH_RECORDS) this.flush();
  }

  /** Inserts everything buffered; call before commit. */
  flush(): void {
    this.insert(this.records);
    this.insert(this.fts);
    this.insert(this.observables);
    this.insert(this.sightings);
    this.pending = 0;
  }

  private insert(t: Table): void {
    const rows = t.params.length / t.columns;
    let done = 0;
    // Largest power-of-two chunks first: at most log2(batch) statements per flush, each prepared once.
    for (let size = INGEST_BATCH_RECORDS; size >= 1; size >>= 1) {
      while (rows - done >= size) {
        this.statement(t, size).run(t.params.slice(done * t.columns, (done + size) * t.columns));
        done += size;
      }
    }
    t.params.length = 0;
  }

  private statement(t: Table, rows: number): Statement {
    let st = t.statements.get(rows);
    if (!st) {
      st = this.db.prepare(t.head + new Array(rows).fill(t.group).join(','));
      t.statements.set(rows, st);
    }
    return st;
  }
}
