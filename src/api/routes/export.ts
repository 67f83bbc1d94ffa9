/** GET /api/captures/{id}/export?format=stix|misp|csv: the capture's indicators and labels for other tools. */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { iocCsv, mispEvent, stixBundle } from '../../store/intel/export.js';
import { ERROR_SCHEMA } from '../errors.js';
import { ID_PARAMS, visibleCapture } from './labels.js';

export const exportRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { id: string }; Querystring: { format: 'stix' | 'misp' | 'csv' } }>('/api/captures/:id/export', {
    schema: {
      summary: 'Indicators and labels of a capture as a STIX 2.1 bundle, a MISP event (JSON) or a CSV IOC list', tags: ['intel'], params: ID_PARAMS,
      querystring: { type: 'object', properties: { format: { type: 'string', enum: ['stix', 'misp', 'csv'], default: 'stix' } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const c = await visibleCapture(service, req, req.params.id);
    const intel = service.store.intel;
    if (!(await intel.hasSignature(c.id))) await intel.refresh(c.id);
    const [labels, features] = [await intel.labels(c.id), await intel.features(c.id)];
    const name = `capdex-${c.id.slice(0, 12)}`;
    switch (req.query.format) {
      case 'csv':
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(iocCsv(c, labels, features));
      case 'misp':
        return reply.header('content-disposition', `attachment; filename="${name}.misp.json"`).send(mispEvent(c, labels, features));
      default:
        return reply.header('content-disposition', `attachment; filename="${name}.stix.json"`).send(stixBundle(c, labels, features));
    }
  });
};
