/** The API's defaults, apart from the app so the CLI can show them without loading Fastify. */

/** Default largest upload (issue 8: 2 GB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
