/** The API's defaults, apart from the app so the CLI can show them without loading Fastify. */

/** Default largest upload (issue 8: 2 GB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** Rate limits of /api/* (rate-limit.ts), per API key, or per client address without one. */
export interface RateLimitOptions {
  /** Requests per window per key (or address) on every /api/ route but uploads. */
  max: number;
  /** Uploads (POST /api/captures) per window per key (or address). */
  uploadMax: number;
  windowMs: number;
}

/**
 * 20 reads a second sustained per client: the web UI polls job progress and pages through logs,
 * and a script of one analyst should not meet the limit; a scraper or a flood does. Uploads: one a
 * second (each is a job that occupies a worker).
 */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 1200, uploadMax: 60, windowMs: 60_000 };
