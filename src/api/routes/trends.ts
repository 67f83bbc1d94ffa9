/** GET /api/trends?interval=week|month[&label=]: per period, top alert signatures, top labels, sectors targeted, new observables. */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { normaliseLabelValue } from '../../store/intel/labels.js';
import type { TrendInterval } from '../../store/intel/intel-store.js';
import { ERROR_SCHEMA } from '../errors.js';
import { viewerOf } from './labels.js';

export const trendRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Querystring: { interval: TrendInterval; label?: string } }>('/api/trends', {
    schema: {
      summary: 'Per week or month of capture time: captures, top labels (families, campaigns, ...), sectors targeted, top alert signatures, new observables; `label` narrows to one family and adds its top observables per period (topObservables: how its infrastructure and tooling change)',
      tags: ['intel'],
      querystring: {
        type: 'object',
        properties: { interval: { type: 'string', enum: ['week', 'month'], default: 'month' }, label: { type: 'string', minLength: 1, maxLength: 256 } },
      },
      response: { 400: ERROR_SCHEMA },
    },
  }, async (req) => {
    const label = req.query.label === undefined ? undefined : normaliseLabelValue(req.query.label);
    return { interval: req.query.interval, periods: await service.store.intel.trends(req.query.interval, viewerOf(req), label) };
  });
};
