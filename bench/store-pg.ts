/**
 * bench:store on PostgreSQL (`--pg [URL]`): a fresh database per store the bench opens, on the
 * server at URL (default: scripts/pg.sh's private cluster, started if it does not answer), and
 * the size of the store's tables as PostgreSQL counts them (heap, indexes, TOAST).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from './build-capture.js';
import { openStore, type Store } from '../src/store/store.js';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:55432/postgres';

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Starts the private cluster when the default URL does not answer. */
export async function ensurePgServer(url: string): Promise<void> {
  try {
    await admin(url, (c) => c.query('SELECT 1'));
  } catch {
    if (url !== DEFAULT_PG_URL) throw new Error(`PostgreSQL at ${url} does not answer`);
    execFileSync('bash', [join(REPO_ROOT, 'scripts', 'pg.sh'), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

/** A fresh, empty database `capdex_bench_<name>` (dropped first) and the store on it; path = its URL. */
export async function freshPgStore(url: string, name: string): Promise<{ store: Store; path: string }> {
  const db = 'capdex_bench_' + name.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  await admin(url, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${db}`);
  });
  const u = new URL(url);
  u.pathname = '/' + db;
  return { store: await openStore({ pg: u.toString() }), path: u.toString() };
}

/**
 * Bytes of the store's tables in the database at `dbUrl` (heap, indexes and TOAST of every table in
 * the public schema, partitions included), after VACUUM ANALYZE settles the visibility maps. The
 * system catalogs (~7.5 MB in every database, whatever it holds) are left out.
 */
export async function pgDatabaseBytes(dbUrl: string): Promise<number> {
  return admin(dbUrl, async (c) => {
    await c.query('VACUUM ANALYZE');
    const r = await c.query<{ n: string | null }>(
      `SELECT sum(pg_total_relation_size(c.oid)) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = 'public' AND c.relkind IN ('r', 'm')`);
    return Number(r.rows[0].n ?? 0);
  });
}

/** Bytes of each table and index of the store (partitions by their own name), largest first, above 1% of the total. */
export async function pgBytesByObject(dbUrl: string): Promise<Record<string, number>> {
  return admin(dbUrl, async (c) => {
    const r = await c.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_relation_size(c.oid) + coalesce(pg_relation_size(c.reltoastrelid), 0) AS bytes
       FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = 'public' AND c.relkind IN ('r', 'i', 'm') ORDER BY 2 DESC`);
    const rows = r.rows.map((x) => ({ name: x.name, bytes: Number(x.bytes) }));
    const total = rows.reduce((a, x) => a + x.bytes, 0);
    return Object.fromEntries(rows.filter((x) => x.bytes >= total / 100).map((x) => [x.name, x.bytes]));
  });
}

/** Rows of the observables table (each holds one value's record ids for one capture). */
export async function pgObservableRows(dbUrl: string): Promise<number> {
  return admin(dbUrl, async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM observables')).rows[0].n));
}
