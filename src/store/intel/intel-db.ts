/**
 * The little each backend must provide for the intelligence store: run parameterised SQL (written
 * once with `?` placeholders), in a transaction when asked. sqlite-intel-db.ts and pg-intel-db.ts
 * implement it; intel-store.ts holds every query, with the few dialect differences spelled there.
 */
export type IntelDialect = 'sqlite' | 'pg';

export interface IntelDb {
  readonly dialect: IntelDialect;
  /** Rows of a read (committed data). */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Writes in one transaction, after any import in progress on this store (never inside it). */
  write<T>(fn: (tx: IntelTx) => T | Promise<T>): Promise<T>;
}

/** Statements inside a write transaction. */
export interface IntelTx {
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** `?` → `$1..$n` (our SQL has no other '?'). */
export function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
