/**
 * IntelDb on SQLite: reads on the store's reader connection, writes on its writer through the
 * store's own queue (an import holds the writer's transaction across awaits; a label written then
 * would otherwise land inside it, and vanish with it on a rollback).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { IntelDb, IntelTx } from './intel-db.js';

type Exclusive = <T>(fn: () => Promise<T>) => Promise<T>;

/** Prepared statements kept per connection (IN lists of different lengths are different texts). */
const STATEMENT_CACHE_MAX = 256;

/** db.prepare with a cache: compiling a statement costs as much as running a small one. */
function preparer(db: Database): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      if (cache.size >= STATEMENT_CACHE_MAX) cache.clear();
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}

export function sqliteIntelDb(writer: Database, reader: Database, exclusive: Exclusive): IntelDb {
  const write = preparer(writer);
  const read = preparer(reader);
  const tx: IntelTx = {
    run: async (sql, params = []) => write(sql).run(...params).changes,
    all: async <T>(sql: string, params: readonly unknown[] = []) => write(sql).all(...params) as T[],
  };
  return {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly unknown[] = []) => read(sql).all(...params) as T[],
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
