/**
 * Where the store commands (import, search, pivot, captures, delete) keep their data: `--db PATH`
 * (SQLite file; default $CAPDEX_DB, else ./capdex-data/capdex.db) or `--pg URL` (PostgreSQL).
 */
import type { Command } from 'commander';
import { openStore, type Store } from '../store/store.js';

export const DEFAULT_DB = 'capdex-data/capdex.db';

export interface StoreFlags {
  db?: string;
  pg?: string;
}

export function withStoreOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', `SQLite store file (default $CAPDEX_DB, else ./${DEFAULT_DB})`)
    .option('--pg <url>', 'PostgreSQL store instead, e.g. postgres://user@127.0.0.1:5432/capdex');
}

export function openFromFlags(flags: StoreFlags): Promise<Store> {
  if (flags.pg) return openStore({ pg: flags.pg });
  return openStore({ sqlite: flags.db ?? process.env.CAPDEX_DB ?? DEFAULT_DB });
}

/** Runs `fn` with the store open, closing it whatever happens. */
export async function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openFromFlags(flags);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
