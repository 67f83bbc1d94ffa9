/** The Malware Archive: GET /api/archive (families, categories, campaigns, actors) and GET /api/archive/{label} (one label's captures). */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { LABEL_KINDS, normaliseLabelValue } from '../../store/intel/labels.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { viewerOf } from './labels.js';

export const archiveRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get('/api/archive', {
    schema: {
      summary: 'Families, categories, campaigns and actors with capture counts, first/last seen and top domains, JA3/JA4, user agents, URI patterns, alerts',
      tags: ['intel'],
    },
  }, async (req) => ({ entries: await service.store.intel.archive(viewerOf(req)) }));

  app.get<{ Params: { label: string }; Querystring: { kind?: string } }>('/api/archive/:label', {
    schema: {
      summary: 'One label: its entry per kind and its captures (newest first, with their labels)', tags: ['intel'],
      params: { type: 'object', properties: { label: { type: 'string', minLength: 1, maxLength: 256 } }, required: ['label'] },
      querystring: { type: 'object', properties: { kind: { type: 'string', enum: [...LABEL_KINDS] } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req) => {
    const page = await service.store.intel.archiveLabel(normaliseLabelValue(req.params.label), viewerOf(req), req.query.kind);
    if (!page) throw new ApiError('LABEL_NOT_FOUND', req.params.label);
    return page;
  });
};
