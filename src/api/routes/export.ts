/**
 * Indicators and labels for other tools: GET /api/captures/{id}/export?format=stix|misp|csv (one
 * capture) and GET /api/labels/{label}/export (a label's characteristic observables: those of
 * its captures no more common outside the label than in it).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { EXPORT_INDICATORS_MAX, EXPORT_KINDS, iocCsv, labelIocCsv, labelSubject, mispEvent, mispEventOf, stixBundle, stixBundleOf } from '../../store/intel/export.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { ID_PARAMS, LABEL_ROUTE, labelRefOf, viewerOf, visibleCapture } from './labels.js';

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

  app.get<{ Params: { label: string }; Querystring: { kind?: string; format: 'stix' | 'misp' | 'csv' } }>('/api/labels/:label/export', {
    schema: {
      summary: 'A label\'s characteristic observables (of its visible captures, no more common outside the label than in it) as a STIX 2.1 bundle, '
        + 'a MISP event or a CSV list with hits; without ?kind=, every kind holding that value (a family and a campaign named alike)', tags: ['intel'],
      params: LABEL_ROUTE.params,
      querystring: { type: 'object', properties: { kind: LABEL_ROUTE.kind, format: { type: 'string', enum: ['stix', 'misp', 'csv'], default: 'stix' } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const ref = labelRefOf(req.params.label, req.query.kind);
    // Only exportable kinds compete for the candidate slots (not services, ports, alerts).
    const obs = await service.store.intel.labelObservables(ref, viewerOf(req), { kinds: EXPORT_KINDS });
    if (!obs) throw new ApiError('LABEL_NOT_FOUND', req.params.label);
    // Without a kind, the kinds that actually hold the value (a family, a campaign, ...) name it.
    const kinds = ref.kind ? [ref.kind] : await service.store.intel.labelKinds(ref.value, viewerOf(req));
    const labels = kinds.map((kind) => ({ kind, value: ref.value }));
    const subject = labelSubject(labels[0], obs.captures);
    const features = obs.observables.slice(0, EXPORT_INDICATORS_MAX);
    const name = `capdex-label-${ref.value.replace(/[^a-z0-9_.-]/g, '_').slice(0, 64)}`;
    switch (req.query.format) {
      case 'csv':
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(labelIocCsv(labels[0], features));
      case 'misp':
        return reply.header('content-disposition', `attachment; filename="${name}.misp.json"`).send(mispEventOf(subject, labels, features));
      default:
        return reply.header('content-disposition', `attachment; filename="${name}.stix.json"`).send(stixBundleOf(subject, labels, features));
    }
  });
};
