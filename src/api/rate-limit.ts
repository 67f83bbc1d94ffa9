/**
 * Rate limits (@fastify/rate-limit), per API key, or per client address for anonymous requests,
 * on /api/* only (the web UI's files, health and metrics are not limited). Uploads count in their
 * own, smaller bucket: one upload costs a worker minutes where a read costs milliseconds.
 * Exceeding a limit is 429 RATE_LIMITED with Retry-After (seconds) and `retryAfterS` in the body.
 * The counters live in the process (an LRU of keys): with several API processes each limits on
 * its own, which bounds the total at N × max.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from './errors.js';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './limits.js';

export { DEFAULT_RATE_LIMIT, type RateLimitOptions };

/** Distinct keys/addresses whose counters are kept (least recently seen dropped first). */
const RATE_LIMIT_TRACKED_CLIENTS = 10_000;

const isUpload = (req: FastifyRequest): boolean => req.method === 'POST' && req.routeOptions.url === '/api/captures';

/** Registers the limiter; call before the routes it limits (it hooks each route as it is added). */
export async function registerRateLimit(app: FastifyInstance, opts: Partial<RateLimitOptions> = {}): Promise<void> {
  const o = { ...DEFAULT_RATE_LIMIT, ...opts };
  await app.register(rateLimit, {
    global: true,
    timeWindow: o.windowMs,
    cache: RATE_LIMIT_TRACKED_CLIENTS,
    max: (req) => (isUpload(req) ? o.uploadMax : o.max),
    // request.viewer is set by authPlugin's onRequest hook, which runs before route-level hooks.
    keyGenerator: (req) => `${isUpload(req) ? 'upload' : 'read'}:${req.viewer?.keyId ?? `ip:${req.ip}`}`,
    allowList: (req) => !req.url.startsWith('/api/'),
    errorResponseBuilder: (_req, ctx) => {
      const retryAfterS = Math.max(1, Math.ceil(ctx.ttl / 1000));
      return new ApiError('RATE_LIMITED', `at most ${ctx.max} requests per ${Math.round(o.windowMs / 1000)} s; retry in ${retryAfterS} s`, { retryAfterS });
    },
  });
}
