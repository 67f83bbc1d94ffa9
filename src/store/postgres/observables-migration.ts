/**
 * PostgreSQL migration 7: observables become one row per (capture, type, value, log, field) with
 * its records' ids in `record_ids bigint[]` (ascending, at most OBSERVABLE_ROW_IDS_MAX per row; why:
 * src/store/observable-groups.ts). An existing store is converted in place, captures kept together
 * so the BRIN on capture_id still finds a capture's rows in a few block ranges. The pivot index is
 * (type, value): hits are ordered by record id after unnesting one value's rows.
 */
import { OBSERVABLE_ROW_IDS_MAX } from '../limits.js';

export const OBSERVABLE_GROUPS_PG_VERSION = 7;

export const OBSERVABLE_GROUPS_PG_SQL = `
CREATE TABLE observables_v7 (
  type text NOT NULL,
  value text COLLATE "C" NOT NULL,
  capture_id text NOT NULL,
  log text NOT NULL,
  field text NOT NULL,
  rvalue text COLLATE "C",
  ipkey text COLLATE "C",
  record_ids bigint[] NOT NULL
);
INSERT INTO observables_v7 (type, value, capture_id, log, field, rvalue, ipkey, record_ids)
  SELECT type, value, capture_id, log, field, min(rvalue), min(ipkey), array_agg(record_id ORDER BY record_id)
  FROM (SELECT o.*, (row_number() OVER (PARTITION BY capture_id, type, value, log, field ORDER BY record_id) - 1)
          / ${OBSERVABLE_ROW_IDS_MAX} AS chunk FROM observables o) s
  GROUP BY capture_id, type, value, log, field, chunk
  ORDER BY capture_id, type, value, log, field, chunk;
DROP TABLE observables;
ALTER TABLE observables_v7 RENAME TO observables;
CREATE INDEX observables_type_value ON observables (type, value);
CREATE INDEX observables_type_rvalue ON observables (type, rvalue) WHERE rvalue IS NOT NULL;
CREATE INDEX observables_type_ipkey ON observables (type, ipkey) WHERE ipkey IS NOT NULL;
CREATE INDEX observables_capture ON observables USING brin (capture_id);
`;

/**
 * Migration 8: each capture gets a bigint `key` (from captures_key_seq), and observables rows name
 * their capture by it (`capture_key`, BRIN-indexed for a capture's delete) instead of the
 * 64-character sha256. The API still speaks sha256: readers join captures on the key.
 */
export const CAPTURE_KEY_PG_VERSION = 8;

export const CAPTURE_KEY_PG_SQL = `
CREATE SEQUENCE captures_key_seq;
ALTER TABLE captures ADD COLUMN key bigint;
UPDATE captures SET key = nextval('captures_key_seq');
ALTER TABLE captures ALTER COLUMN key SET DEFAULT nextval('captures_key_seq');
ALTER TABLE captures ALTER COLUMN key SET NOT NULL;
CREATE UNIQUE INDEX captures_key ON captures (key);
CREATE TABLE observables_v8 (
  type text NOT NULL,
  value text COLLATE "C" NOT NULL,
  capture_key bigint NOT NULL,
  log text NOT NULL,
  field text NOT NULL,
  rvalue text COLLATE "C",
  ipkey text COLLATE "C",
  record_ids bigint[] NOT NULL
);
INSERT INTO observables_v8 (type, value, capture_key, log, field, rvalue, ipkey, record_ids)
  SELECT o.type, o.value, c.key, o.log, o.field, o.rvalue, o.ipkey, o.record_ids
  FROM observables o JOIN captures c ON c.id = o.capture_id ORDER BY c.key, o.type, o.value;
DROP TABLE observables;
ALTER TABLE observables_v8 RENAME TO observables;
CREATE INDEX observables_type_value ON observables (type, value);
CREATE INDEX observables_type_rvalue ON observables (type, rvalue) WHERE rvalue IS NOT NULL;
CREATE INDEX observables_type_ipkey ON observables (type, ipkey) WHERE ipkey IS NOT NULL;
CREATE INDEX observables_capture ON observables USING brin (capture_key);
`;
