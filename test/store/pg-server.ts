/**
 * The PostgreSQL server the store tests run against: the private cluster of scripts/pg.sh on
 * 127.0.0.1 (started here when it does not answer, and then stopped by `release`), with a fresh
 * database per store the tests open, all dropped at the end. CAPDEX_TEST_PG_URL points the tests
 * at another server instead.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../helpers.js';

const ADMIN_URL = process.env.CAPDEX_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres';
const PG_SH = join(ROOT, 'scripts', 'pg.sh');

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestServer {
  /** A new empty database; its URL. */
  database(): Promise<string>;
  /** Drops the databases made, and stops the cluster if this process started it. */
  release(): Promise<void>;
}

export async function testServer(): Promise<TestServer> {
  let started = false;
  if (!(await answers(ADMIN_URL))) {
    if (process.env.CAPDEX_TEST_PG_URL) throw new Error('PostgreSQL at CAPDEX_TEST_PG_URL does not answer');
    execFileSync('bash', [PG_SH, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
    started = true;
  }
  const made: string[] = [];
  const run = `capdex_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  return {
    async database() {
      const db = `${run}_${made.length}`; // [a-z0-9_] only: no quoting needed
      await admin((c) => c.query(`CREATE DATABASE ${db}`));
      made.push(db);
      const u = new URL(ADMIN_URL);
      u.pathname = '/' + db;
      return u.toString();
    },
    async release() {
      await admin(async (c) => {
        for (const db of made) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      });
      if (started) execFileSync('bash', [PG_SH, 'stop'], { stdio: 'ignore' });
    },
  };
}
