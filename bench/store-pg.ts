/**
 * bench:store on PostgreSQL (`--pg [URL]`): a fresh database per store the bench opens, on the
 * server at URL (default: scripts/pg.sh's private cluster, started if it does not answer), and
 * the database's size as PostgreSQL counts it (tables, indexes, TOAST; after a CHECKPOINT).
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

/** Bytes of the database at `dbUrl` (pg_database_size), after VACUUM ANALYZE settles the visibility map. */
export async function pgDatabaseBytes(dbUrl: string): Promise<number> {
  return admin(dbUrl, async (c) => {
    await c.query('VACUUM ANALYZE');
    const r = await c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n');
    return Number(r.rows[0].n);
  });
}
