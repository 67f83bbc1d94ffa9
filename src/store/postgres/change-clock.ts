/**
 * Change clocks over a PostgreSQL database, for the API's response cache (src/api/response-cache.ts),
 * as store/sqlite/change-clock.ts gives them over SQLite files: a value that moves whenever anything
 * commits a write, from any process on any machine (workers import on other hosts, `capdex import
 * --pg` runs anywhere).
 *
 * Writers do nothing on purpose: a statement-level trigger on every table calls
 * `capdex_notify_change(channel)`, a `pg_notify` that PostgreSQL delivers at commit (never for a
 * rolled-back write; several in one transaction collapse into one). Store tables notify
 * CHANGED_STORE, the job queue's tables CHANGED_JOBS. Triggers are attached by `attachChangeTriggers`,
 * run on every open under the opener's schema lock, so a table a later migration adds is covered
 * from the next start.
 *
 * A watcher holds one connection that LISTENs on both channels and counts notifications. While it
 * is not listening (before the first LISTEN, after the connection dropped and until it is back), a
 * clock moves on every read, so no answer is kept: an answer may only be cached while a commit
 * would be heard. A reconnection moves both clocks, as commits may have been missed meanwhile.
 */
import pg from 'pg';
import type { ChangeClock } from '../sqlite/change-clock.js';

export const CHANGED_STORE = 'capdex_store_changed';
export const CHANGED_JOBS = 'capdex_jobs_changed';

/** The trigger function (migration 10): the channel is the trigger's argument. */
export const NOTIFY_CHANGE_FUNCTION_SQL = `
CREATE FUNCTION capdex_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_ARGV[0], '');
  RETURN NULL;
END $$;
`;

/**
 * Attaches a statement-level change trigger notifying `channel` to every table of the current
 * schema (partitions included: a statement naming one partition fires only its triggers) whose
 * name matches `likePattern` (or does not, with `not`) and has none yet. Run under a lock the
 * callers share, or two openers race on CREATE TRIGGER. Does nothing when the function is absent
 * (a queue opened on a database whose store never ran migration 10 has no clock to feed).
 */
export async function attachChangeTriggers(client: pg.ClientBase, channel: string, tables: { like: string; not?: boolean }): Promise<void> {
  await client.query(`
DO $$
DECLARE t regclass;
BEGIN
  IF to_regproc('capdex_notify_change') IS NULL THEN RETURN; END IF;
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      AND c.relname ${tables.not ? 'NOT LIKE' : 'LIKE'} ${literal(tables.like)}
      AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = ${literal(channel)})
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION capdex_notify_change(%L)',
      ${literal(channel)}, t, ${literal(channel)});
  END LOOP;
END $$;`);
}

/** A SQL string literal of one of our own constants (a DO block takes no parameters). */
function literal(s: string): string {
  if (!/^[a-z_%]+$/.test(s)) throw new TypeError(`attachChangeTriggers: unexpected name ${s}`);
  return `'${s}'`;
}

export interface PgChangeClocks {
  store: ChangeClock;
  jobs: ChangeClock;
  /** Stops listening and closes the connection. */
  stop(): Promise<void>;
}

/** Delay before reconnecting a dropped listener. */
const RECONNECT_MS = 1000;

/** Starts watching `url`: resolves once listening (rejects if the first connection fails). */
export async function pgChangeClocks(url: string): Promise<PgChangeClocks> {
  const counts = { [CHANGED_STORE]: 0, [CHANGED_JOBS]: 0 };
  let listening = false;
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const lost = (): void => {
    if (!listening && client === undefined) return;
    listening = false;
    client = undefined;
    if (!stopped) retry = setTimeout(() => void connect().catch(lost), RECONNECT_MS).unref();
  };
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      if (n.channel === CHANGED_STORE || n.channel === CHANGED_JOBS) counts[n.channel]++;
    });
    await c.connect();
    await c.query(`LISTEN ${CHANGED_STORE}; LISTEN ${CHANGED_JOBS}`);
    if (stopped) { await c.end(); return; }
    // Whatever committed while nobody listened is unknown: both clocks move.
    counts[CHANGED_STORE]++;
    counts[CHANGED_JOBS]++;
    listening = true;
  };
  const clock = (channel: typeof CHANGED_STORE | typeof CHANGED_JOBS): ChangeClock => ({
    now: () => (listening ? counts[channel] : ++counts[channel]),
    close: () => {},
  });

  try {
    await connect();
  } catch (e) {
    stopped = true; // no retry loop behind a caller who was told it failed
    clearTimeout(retry);
    throw e;
  }
  return {
    store: clock(CHANGED_STORE),
    jobs: clock(CHANGED_JOBS),
    async stop() {
      stopped = true;
      listening = false;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => {});
    },
  };
}
