/**
 * Similar-captures ranking over 100,000 stored signatures (issue 10: under 100 ms), and with
 * --labels K, a label's drafts and export over the same collection (K families labelled, each
 * label's ~50 captures against the rest).
 *
 *   node --import tsx bench/similar.ts [--captures N] [--queries Q] [--labels K] [--pg URL]
 *
 * Synthetic collection: FAMILIES families, each a pool of features; a capture draws ~70% of its
 * family's pool plus a few features of its own, so captures of one family are similar (J ≈ 0.5)
 * and others are not. Signatures are computed with the real minhash() and written straight into
 * the intel tables (captures rows, capture_features, capture_signatures, signature_buckets); each
 * query is the real IntelStore.similar() through the store (SQLite by default, --pg for
 * PostgreSQL), including the shared-observables lookups of the 20 hits it returns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore, type Store } from '../src/store/store.js';
import { lshBuckets, minhash, signatureBytes } from '../src/store/intel/minhash.js';
import { EXPORT_KINDS } from '../src/store/intel/export.js';
import { prng } from '../test/support/prng.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const CAPTURES = Number(opt('--captures', '100000'));
const QUERIES = Number(opt('--queries', '50'));
const PG_URL = args.includes('--pg') ? opt('--pg', '') : undefined;
const LABELS = Number(opt('--labels', '0'));
const FAMILIES = Math.max(1, Math.floor(CAPTURES / 50));
const POOL = 30;
const OWN = 4;
const BATCH = 500;

const rand = prng(20261202);
const idOf = (i: number): string => i.toString(16).padStart(64, '0');
const KINDS = ['domain', 'ip', 'sha256', 'ja3', 'uri', 'user_agent'];

function captureFeatures(i: number): { kind: string; value: string }[] {
  const fam = i % FAMILIES;
  const out: { kind: string; value: string }[] = [];
  for (let j = 0; j < POOL; j++) if (rand() < 0.7) out.push({ kind: KINDS[j % KINDS.length], value: `fam${fam}-f${j}.example` });
  for (let j = 0; j < OWN; j++) out.push({ kind: KINDS[j % KINDS.length], value: `cap${i}-own${j}.example` });
  return out;
}

interface Writer { rows(table: string, cols: string[], rows: unknown[][]): Promise<void>; done(): Promise<void> }

/** Secondary indexes on random keys, dropped during the bulk load and rebuilt after it (a sort, not 5M B-tree descents). */
const DEFERRED_INDEXES = ['capture_features_value', 'signature_buckets_bucket'];

function sqliteWriter(path: string): Writer {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const deferred = DEFERRED_INDEXES.map((name) => (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) as { sql: string }).sql);
  for (const name of DEFERRED_INDEXES) db.exec(`DROP INDEX ${name}`);
  db.exec('BEGIN');
  const statements = new Map<string, Database.Statement>();
  return {
    async rows(table, cols, rows) {
      if (rows.length === 0) return;
      const key = `${table}/${rows.length}`;
      let st = statements.get(key);
      if (!st) {
        const one = `(${cols.map(() => '?').join(', ')})`;
        st = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${rows.map(() => one).join(', ')}`);
        statements.set(key, st);
      }
      st.run(...rows.flat());
    },
    async done() {
      db.exec('COMMIT');
      for (const sql of deferred) db.exec(sql);
      db.close();
    },
  };
}

async function pgWriter(url: string): Promise<Writer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  return {
    async rows(table, cols, rows) {
      if (rows.length === 0) return;
      let n = 0;
      const text = rows.map(() => `(${cols.map(() => `$${++n}`).join(', ')})`).join(', ');
      await client.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${text}`, rows.flat());
    },
    // Planner statistics, as autovacuum would gather them after a load this size.
    async done() { await client.query('COMMIT'); await client.query('ANALYZE'); await client.end(); },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-bench-similar-'));
  const path = join(dir, 'capdex.db');
  let store: Store = PG_URL ? await openStore({ pg: PG_URL }) : await openStore({ sqlite: path });
  await store.close(); // migrated; the bulk load writes the tables directly
  const w = PG_URL ? await pgWriter(PG_URL) : sqliteWriter(path);
  const t0 = performance.now();
  let caps: unknown[][] = [], feats: unknown[][] = [], sigs: unknown[][] = [], buckets: unknown[][] = [], labels: unknown[][] = [];
  const flush = async (): Promise<void> => {
    await w.rows('captures', ['id', 'md5', 'sha1', 'size', 'name', 'visibility', 'status', 'imported_at', 'first_ts', 'last_ts'], caps);
    for (let i = 0; i < feats.length; i += BATCH * 4) await w.rows('capture_features', ['capture_id', 'kind', 'value'], feats.slice(i, i + BATCH * 4));
    await w.rows('capture_signatures', ['capture_id', 'minhash', 'features', 'computed_at'], sigs);
    for (let i = 0; i < buckets.length; i += BATCH * 8) await w.rows('signature_buckets', ['bucket', 'capture_id'], buckets.slice(i, i + BATCH * 8));
    await w.rows('labels', ['id', 'capture_id', 'kind', 'value', 'key_id', 'created_at'], labels);
    caps = []; feats = []; sigs = []; buckets = []; labels = [];
  };
  for (let i = 0; i < CAPTURES; i++) {
    const id = idOf(i);
    const f = captureFeatures(i);
    const sig = minhash(f.map((x) => `${x.kind}:${x.value}`));
    caps.push([id, id.slice(0, 32), id.slice(0, 40), 1, `synthetic-${i}.pcap`, 'public', 'done', 1_700_000_000 + i, 1_700_000_000 + i, 1_700_000_001 + i]);
    for (const x of f) feats.push([id, x.kind, x.value]);
    sigs.push([id, signatureBytes(sig), f.length, 0]);
    for (const b of lshBuckets(sig)) buckets.push([b, id]);
    if (i % FAMILIES < LABELS) labels.push([`lbl_${id.slice(48)}`, id, 'family', `fam${i % FAMILIES}`, null, 0]);
    if (caps.length >= BATCH) await flush();
  }
  await flush();
  await w.done();
  const loadS = (performance.now() - t0) / 1000;

  store = PG_URL ? await openStore({ pg: PG_URL }) : await openStore({ sqlite: path });
  const times: number[] = [];
  let sameFamilyTop = 0;
  let hitsTotal = 0;
  for (let q = 0; q < QUERIES + 5; q++) {
    const i = Math.floor(rand() * CAPTURES);
    const t = performance.now();
    const hits = await store.intel.similar(idOf(i), { admin: true }, 20);
    const ms = performance.now() - t;
    if (q < 5) continue; // warm-up: first statements prepared, pages cached
    times.push(ms);
    hitsTotal += hits?.length ?? 0;
    if (hits?.[0] && parseInt(hits[0].capture.id, 16) % FAMILIES === i % FAMILIES) sameFamilyTop++;
  }
  // A label's drafts and its export's observables: every labelled family once (after one warm-up).
  const draftTimes: number[] = [];
  const exportTimes: number[] = [];
  let rulesTotal = 0;
  for (let f = -1; f < LABELS; f++) {
    const label = { value: `fam${Math.max(0, f)}` };
    let t = performance.now();
    const d = await store.intel.labelDrafts(label, { admin: true });
    const draftMs = performance.now() - t;
    t = performance.now();
    await store.intel.labelObservables(label, { admin: true }, { kinds: EXPORT_KINDS });
    if (f < 0) continue;
    draftTimes.push(draftMs);
    exportTimes.push(performance.now() - t);
    rulesTotal += d?.rules.length ?? 0;
  }
  await store.close();
  times.sort((a, b) => a - b);
  const pct = (p: number, of = times): number => of[Math.min(of.length - 1, Math.floor(p * of.length))];
  const summary = (of: number[]) => { of.sort((a, b) => a - b); return { median: Number(pct(0.5, of).toFixed(1)), max: Number(of.at(-1)!.toFixed(1)) }; };
  const result = {
    backend: PG_URL ? 'postgres' : 'sqlite', captures: CAPTURES, families: FAMILIES, queries: QUERIES, loadSeconds: Number(loadS.toFixed(1)),
    rankMs: { median: Number(pct(0.5).toFixed(1)), p95: Number(pct(0.95).toFixed(1)), max: Number(times.at(-1)!.toFixed(1)) },
    meanHits: hitsTotal / QUERIES, topHitSameFamily: `${sameFamilyTop}/${QUERIES}`,
    ...(LABELS > 0 ? { labels: LABELS, labelDraftsMs: summary(draftTimes), labelExportMs: summary(exportTimes), meanDraftRules: rulesTotal / LABELS } : {}),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (!PG_URL) rmSync(dir, { recursive: true, force: true });
}

await main();
