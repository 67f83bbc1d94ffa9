/**
 * SQLite migration 7: observables become one row per (capture, type, value, log, field) holding its
 * records' ids as a JSON array (`record_ids`, ascending, at most OBSERVABLE_ROW_IDS_MAX per row;
 * see observable-groups.ts for why), instead of one row per record.
 *
 * - JSON, not a packed binary: json_each unpacks it inside SQL (`field:value` searches run
 *   `records.id IN (SELECT j.value FROM observables o, json_each(o.record_ids) j ...)` on every
 *   connection, the sqlite3 shell included), measured 2x faster per id than a JavaScript
 *   table-valued function over a varint blob; ids are a small part of the row.
 * - An existing store is converted in place: each old capture's rows grouped (ids in order, cut
 *   into rows of OBSERVABLE_ROW_IDS_MAX), captures in their import order so the newest capture's
 *   rows still have the highest rowids (pivots read newest first), and each capture's
 *   observable_lo..hi range recomputed for its range delete.
 */
import { OBSERVABLE_ROW_IDS_MAX } from '../limits.js';

export const OBSERVABLE_GROUPS_MIGRATION_VERSION = 7;

export const OBSERVABLES_V7_TABLE = `
  type TEXT NOT NULL, value TEXT NOT NULL, capture_id TEXT NOT NULL, log TEXT NOT NULL, field TEXT NOT NULL,
  rvalue TEXT, ipkey TEXT, record_ids TEXT NOT NULL`;

export const OBSERVABLE_GROUPS_SQLITE_SQL = `
CREATE TABLE observables_v7 (${OBSERVABLES_V7_TABLE});
INSERT INTO observables_v7 (type, value, capture_id, log, field, rvalue, ipkey, record_ids)
  SELECT type, value, capture_id, log, field, min(rvalue), min(ipkey), json_group_array(record_id ORDER BY record_id)
  FROM (SELECT o.type, o.value, o.capture_id, o.log, o.field, o.rvalue, o.ipkey, o.record_id, c.observable_lo AS lo,
          (row_number() OVER (PARTITION BY o.capture_id, o.type, o.value, o.log, o.field ORDER BY o.record_id) - 1)
            / ${OBSERVABLE_ROW_IDS_MAX} AS chunk
        FROM observables o JOIN captures c ON c.id = o.capture_id)
  GROUP BY lo, capture_id, type, value, log, field, chunk
  ORDER BY lo, capture_id, type, value, log, field, chunk;
CREATE TEMP TABLE observable_ranges_v7 AS
  SELECT capture_id, min(rowid) AS lo, max(rowid) AS hi FROM observables_v7 GROUP BY capture_id;
UPDATE captures SET observable_lo = r.lo, observable_hi = r.hi FROM observable_ranges_v7 r WHERE r.capture_id = captures.id;
UPDATE captures SET observable_lo = NULL, observable_hi = NULL
  WHERE id NOT IN (SELECT capture_id FROM observable_ranges_v7);
DROP TABLE observable_ranges_v7;
DROP TABLE observables;
ALTER TABLE observables_v7 RENAME TO observables;
CREATE INDEX observables_type_value ON observables(type, value);
CREATE INDEX observables_type_rvalue ON observables(type, rvalue) WHERE rvalue IS NOT NULL;
CREATE INDEX observables_type_ipkey ON observables(type, ipkey) WHERE ipkey IS NOT NULL;
`;

/**
 * Migration 8: each capture gets a small integer `key`, and observables rows name their capture by
 * it (`capture_key`) instead of the 64-character sha256 (40% of a row: 65 of ~167 bytes on the
 * bench capture). The API still speaks sha256: readers join captures on the key. Rowids are kept,
 * so each capture's observable_lo..hi range stays as it was.
 */
export const CAPTURE_KEY_MIGRATION_VERSION = 8;

export const CAPTURE_KEY_SQLITE_SQL = `
ALTER TABLE captures ADD COLUMN key INTEGER;
UPDATE captures SET key = rowid;
CREATE UNIQUE INDEX captures_key ON captures(key);
CREATE TABLE observables_v8 (
  type TEXT NOT NULL, value TEXT NOT NULL, capture_key INTEGER NOT NULL, log TEXT NOT NULL, field TEXT NOT NULL,
  rvalue TEXT, ipkey TEXT, record_ids TEXT NOT NULL);
INSERT INTO observables_v8 (rowid, type, value, capture_key, log, field, rvalue, ipkey, record_ids)
  SELECT o.rowid, o.type, o.value, c.key, o.log, o.field, o.rvalue, o.ipkey, o.record_ids
  FROM observables o JOIN captures c ON c.id = o.capture_id ORDER BY o.rowid;
DROP TABLE observables;
ALTER TABLE observables_v8 RENAME TO observables;
CREATE INDEX observables_type_value ON observables(type, value);
CREATE INDEX observables_type_rvalue ON observables(type, rvalue) WHERE rvalue IS NOT NULL;
CREATE INDEX observables_type_ipkey ON observables(type, ipkey) WHERE ipkey IS NOT NULL;
`;

/**
 * Migration 9: observables rows get an explicit `id INTEGER PRIMARY KEY` (their rowid, kept). A
 * capture's observables are found by their rowid range (captures.observable_lo..hi: its delete, its
 * features) and pivots read the newest first by rowid, but the rowids of a table without an
 * INTEGER PRIMARY KEY are not part of its content: VACUUM "may change" them (SQLite's documentation;
 * today's copies them when it can) and a backup made with the shell's `.dump` leaves them out, so
 * a restored store would number them afresh, and ranges would miss their rows (a delete then leaves
 * orphans). An INTEGER PRIMARY KEY is the rowid itself, kept by both, and costs no byte.
 */
export const OBSERVABLE_ROWID_KEY_MIGRATION_VERSION = 9;

export const OBSERVABLE_ROWID_KEY_SQLITE_SQL = `
CREATE TABLE observables_v9 (
  id INTEGER PRIMARY KEY, type TEXT NOT NULL, value TEXT NOT NULL, capture_key INTEGER NOT NULL, log TEXT NOT NULL, field TEXT NOT NULL,
  rvalue TEXT, ipkey TEXT, record_ids TEXT NOT NULL);
INSERT INTO observables_v9 (id, type, value, capture_key, log, field, rvalue, ipkey, record_ids)
  SELECT rowid, type, value, capture_key, log, field, rvalue, ipkey, record_ids FROM observables ORDER BY rowid;
DROP TABLE observables;
ALTER TABLE observables_v9 RENAME TO observables;
CREATE INDEX observables_type_value ON observables(type, value);
CREATE INDEX observables_type_rvalue ON observables(type, rvalue) WHERE rvalue IS NOT NULL;
CREATE INDEX observables_type_ipkey ON observables(type, ipkey) WHERE ipkey IS NOT NULL;
`;
