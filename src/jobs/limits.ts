/** Named limits of the analysis jobs (the engine's are in src/engine/support/limits.ts). */

/**
 * Records per log a running job shows as partial results. Enough for a first page of every log
 * while a big capture is analysed; the rest arrives with the final import. Bounded so a job's
 * preview stays a few MB whatever the capture holds.
 */
export const PREVIEW_RECORDS_PER_LOG = 500;
/** Distinct logs a preview keeps (the engine writes a few dozen kinds; more would be a bug, never growth). */
export const PREVIEW_MAX_LOGS = 128;
/** A record whose document is longer than this is left out of the preview (it is in the final results). */
export const PREVIEW_DOC_MAX_CHARS = 64 * 1024;
/** Least time between two preview posts from a worker: each post is one insert on the queue's database. */
export const PREVIEW_INTERVAL_MS = 250;
