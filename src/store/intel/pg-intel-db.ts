/**
 * IntelDb on PostgreSQL: `?` placeholders renumbered, text parameters and results carried through
 * the store's NUL/U+E000 escaping (pg-text.ts) so a label or comment comes back as written, and
 * writes in a transaction on one pooled connection.
 */
import type pg from 'pg';
import { decodeText, encodeText } from '../postgres/pg-text.js';
import { type IntelDb, type IntelTx, pgPlaceholders } from './intel-db.js';

const encodeParams = (params: readonly unknown[]): unknown[] => params.map((p) => (typeof p === 'string' ? encodeText(p) : p));

function decodeRows<T>(rows: Record<string, unknown>[]): T[] {
  for (const r of rows) for (const k in r) if (typeof r[k] === 'string') r[k] = decodeText(r[k] as string);
  return rows as T[];
}

export function pgIntelDb(pool: pg.Pool): IntelDb {
  return {
    dialect: 'pg',
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      decodeRows<T>((await pool.query(pgPlaceholders(sql), encodeParams(params))).rows as Record<string, unknown>[]),
    async write(fn) {
      const client = await pool.connect();
      const tx: IntelTx = {
        run: async (sql, params = []) => (await client.query(pgPlaceholders(sql), encodeParams(params))).rowCount ?? 0,
        all: async <T>(sql: string, params: readonly unknown[] = []) =>
          decodeRows<T>((await client.query(pgPlaceholders(sql), encodeParams(params))).rows as Record<string, unknown>[]),
      };
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
  };
}
