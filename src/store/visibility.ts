/**
 * Who sees which capture (docs/contracts/access.md), as SQL both backends splice into their
 * statements, and as a predicate for rows that do not come from SQL (jobs). A capture is visible
 * when it is public, the viewer is admin, or its submitter is the viewer's key id. An omitted
 * viewer is LOCAL_ADMIN: the CLI is local and trusted; the API always passes one.
 *
 * Filtering is always in SQL (never a post-filter of a page), so pages stay full and counts right.
 * Statements over records use `capture_id NOT IN (captures this viewer may not see)`: the set is
 * computed once per statement (SQLite: an ephemeral index, PostgreSQL: a hashed subplan), it is
 * empty or small in the PacketTotal model (most captures public), and a NOT IN cannot drive the
 * plan, so the indexes each query was tuned for stay the ones it uses.
 */
import type { Viewer } from './store.js';

/** Adds one parameter to the caller's list and returns its placeholder (`?` or `$n`). */
export type Placeholder = (value: string) => string;

/** True when the viewer sees every capture (admin, or omitted = the local CLI). */
export function seesEverything(viewer: Viewer | undefined): boolean {
  return viewer === undefined || viewer.admin === true;
}

/** The rule itself, for rows that are not in the store yet (a queued job). */
export function canSee(viewer: Viewer | undefined, c: { visibility: string; submitter?: string | null }): boolean {
  if (seesEverything(viewer) || c.visibility === 'public') return true;
  return viewer!.keyId !== undefined && c.submitter === viewer!.keyId;
}

/**
 * A condition on a captures row (columns prefixed by `alias.` when given) true when the viewer may
 * see it; undefined when there is nothing to filter.
 */
export function visibleCaptureSql(viewer: Viewer | undefined, alias: string, param: Placeholder): string | undefined {
  if (seesEverything(viewer)) return undefined;
  const a = alias ? `${alias}.` : '';
  if (viewer!.keyId === undefined) return `${a}visibility = 'public'`;
  return `(${a}visibility = 'public' OR ${a}submitter = ${param(viewer!.keyId)})`;
}

/**
 * A condition on a row holding a capture id (`column`, e.g. `records.capture_id`) true unless that
 * capture is hidden from the viewer; undefined when there is nothing to filter.
 */
export function notHiddenSql(viewer: Viewer | undefined, column: string, param: Placeholder): string | undefined {
  if (seesEverything(viewer)) return undefined;
  // captures.id is the primary key (never NULL), so NOT IN is two-valued.
  if (viewer!.keyId === undefined) return `${column} NOT IN (SELECT id FROM captures WHERE visibility <> 'public')`;
  return `${column} NOT IN (SELECT id FROM captures WHERE visibility <> 'public' AND (submitter IS NULL OR submitter <> ${param(viewer!.keyId)}))`;
}
