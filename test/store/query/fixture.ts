/**
 * A real SQLite database in the store contract's shape, filled from real captures by the engine,
 * for running compiled queries end to end; and an independent evaluator of the parsed query over
 * the same records in JavaScript, the oracle the SQL results are compared with.
 * (The tables are built here from the contract so these tests do not wait on the SQLite backend;
 * sqlite-store.test.ts runs the same queries through the real Store.)
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, LogSchema } from '../../../src/engine/logs/schema.js';
import { jsonLine } from '../../../src/engine/logs/json-writer.js';
import { analyze } from '../../../src/engine/pipeline.js';
import { LOG_SCHEMAS, storedLogName } from '../../../src/store/query/log-catalog.js';
import { observableTypeOf, isLowerCased } from '../../../src/store/query/observable-fields.js';
import { ipKey, reverseValue } from '../../../src/store/query/observable-keys.js';
import { pcap } from '../../helpers.js';

export interface Row {
  id: number;
  capture_id: string;
  log: string;
  ts: number | null;
  uid: string | null;
  community_id: string | null;
  doc: Record<string, unknown>;
}

const SCHEMA_SQL = `
CREATE TABLE records (id INTEGER PRIMARY KEY, capture_id TEXT NOT NULL, log TEXT NOT NULL, ts REAL, uid TEXT, community_id TEXT, doc TEXT NOT NULL);
CREATE INDEX records_cap_log_ts ON records (capture_id, log, ts);
CREATE INDEX records_uid ON records (uid);
CREATE INDEX records_cid ON records (community_id);
CREATE TABLE observables (type TEXT NOT NULL, value TEXT NOT NULL, capture_id TEXT NOT NULL, record_id INTEGER NOT NULL, log TEXT NOT NULL, field TEXT NOT NULL, rvalue TEXT NOT NULL, ipkey TEXT);
CREATE INDEX obs_tv ON observables (type, value);
CREATE INDEX obs_trv ON observables (type, rvalue);
CREATE INDEX obs_tip ON observables (type, ipkey);
CREATE VIRTUAL TABLE records_fts USING fts5(text, content='');
`;

export class Fixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'capdex-query-'));
  readonly db = new Database(join(this.dir, 'q.db'));
  readonly rows: Row[] = [];

  constructor() {
    this.db.exec(SCHEMA_SQL);
  }

  /** Analyses a shared capture and stores its records under `captureId`. */
  async importCapture(name: string, captureId: string): Promise<void> {
    const pending: { schema: LogSchema; rec: LogRecord }[] = [];
    await analyze(pcap(name), { write: (schema, rec) => { pending.push({ schema, rec }); } });
    this.insertRecords(captureId, pending);
  }

  insertRecords(captureId: string, records: readonly { schema: LogSchema; rec: LogRecord }[]): void {
    const insRec = this.db.prepare('INSERT INTO records (capture_id, log, ts, uid, community_id, doc) VALUES (?, ?, ?, ?, ?, ?)');
    const insObs = this.db.prepare('INSERT INTO observables VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const insFts = this.db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const { schema, rec } of records) {
        const docText = schema.document ? JSON.stringify(rec) : jsonLine(schema, rec).trimEnd();
        const doc = JSON.parse(docText) as Record<string, unknown>;
        const log = storedLogName(schema);
        const num = (v: unknown) => (typeof v === 'number' ? v : null);
        const str = (v: unknown) => (typeof v === 'string' ? v : null);
        const info = insRec.run(captureId, log, num(doc.ts), str(doc.uid), str(doc.community_id), docText);
        const id = Number(info.lastInsertRowid);
        this.rows.push({ id, capture_id: captureId, log, ts: num(doc.ts), uid: str(doc.uid), community_id: str(doc.community_id), doc });
        for (const f of schema.fields) {
          const type = observableTypeOf(log, f.name, f.type);
          if (!type) continue;
          for (const v of elements(valueAt(doc, schema.document ? f.name.split('.') : [f.name]))) {
            if (typeof v !== 'string') continue;
            const value = normalise(type, v);
            insObs.run(type, value, captureId, id, log, f.name, reverseValue(value), type === 'ip' ? ipKey(value) ?? null : null);
          }
        }
        insFts.run(id, ftsText(doc));
      }
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

export function normalise(type: string, v: string): string {
  if (!isLowerCased(type)) return v;
  const l = v.toLowerCase();
  return (type === 'domain' || type === 'host') && l.endsWith('.') && l.length > 1 ? l.slice(0, -1) : l;
}

/** Every string and number in the document, space-separated: what free text searches. */
export function ftsText(doc: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(doc);
  return out.join(' ');
}

/** Every schema by stored log name, for tests building records by hand. */
export const SCHEMA_BY_LOG = new Map(LOG_SCHEMAS.map((s) => [storedLogName(s), s]));
