/**
 * The HTTP API (Fastify): routes in routes/, errors from errors.ts, the OpenAPI 3 document at
 * /openapi.json built by @fastify/swagger from each route's schema. The app is built around an
 * open Service; listening is the caller's business (`capdex serve`, tests on 127.0.0.1:0).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import type { Service } from '../service.js';
import { ApiError } from './errors.js';
import { captureRoutes } from './routes/captures.js';
import { searchRoutes } from './routes/search.js';
import { downloadRoutes } from './routes/downloads.js';
import { healthRoutes } from './routes/health.js';
import { labelRoutes } from './routes/labels.js';
import { similarRoutes } from './routes/similar.js';
import { archiveRoutes } from './routes/archive.js';
import { trendRoutes } from './routes/trends.js';
import { draftRoutes } from './routes/drafts.js';
import { exportRoutes } from './routes/export.js';
import { retroHuntRoutes } from './routes/retro-hunt.js';
import { geoRoutes } from './routes/geo.js';
import { summaryRoutes } from './routes/summary.js';
import { whoisRoutes, type WhoisOptions } from './routes/whois.js';
import { fieldRoutes } from './routes/fields.js';
import { API_KEY_SECURITY, authPlugin } from './auth.js';
import { registerRateLimit, type RateLimitOptions } from './rate-limit.js';
import { metricsRoutes } from './routes/metrics.js';
import { registerWeb, wantsUi } from './web.js';
import { registerRawDocs } from './raw-docs.js';
import { registerResponseCache, ResponseCache } from './response-cache.js';

import { DEFAULT_MAX_UPLOAD_BYTES } from './limits.js';
import { startHashWorkers } from '../store/blobs/parallel-hasher.js';

export { DEFAULT_MAX_UPLOAD_BYTES };

export interface ApiOptions {
  maxUploadBytes?: number;
  /** Fastify's request log (off by default: tests and embedding stay quiet). */
  logger?: boolean;
  /** Refuse anonymous uploads (`capdex serve --require-key`); private uploads always need a key. */
  requireKey?: boolean;
  /** Per key/address limits on /api/* (rate-limit.ts has the defaults); false: none. */
  rateLimit?: Partial<RateLimitOptions> | false;
  /** Whois servers, timeout and cache (src/whois/; defaults: ARIN for addresses, IANA for names). */
  whois?: WhoisOptions;
  /** Cap on the captures' bytes in one archive zip (GET /api/archive/{label}/captures.zip). */
  archiveZipMaxBytes?: number;
  /** Bytes of read answers kept while nothing is written (response-cache.ts); 0: no cache. */
  responseCacheBytes?: number;
}

export async function buildApi(service: Service, opts: ApiOptions = {}): Promise<FastifyInstance> {
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const app = Fastify({ logger: opts.logger ?? false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Capdex API', version: '0.1.0', description: 'Upload packet captures, follow their analysis, read their logs, search and pivot across captures.' },
      ...API_KEY_SECURITY,
    },
  });
  // Uploads hash on worker threads: booted now, not while the first upload waits.
  startHashWorkers();
  // The blob store enforces the size limit while streaming; multipart's own limit sits just above it.
  await app.register(multipart, { limits: { fileSize: maxUploadBytes + 1, files: 1 } });
  // Raw-body uploads of any other type reach the route as the unparsed stream.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, _req, reply) => {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err.validation) e = new ApiError('BAD_REQUEST', err.message);
    else if (err.code === 'FST_REQ_FILE_TOO_LARGE') e = new ApiError('UPLOAD_TOO_LARGE', `limit ${maxUploadBytes} bytes`);
    else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) e = new ApiError('BAD_REQUEST', err.message);
    else { app.log.error(err); e = new ApiError('INTERNAL'); }
    void reply.status(e.status).send(e.body());
  });
  app.setNotFoundHandler((req, reply) => {
    // A browser opening a deep link (/captures/…) gets the UI, which routes it; anything else a 404.
    if (wantsUi(req)) return reply.sendFile('index.html');
    const e = new ApiError('NOT_FOUND');
    return reply.status(e.status).send(e.body());
  });

  await app.register(metricsRoutes(service));
  // request.viewer first (the limiter counts per key), then the limiter, then the routes it hooks.
  await app.register(authPlugin, { store: service.store, requireKey: opts.requireKey });
  if (opts.rateLimit !== false) await registerRateLimit(app, opts.rateLimit);
  registerRawDocs(app);
  if (service.changes && opts.responseCacheBytes !== 0) registerResponseCache(app, service.changes, new ResponseCache(opts.responseCacheBytes));
  await app.register(healthRoutes(service));
  await app.register(captureRoutes(service, maxUploadBytes));
  await app.register(searchRoutes(service));
  await app.register(fieldRoutes());
  await app.register(whoisRoutes(opts.whois));
  await app.register(geoRoutes(service));
  await app.register(summaryRoutes(service));
  for (const intel of [labelRoutes, similarRoutes, trendRoutes, draftRoutes, exportRoutes, retroHuntRoutes]) await app.register(intel(service)); // issue 10
  await app.register(archiveRoutes(service, { zipMaxBytes: opts.archiveZipMaxBytes }));
  await app.register(downloadRoutes(service));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerWeb(app);
  return app;
}
