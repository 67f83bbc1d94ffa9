/**
 * Operations: /healthz (the process answers), /readyz (the store and the job queue answer a
 * query: a load balancer sends traffic only then), and /docs, the OpenAPI document in Swagger UI
 * (its assets come from the @fastify/swagger-ui package, served by this server: no CDN).
 * /metrics is metrics.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';
import type { Service } from '../../service.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';

export const healthRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  const ok = { description: 'OK', type: 'object', properties: { status: { type: 'string' } } };
  app.get('/healthz', { schema: { summary: 'The process is up', tags: ['health'], response: { 200: ok } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: { summary: 'The store and the job queue answer (503 NOT_READY with the reason otherwise)', tags: ['health'], response: { 200: ok, 503: ERROR_SCHEMA } },
  }, async () => {
    const check = async (what: string, probe: () => Promise<unknown>): Promise<void> => {
      try {
        await probe();
      } catch (e) {
        throw new ApiError('NOT_READY', `${what}: ${(e as Error).message}`);
      }
    };
    await check('store', () => service.store.captures({ limit: 1 }));
    await check('job queue', () => service.jobs.ping());
    return { status: 'ready' };
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
};
