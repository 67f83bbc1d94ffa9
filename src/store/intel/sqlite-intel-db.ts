/**
 * IntelDb on SQLite: reads on the store's reader connection, writes on its writer through the
 * store's own queue (an import holds the writer's transaction across awaits; a label written then
 * would otherwise land inside it, and vanish with it on a rollback).
 */
import type { Database } from 'better-sqlite3';
import type { IntelDb, IntelTx } from './intel-db.js';

type Exclusive = <T>(fn: () => Promise<T>) => Promise<T>;

export function sqliteIntelDb(writer: Database, reader: Database, exclusive: Exclusive): IntelDb {
  const tx: IntelTx = {
    run: async (sql, params = []) => writer.prepare(sql).run(...params).changes,
    all: async <T>(sql: string, params: readonly unknown[] = []) => writer.prepare(sql).all(...params) as T[],
  };
  return {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly unknown[] = []) => reader.prepare(sql).all(...params) as T[],
    write: (fn) => exclusive(async () => {
      writer.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(tx);
        writer.exec('COMMIT');
        return out;
      } catch (e) {
        if (writer.inTransaction) writer.exec('ROLLBACK');
        throw e;
      }
    }),
  };
}
