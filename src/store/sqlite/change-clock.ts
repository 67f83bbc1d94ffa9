/**
 * A change clock over a SQLite file: a value that moves whenever anything commits to it,
 * from this process or another (analysis workers import from their own threads, `capdex import`
 * from its own process). The API's response cache (src/api/response-cache.ts) keeps an answer only
 * while the clock stands still.
 *
 * A watched file gets a read-only connection of its own that never runs anything but
 * `PRAGMA data_version`: SQLite changes that number for a connection whenever another connection
 * commits, and this one never commits itself, so every write anywhere moves it. One read is a
 * few microseconds (the WAL index header), cheap enough to ask on every request.
 */
import Database from 'better-sqlite3';

export interface ChangeClock {
  /** Changes whenever a commit landed in the watched file since the last call that returned the same value. */
  now(): number;
  close(): void;
}

export function sqliteChangeClock(path: string): ChangeClock {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const version = db.prepare('PRAGMA data_version').pluck();
  return {
    now: () => version.get() as number,
    close: () => db.close(),
  };
}
