/**
 * SQLite schema, as numbered migrations run on open (schema_migrations records which ran). Never
 * edit a released migration: add the next number.
 *
 * Choices, and why:
 * - records.doc is TEXT holding the engine's JSON (json_extract reads it; TEXT returns it verbatim).
 * - observables carries `rvalue` (value reversed: suffix wildcards as range scans) and `ipkey`
 *   (32 hex digits of the address: CIDR as a range scan), see query/observable-keys.ts. Each of
 *   their indexes is partial: ipkey exists only for type ip, rvalue for every other type, so no
 *   index holds rows it can never serve.
 * - records_fts is a contentless FTS5 table (rowid = records.id): the text lives once, in the
 *   document; contentless_delete lets a capture's rows be removed.
 * - uid and community_id are indexed on records only where set (partial indexes).
 * - A capture's records and observables are each one rowid range (batch-writer.ts), kept on its
 *   captures row (record_lo..hi, observable_lo..hi): deleting a capture is a range delete, so
 *   observables need no capture_id index (one index less to maintain on every insert).
 */
import type { Database } from 'better-sqlite3';
import { CAPTURE_KEY_MIGRATION_VERSION, CAPTURE_KEY_SQLITE_SQL, OBSERVABLE_GROUPS_MIGRATION_VERSION, OBSERVABLE_GROUPS_SQLITE_SQL, OBSERVABLE_ROWID_KEY_MIGRATION_VERSION, OBSERVABLE_ROWID_KEY_SQLITE_SQL } from './observables-migration.js';
import { INTEL_HUNTS_MIGRATION_VERSION, INTEL_HUNTS_SQLITE_SQL, INTEL_HUNTS_YARA_MIGRATION_VERSION, INTEL_HUNTS_YARA_SQL, INTEL_MIGRATION_VERSION, INTEL_SQLITE_SQL } from '../intel/migrations.js';

export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE captures (
  id TEXT PRIMARY KEY, md5 TEXT NOT NULL, sha1 TEXT NOT NULL, size INTEGER NOT NULL,
  format TEXT, link_types TEXT, first_ts REAL, last_ts REAL, packets INTEGER,
  name TEXT NOT NULL, submitter TEXT, visibility TEXT NOT NULL DEFAULT 'private',
  status TEXT NOT NULL, error TEXT, imported_at REAL NOT NULL, stats TEXT,
  record_count INTEGER NOT NULL DEFAULT 0,
  record_lo INTEGER, record_hi INTEGER, observable_lo INTEGER, observable_hi INTEGER
);
CREATE INDEX captures_md5 ON captures(md5);
CREATE INDEX captures_sha1 ON captures(sha1);
CREATE INDEX captures_imported_at ON captures(imported_at);

CREATE TABLE records (
  id INTEGER PRIMARY KEY, capture_id TEXT NOT NULL, log TEXT NOT NULL,
  ts REAL, uid TEXT, community_id TEXT, doc TEXT NOT NULL
);
CREATE INDEX records_capture_log_ts ON records(capture_id, log, ts);
CREATE INDEX records_uid ON records(uid) WHERE uid IS NOT NULL;
CREATE INDEX records_community_id ON records(community_id) WHERE community_id IS NOT NULL;

CREATE TABLE observables (
  type TEXT NOT NULL, value TEXT NOT NULL, capture_id TEXT NOT NULL, record_id INTEGER NOT NULL,
  log TEXT NOT NULL, field TEXT NOT NULL, rvalue TEXT, ipkey TEXT
);
CREATE INDEX observables_type_value ON observables(type, value);
CREATE INDEX observables_type_rvalue ON observables(type, rvalue) WHERE rvalue IS NOT NULL;
CREATE INDEX observables_type_ipkey ON observables(type, ipkey) WHERE ipkey IS NOT NULL;

CREATE TABLE files (
  sha256 TEXT PRIMARY KEY, md5 TEXT, sha1 TEXT, mime TEXT, size INTEGER, first_ts REAL
);
CREATE TABLE file_sightings (sha256 TEXT NOT NULL, capture_id TEXT NOT NULL, record_id INTEGER NOT NULL);
CREATE INDEX file_sightings_sha256 ON file_sightings(sha256);
CREATE INDEX file_sightings_capture ON file_sightings(capture_id);

CREATE VIRTUAL TABLE records_fts USING fts5(text, content='', contentless_delete=1);
`,
  },
  {
    // API keys (docs/contracts/access.md): the secret's SHA-256 only, looked up by its unique index.
    version: 2,
    sql: `
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_sha256 TEXT NOT NULL UNIQUE,
  admin INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, revoked_at REAL
);
`,
  },
  { version: INTEL_MIGRATION_VERSION, sql: INTEL_SQLITE_SQL }, // labels, votes, comments, signatures (intel/migrations.ts)
  {
    // A query naming a log across captures (`log:conn | count by conn.service`, `log:dns` rows by id)
    // read every record: records_capture_log_ts cannot serve it without the capture, and the
    // visibility filter is a NOT IN that never drives a plan. (log, rowid) reads only that log's
    // records, in id order (a 52 MB capture's conn count-by: 115 → 20 ms).
    version: 4,
    sql: 'CREATE INDEX records_log ON records(log);',
  },
  { version: INTEL_HUNTS_MIGRATION_VERSION, sql: INTEL_HUNTS_SQLITE_SQL }, // retro-hunts (intel/migrations.ts)
  { version: INTEL_HUNTS_YARA_MIGRATION_VERSION, sql: INTEL_HUNTS_YARA_SQL }, // YARA retro-hunts (intel/migrations.ts)
  { version: OBSERVABLE_GROUPS_MIGRATION_VERSION, sql: OBSERVABLE_GROUPS_SQLITE_SQL }, // one observables row per value (observables-migration.ts)
  { version: CAPTURE_KEY_MIGRATION_VERSION, sql: CAPTURE_KEY_SQLITE_SQL }, // observables name their capture by an integer key (observables-migration.ts)
  { version: OBSERVABLE_ROWID_KEY_MIGRATION_VERSION, sql: OBSERVABLE_ROWID_KEY_SQLITE_SQL }, // observables rowids survive VACUUM (observables-migration.ts)
];

/** Runs the migrations not yet applied, each in its own transaction. */
export function migrate(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, Date.now() / 1000);
    }).immediate();
  }
}
