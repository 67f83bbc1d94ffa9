/**
 * The intelligence tables (migration version 3 in both backends, see docs/contracts/access.md):
 * labels, votes and comments on captures, and what the similar-captures and suggestion features
 * read: each capture's feature set, its MinHash signature and the signature's LSH buckets.
 *
 * Choices, and why:
 * - Everything is keyed by capture id (the sha256), not by a foreign key: a capture re-imported
 *   (replaced) keeps its labels; reads join `captures` so nothing of a deleted capture shows, and
 *   Store.deleteCapture's intel purge removes the rows.
 * - labels.value is normalised (lower-case, trimmed) so `label:emotet` is an index lookup; one row
 *   per (capture, kind, value): adding a label twice is idempotent.
 * - capture_features (kind, value) is indexed by value: suggestions and "shared observables" are
 *   joins on it, and document frequency (how common an observable is) a count over it.
 * - signature_buckets holds one row per LSH band: `bucket` = band * 2^32 + the band's 32-bit hash,
 *   one integer column so a similarity query is one `IN (...)` on one index.
 */

const SHARED = (t: { real: string; blob: string; bigint: string }): string => `
CREATE TABLE labels (
  id TEXT PRIMARY KEY, capture_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
  key_id TEXT, created_at ${t.real} NOT NULL, UNIQUE (capture_id, kind, value)
);
CREATE INDEX labels_value ON labels (value, kind);
CREATE TABLE label_votes (
  capture_id TEXT NOT NULL, key_id TEXT NOT NULL, vote TEXT NOT NULL, created_at ${t.real} NOT NULL,
  PRIMARY KEY (capture_id, key_id)
);
CREATE TABLE label_comments (
  id TEXT PRIMARY KEY, capture_id TEXT NOT NULL, key_id TEXT, text TEXT NOT NULL, created_at ${t.real} NOT NULL
);
CREATE INDEX label_comments_capture ON label_comments (capture_id, created_at);
CREATE TABLE capture_features (
  capture_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (capture_id, kind, value)
);
CREATE INDEX capture_features_value ON capture_features (kind, value);
CREATE TABLE capture_signatures (
  capture_id TEXT PRIMARY KEY, minhash ${t.blob} NOT NULL, features INTEGER NOT NULL, computed_at ${t.real} NOT NULL
);
CREATE TABLE signature_buckets (bucket ${t.bigint} NOT NULL, capture_id TEXT NOT NULL);
CREATE INDEX signature_buckets_bucket ON signature_buckets (bucket, capture_id);
CREATE INDEX signature_buckets_capture ON signature_buckets (capture_id);
`;

export const INTEL_MIGRATION_VERSION = 3;
export const INTEL_SQLITE_SQL = SHARED({ real: 'REAL', blob: 'BLOB', bigint: 'INTEGER' });
export const INTEL_PG_SQL = SHARED({ real: 'double precision', blob: 'bytea', bigint: 'bigint' });

/**
 * Migration 5: retro-hunts outlive the server that ran them (src/jobs/retro-hunt.ts). One row per
 * hunt (its progress written at most once a second, `updated_at` its heartbeat: a running hunt
 * whose heartbeat stopped belonged to a server that died), one row per capture that matched or
 * failed to read (alerts as JSON text: they are only ever read back whole).
 */
const HUNTS = (t: { real: string }): string => `
CREATE TABLE retro_hunts (
  id TEXT PRIMARY KEY, key_id TEXT, status TEXT NOT NULL, started_at ${t.real} NOT NULL, updated_at ${t.real} NOT NULL,
  finished_at ${t.real}, rules INTEGER NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL, skipped INTEGER NOT NULL, error TEXT
);
CREATE INDEX retro_hunts_key ON retro_hunts (key_id, started_at);
CREATE TABLE retro_hunt_results (
  hunt_id TEXT NOT NULL, seq INTEGER NOT NULL, capture_id TEXT NOT NULL, name TEXT NOT NULL, alerts TEXT NOT NULL, error TEXT,
  PRIMARY KEY (hunt_id, seq)
);
`;

export const INTEL_HUNTS_MIGRATION_VERSION = 5;
export const INTEL_HUNTS_SQLITE_SQL = HUNTS({ real: 'REAL' });
export const INTEL_HUNTS_PG_SQL = HUNTS({ real: 'double precision' });

/**
 * Migration 6: YARA retro-hunts. A hunt's kind (rules of Suricata or YARA; rows before it were
 * Suricata), and per capture the files a YARA hunt matched (JSON text, read back whole) next to
 * the per-rule counts kept in `alerts`; results are indexed by capture, since deleting a capture
 * deletes its results.
 */
const HUNTS_YARA = `
ALTER TABLE retro_hunts ADD COLUMN kind TEXT NOT NULL DEFAULT 'suricata';
ALTER TABLE retro_hunt_results ADD COLUMN files TEXT;
CREATE INDEX retro_hunt_results_capture ON retro_hunt_results (capture_id);
`;
export const INTEL_HUNTS_YARA_MIGRATION_VERSION = 6;
export const INTEL_HUNTS_YARA_SQL = HUNTS_YARA;
