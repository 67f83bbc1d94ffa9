/** /healthz (the process answers) and /readyz (the store answers a query). */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { ApiError } from '../errors.js';

export const healthRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  const ok = { description: 'OK', type: 'object', properties: { status: { type: 'string' } } };
  app.get('/healthz', { schema: { summary: 'The process is up', tags: ['health'], response: { 200: ok } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { summary: 'The store answers', tags: ['health'], response: { 200: ok } } }, async () => {
    try {
      await service.store.captures({ limit: 1 });
    } catch (e) {
      throw new ApiError('NOT_READY', (e as Error).message);
    }
    return { status: 'ready' };
  });
};
