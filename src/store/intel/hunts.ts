/**
 * Retro-hunts as the store keeps them (migration 5), so a hunt and its results outlive the server
 * that ran it: src/jobs/retro-hunt.ts runs hunts and writes here; the API reads here for hunts it
 * is not running itself. Both backends, one SQL text (IntelDb).
 *
 * A running hunt's row is its heartbeat (`updated_at`, refreshed by the server running it): one
 * whose heartbeat is older than HUNT_STALE_S was left by a server that stopped or died, and reads
 * as failed ("interrupted") — never as running forever.
 *
 * A YARA hunt (migration 6) keeps per capture its matched files (`files`, JSON) and, in `alerts`,
 * one entry per rule (sid: yaraSid of its name, msg "YARA <rule>", count: files matched), so lists
 * and counts read both kinds alike.
 */
import type { IntelDb } from './intel-db.js';
import type { Viewer } from '../store.js';

/** A running hunt not heard of for this long is taken as interrupted. */
export const HUNT_STALE_S = 60;
/** Hunts listed per key (newest first). */
export const HUNTS_LISTED_MAX = 50;
/** Hunts kept in the store: starting one past this drops the oldest finished ones. */
export const HUNTS_STORED_MAX = 1000;

export interface HuntAlert { sid: number; msg: string; count: number }

/** What a hunt runs: Suricata rules over the packets, or YARA rules over the files kept from them. */
export type HuntKind = 'suricata' | 'yara';

/** A kept file of a capture that YARA rules matched, named as the capture's files.log records name it. */
export interface HuntFileMatch {
  sha256: string;
  /** File names the protocol gave, connection uids and file ids (each distinct, capped). */
  names: string[];
  uids: string[];
  fuids: string[];
  rules: { rule: string; tags: string[] }[];
}

/** A capture a hunt matched: Suricata alerts by signature; for YARA, per rule the files matched (count) and the files. */
export interface HuntMatch { captureId: string; name: string; alerts: HuntAlert[]; files?: HuntFileMatch[] }

export interface Hunt {
  id: string;
  kind: HuntKind;
  status: 'running' | 'done' | 'failed';
  /** The key that started it (hunts are visible to it and to admins). */
  keyId?: string;
  startedAt: number;
  finishedAt?: number;
  rules: number;
  /** Captures to read, read so far, and those without a readable file (skipped). */
  total: number;
  done: number;
  skipped: number;
  /** Captures with at least one alert, in the order they were read. */
  matches: HuntMatch[];
  errors: { captureId: string; error: string }[];
  error?: string;
}

/** A hunt without its results, as lists show it. */
export type HuntSummary = Omit<Hunt, 'matches' | 'errors'> & { matches: number; errors: number };

interface HuntRow {
  id: string; kind: string | null; key_id: string | null; status: string; started_at: number; updated_at: number; finished_at: number | null;
  rules: number; total: number; done: number; skipped: number; error: string | null;
}

const now = (): number => Date.now() / 1000;

function toHunt(r: HuntRow): Omit<Hunt, 'matches' | 'errors'> {
  const h: Omit<Hunt, 'matches' | 'errors'> = {
    id: r.id, kind: r.kind === 'yara' ? 'yara' : 'suricata', status: r.status as Hunt['status'], startedAt: Number(r.started_at), rules: Number(r.rules),
    total: Number(r.total), done: Number(r.done), skipped: Number(r.skipped),
  };
  if (r.key_id !== null) h.keyId = r.key_id;
  if (r.finished_at !== null) h.finishedAt = Number(r.finished_at);
  if (r.error !== null) h.error = r.error;
  if (h.status === 'running' && Number(r.updated_at) < now() - HUNT_STALE_S) {
    h.status = 'failed';
    h.error = 'interrupted: the server running the hunt stopped before it finished (start it again)';
  }
  return h;
}

/** SQL condition: the hunt is the viewer's (admins: any). 2 parameters. */
const MINE = '(? = 1 OR h.key_id = ?)';
const mineParams = (v: Viewer): unknown[] => [v.admin ? 1 : 0, v.keyId ?? null];

export class HuntStore {
  constructor(private readonly db: IntelDb) {}

  async create(h: Hunt): Promise<void> {
    await this.db.write(async (tx) => {
      await tx.run('INSERT INTO retro_hunts (id, kind, key_id, status, started_at, updated_at, finished_at, rules, total, done, skipped, error) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, NULL)',
        [h.id, h.kind, h.keyId ?? null, h.status, h.startedAt, now(), h.rules, h.total, h.done, h.skipped]);
      const old = await tx.all<{ id: string }>(
        `SELECT id FROM retro_hunts WHERE status <> 'running' ORDER BY started_at DESC, id LIMIT 1000 OFFSET ?`, [HUNTS_STORED_MAX]);
      for (const o of old) {
        await tx.run('DELETE FROM retro_hunt_results WHERE hunt_id = ?', [o.id]);
        await tx.run('DELETE FROM retro_hunts WHERE id = ?', [o.id]);
      }
    });
  }

  /** A capture read: its alerts or its error (seq: the order it was read in), and the progress so far. */
  async addResult(huntId: string, seq: number, r: HuntMatch & { error?: string }, done: number): Promise<void> {
    await this.db.write(async (tx) => {
      await tx.run('INSERT INTO retro_hunt_results (hunt_id, seq, capture_id, name, alerts, files, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [huntId, seq, r.captureId, r.name, JSON.stringify(r.alerts), r.files ? JSON.stringify(r.files) : null, r.error ?? null]);
      await tx.run('UPDATE retro_hunts SET done = ?, updated_at = ? WHERE id = ?', [done, now(), huntId]);
    });
  }

  /** Progress and heartbeat of a running hunt. */
  async progress(huntId: string, done: number): Promise<void> {
    await this.db.write((tx) => tx.run("UPDATE retro_hunts SET done = ?, updated_at = ? WHERE id = ? AND status = 'running'", [done, now(), huntId]));
  }

  async finish(h: Hunt): Promise<void> {
    await this.db.write((tx) => tx.run('UPDATE retro_hunts SET status = ?, done = ?, finished_at = ?, updated_at = ?, error = ? WHERE id = ?',
      [h.status, h.done, h.finishedAt ?? now(), now(), h.error ?? null, h.id]));
  }

  /** A hunt the viewer started (admins: any) with its results; undefined otherwise. Deleted captures drop out. */
  async get(id: string, viewer: Viewer): Promise<Hunt | undefined> {
    const [row] = await this.db.all<HuntRow>(`SELECT h.* FROM retro_hunts h WHERE h.id = ? AND ${MINE}`, [id, ...mineParams(viewer)]);
    if (!row) return undefined;
    const hunt: Hunt = { ...toHunt(row), matches: [], errors: [] };
    const results = await this.db.all<{ capture_id: string; name: string; alerts: string; files: string | null; error: string | null }>(
      `SELECT r.capture_id, r.name, r.alerts, r.files, r.error FROM retro_hunt_results r JOIN captures c ON c.id = r.capture_id
       WHERE r.hunt_id = ? ORDER BY r.seq`, [id]);
    for (const r of results) {
      if (r.error !== null) hunt.errors.push({ captureId: r.capture_id, error: r.error });
      const alerts = JSON.parse(r.alerts) as HuntAlert[];
      if (alerts.length === 0) continue;
      const match: HuntMatch = { captureId: r.capture_id, name: r.name, alerts };
      if (r.files !== null) match.files = JSON.parse(r.files) as HuntFileMatch[];
      hunt.matches.push(match);
    }
    return hunt;
  }

  /** The viewer's hunts (admins: all), newest first, with counts of matches and errors. */
  async list(viewer: Viewer): Promise<HuntSummary[]> {
    const rows = await this.db.all<HuntRow & { matches: number; errors: number }>(
      `SELECT h.*, (SELECT count(*) FROM retro_hunt_results r WHERE r.hunt_id = h.id AND r.alerts <> '[]') AS matches,
         (SELECT count(*) FROM retro_hunt_results r WHERE r.hunt_id = h.id AND r.error IS NOT NULL) AS errors
       FROM retro_hunts h WHERE ${MINE} ORDER BY h.started_at DESC, h.id LIMIT ?`, [...mineParams(viewer), HUNTS_LISTED_MAX]);
    return rows.map((r) => ({ ...toHunt(r), matches: Number(r.matches), errors: Number(r.errors) }));
  }
}
