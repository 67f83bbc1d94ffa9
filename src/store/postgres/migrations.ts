/**
 * The PostgreSQL schema, as versioned migrations run on open (one transaction each, recorded in
 * schema_migrations; an advisory lock makes concurrent opens wait instead of racing).
 *
 * Tables and columns are the store contract's (same names as the SQLite backend); what differs:
 * - `records.doc` is JSONB, so `doc->>'id.resp_h'` and `doc #>> '{alert,signature}'` need no parse.
 * - records is PARTITION BY HASH (capture_id), not by time. A capture is the unit of ingest,
 *   replacement and deletion, so each one lives in one partition; observables carry capture_id, so
 *   a pivot's join prunes to that partition; capture_id is also the shard key if the table is ever
 *   distributed (Citus). Time ranges were rejected: ts comes from hostile captures (a pcapng can
 *   claim year 30000, so partitions created on demand would be unbounded) and creating a partition
 *   takes a lock on the parent that a long import transaction would hold against every reader.
 * - ids come from a sequence stepping by ID_BLOCK: an import takes one block and numbers its
 *   records itself, so observables point at their records within the same COPY pass.
 * - No full-text index: a GIN on jsonb_to_tsvector or pg_trgm over the documents costs 5-25x the
 *   ingest (measured, see .tmp/store-contract.md); bare words are an ILIKE over doc::text.
 * - value/rvalue/ipkey use COLLATE "C" so prefix and CIDR ranges are byte-order index range scans.
 */
import type { PoolClient } from 'pg';
import { CAPTURE_KEY_PG_SQL, CAPTURE_KEY_PG_VERSION, OBSERVABLE_GROUPS_PG_SQL, OBSERVABLE_GROUPS_PG_VERSION } from './observables-migration.js';
import { attachChangeTriggers, CHANGED_STORE, NOTIFY_CHANGE_FUNCTION_SQL } from './change-clock.js';
import { INTEL_HUNTS_MIGRATION_VERSION, INTEL_HUNTS_PG_SQL, INTEL_HUNTS_YARA_MIGRATION_VERSION, INTEL_HUNTS_YARA_SQL, INTEL_MIGRATION_VERSION, INTEL_PG_SQL } from '../intel/migrations.js';

/**
 * Record ids an import reserves at its start (one nextval of records_id_seq, which steps by this),
 * so records and observables are numbered while they are encoded, with no round trip. It caps the
 * records of one capture (268 million: a capture of tens of GB); ids stay below 2^53 (JavaScript
 * numbers) for 2^25 imports.
 */
export const ID_BLOCK = 2 ** 28;
/** Hash partitions of records: enough to keep one capture's delete local, few enough that a plan touching all stays cheap. */
export const RECORD_PARTITIONS = 8;
/** pg_advisory_lock key for migrations ('capdex' in ASCII). */
const MIGRATION_LOCK = 0x636170646578;

interface Migration {
  version: number;
  sql: string;
}

const partitions = Array.from({ length: RECORD_PARTITIONS }, (_, i) =>
  `CREATE TABLE records_p${i} PARTITION OF records FOR VALUES WITH (MODULUS ${RECORD_PARTITIONS}, REMAINDER ${i});`).join('\n');

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE captures (
  id text PRIMARY KEY,
  md5 text,
  sha1 text,
  size bigint,
  format text,
  link_types text,
  first_ts double precision,
  last_ts double precision,
  packets bigint,
  name text,
  submitter text,
  visibility text NOT NULL DEFAULT 'private',
  status text NOT NULL,
  error text,
  imported_at double precision NOT NULL,
  stats jsonb,
  record_count bigint NOT NULL DEFAULT 0
);
CREATE INDEX captures_md5 ON captures (md5);
CREATE INDEX captures_sha1 ON captures (sha1);
CREATE INDEX captures_imported ON captures (imported_at);

CREATE SEQUENCE records_id_seq INCREMENT BY ${ID_BLOCK} START WITH 1;
CREATE TABLE records (
  id bigint NOT NULL,
  capture_id text NOT NULL,
  log text NOT NULL,
  ts double precision,
  uid text,
  community_id text,
  doc jsonb NOT NULL,
  PRIMARY KEY (id, capture_id)
) PARTITION BY HASH (capture_id);
${partitions}
CREATE INDEX records_capture_log_ts ON records (capture_id, log, ts);
CREATE INDEX records_uid ON records (uid);
CREATE INDEX records_community_id ON records (community_id);

CREATE TABLE observables (
  type text NOT NULL,
  value text COLLATE "C" NOT NULL,
  capture_id text NOT NULL,
  record_id bigint NOT NULL,
  log text NOT NULL,
  field text NOT NULL,
  rvalue text COLLATE "C",
  ipkey text COLLATE "C"
);
CREATE INDEX observables_type_value ON observables (type, value, record_id);
CREATE INDEX observables_type_rvalue ON observables (type, rvalue) WHERE rvalue IS NOT NULL;
CREATE INDEX observables_type_ipkey ON observables (type, ipkey) WHERE ipkey IS NOT NULL;
-- Imports append a capture's observables together, so block ranges hold one capture each: a BRIN
-- finds them for a delete, and costs next to nothing per insert where a btree costs a descent.
CREATE INDEX observables_capture ON observables USING brin (capture_id);

CREATE TABLE files (
  sha256 text PRIMARY KEY,
  md5 text,
  sha1 text,
  mime text,
  size bigint,
  first_ts double precision
);
CREATE TABLE file_sightings (
  sha256 text NOT NULL,
  capture_id text NOT NULL,
  record_id bigint NOT NULL
);
CREATE INDEX file_sightings_sha256 ON file_sightings (sha256);
CREATE INDEX file_sightings_capture ON file_sightings (capture_id);
`,
  },
  {
    // API keys (docs/contracts/access.md): the secret's SHA-256 only, looked up by its unique index.
    version: 2,
    sql: `
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  secret_sha256 text NOT NULL UNIQUE,
  admin boolean NOT NULL DEFAULT false,
  created_at double precision NOT NULL,
  revoked_at double precision
);
`,
  },
  { version: INTEL_MIGRATION_VERSION, sql: INTEL_PG_SQL }, // labels, votes, comments, signatures (intel/migrations.ts)
  { version: INTEL_HUNTS_MIGRATION_VERSION, sql: INTEL_HUNTS_PG_SQL }, // retro-hunts (intel/migrations.ts)
  { version: INTEL_HUNTS_YARA_MIGRATION_VERSION, sql: INTEL_HUNTS_YARA_SQL }, // YARA retro-hunts (intel/migrations.ts)
  { version: OBSERVABLE_GROUPS_PG_VERSION, sql: OBSERVABLE_GROUPS_PG_SQL }, // one observables row per value (observables-migration.ts)
  { version: CAPTURE_KEY_PG_VERSION, sql: CAPTURE_KEY_PG_SQL }, // observables name their capture by an integer key (observables-migration.ts)
  {
    // Pages of a log are read in (ts ASC NULLS FIRST, id) order (SQLite's order: NULL is least) and
    // backwards for -ts. The version 1 index is (ts) ASC NULLS LAST without the id tie-break, so
    // no page could come from it: PostgreSQL read and sorted the whole log, documents included,
    // for each page (a 100-row page of a 4,600-record conn log: 186 ms; of a 100k-record log,
    // seconds). In the order of the pages, the index serves them as a range, either direction.
    // Built under the migration's lock: on a large store, expect the open that runs it to wait.
    version: 9,
    sql: `
CREATE INDEX records_capture_log_ts_id ON records (capture_id, log, ts ASC NULLS FIRST, id);
DROP INDEX records_capture_log_ts;
`,
  },
  // The change trigger's function: every write notifies at commit (change-clock.ts, the API's response cache).
  { version: 10, sql: NOTIFY_CHANGE_FUNCTION_SQL },
];

/** Brings the schema up to the newest version; safe to call from several processes at once. */
export async function migrate(client: PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at double precision NOT NULL)');
    // Each version by itself, not "above the highest": versions written in parallel may land out of order.
    const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now() / 1000]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    // Every store table notifies its writes (the job queue's tables are the queue's own: pgboss-queue.ts).
    await attachChangeTriggers(client, CHANGED_STORE, { like: 'capdex_job%', not: true });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
