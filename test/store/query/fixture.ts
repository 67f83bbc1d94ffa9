/**
 * A real SQLite database made by the SQLite backend's migrations and filled, through ingest's
 * RecordEncoder, with the records the engine writes for real captures: what compiled queries run
 * on end to end. The rows are also kept in memory for the evaluator (oracle.ts).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, LogSchema } from '../../../src/engine/logs/schema.js';
import { analyze } from '../../../src/engine/pipeline.js';
import { RecordEncoder } from '../../../src/store/ingest.js';
import { ObservableGrouper, recordIdsJson } from '../../../src/store/observable-groups.js';
import { migrate } from '../../../src/store/sqlite/migrations.js';
import { LOG_SCHEMAS, storedLogName } from '../../../src/store/query/log-catalog.js';
import { pcap } from '../../helpers.js';

export interface Row {
  id: number;
  capture_id: string;
  log: string;
  ts: number | null;
  uid: string | null;
  community_id: string | null;
  doc: Record<string, unknown>;
  /** What the full-text index holds for the record. */
  text: string;
}

export class Fixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'capdex-query-'));
  readonly db = new Database(join(this.dir, 'q.db'));
  readonly rows: Row[] = [];
  private readonly encoder = new RecordEncoder();
  private captureKeys = 0;

  constructor() {
    migrate(this.db);
  }

  /** Analyses a shared capture and stores its records under `captureId`. */
  async importCapture(name: string, captureId: string): Promise<void> {
    const pending: { schema: LogSchema; rec: LogRecord }[] = [];
    await analyze(pcap(name), { write: (schema, rec) => { pending.push({ schema, rec }); } });
    this.insertRecords(captureId, pending);
  }

  /** Stores records as the SQLite backend does: its migrations, its encoder (doc, text, observables). */
  insertRecords(captureId: string, records: readonly { schema: LogSchema; rec: LogRecord }[]): void {
    const insRec = this.db.prepare('INSERT INTO records (capture_id, log, ts, uid, community_id, doc) VALUES (?, ?, ?, ?, ?, ?)');
    const insObs = this.db.prepare('INSERT INTO observables (type, value, capture_key, log, field, rvalue, ipkey, record_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const insFts = this.db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)');
    // Small rows (8 ids): searches must find ids in every row of a value, not only its first.
    const grouper = new ObservableGrouper(8);
    this.db.transaction(() => {
      for (const { schema, rec } of records) {
        const r = this.encoder.encode(schema, rec);
        const id = Number(insRec.run(captureId, r.log, r.ts, r.uid, r.communityId, r.doc).lastInsertRowid);
        this.rows.push({ id, capture_id: captureId, log: r.log, ts: r.ts, uid: r.uid, community_id: r.communityId, doc: JSON.parse(r.doc) as Record<string, unknown>, text: r.text });
        grouper.add(id, r.log, r.observables);
        insFts.run(id, r.text);
      }
      // Searches never read the capture of an observables row: any key per capture will do.
      const key = ++this.captureKeys;
      for (const g of grouper.take()) insObs.run(g.type, g.value, key, g.log, g.field, g.rvalue, g.ipkey, recordIdsJson(g.recordIds));
    })();
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function valueAt(doc: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = doc;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export function elements(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** Every schema by stored log name, for tests building records by hand. */
export const SCHEMA_BY_LOG = new Map(LOG_SCHEMAS.map((s) => [storedLogName(s), s]));
