/** GET /api/search?q= (the store's query language) and GET /api/pivot/{type}/{value}. */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { OBSERVABLE_TYPES, type ObservableType } from '../../store/store.js';
import { PAGE_MAX_ROWS } from '../../store/limits.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';

export const PAGE_QUERY = {
  limit: { type: 'integer', minimum: 1, maximum: PAGE_MAX_ROWS, default: 100 },
  offset: { type: 'integer', minimum: 0, default: 0 },
} as const;

export const searchRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Querystring: { q: string; limit: number; offset: number } }>('/api/search', {
    config: { cache: 'store' },
    schema: {
      summary: 'Search records across captures', tags: ['search'],
      querystring: { type: 'object', properties: { q: { type: 'string', minLength: 1, maxLength: 4096 }, ...PAGE_QUERY }, required: ['q'] },
      response: { 400: ERROR_SCHEMA },
    },
  }, async (req) => {
    const r = await service.store.search(req.query.q, { limit: req.query.limit, offset: req.query.offset, viewer: req.viewer });
    if (r.error) throw new ApiError('BAD_QUERY', r.error.message, { position: r.error.position, expected: r.error.expected });
    return r.aggregation ? { aggregation: r.aggregation } : { rows: r.rows ?? [] };
  });

  app.get<{ Params: { type: string; value: string }; Querystring: { limit: number; offset: number } }>('/api/pivot/:type/:value', {
    config: { cache: 'store' },
    schema: {
      summary: 'Every record holding an observable (ip, domain, ja3, sha256, ...)', tags: ['search'],
      params: { type: 'object', properties: { type: { type: 'string', description: `One of: ${OBSERVABLE_TYPES.join(', ')}` }, value: { type: 'string', minLength: 1, maxLength: 4096 } }, required: ['type', 'value'] },
      querystring: { type: 'object', properties: PAGE_QUERY },
      response: { 400: ERROR_SCHEMA },
    },
  }, async (req) => {
    if (!(OBSERVABLE_TYPES as readonly string[]).includes(req.params.type)) throw new ApiError('BAD_OBSERVABLE_TYPE', `one of ${OBSERVABLE_TYPES.join(', ')}`);
    const hits = await service.store.pivot(req.params.type as ObservableType, req.params.value, { limit: req.query.limit, offset: req.query.offset, viewer: req.viewer });
    return { hits };
  });
};
