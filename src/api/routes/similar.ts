/** GET /api/similar/{id}: the visible captures most like this one (MinHash over observables and flow features), with the shared observables. */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { ERROR_SCHEMA } from '../errors.js';
import { ID_PARAMS, viewerOf, visibleCapture } from './labels.js';

/** Hits per request. */
export const SIMILAR_MAX_LIMIT = 200;

export const similarRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { id: string }; Querystring: { limit: number } }>('/api/similar/:id', {
    schema: {
      summary: 'Captures similar to this one, best first: [{ capture, score (estimated Jaccard 0..1), shared: [{ kind, value }] }]',
      tags: ['intel'], params: ID_PARAMS,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: SIMILAR_MAX_LIMIT, default: 20 } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req) => {
    const c = await visibleCapture(service, req, req.params.id);
    let hits = await service.store.intel.similar(c.id, viewerOf(req), req.query.limit);
    if (hits === undefined) {
      // Imported before signatures existed (or by a tool that skipped the step): compute it now.
      await service.store.intel.refresh(c.id);
      hits = await service.store.intel.similar(c.id, viewerOf(req), req.query.limit);
    }
    return hits ?? [];
  });
};
