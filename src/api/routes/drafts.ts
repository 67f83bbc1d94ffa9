/** GET /api/captures/{id}/drafts: Suricata rule drafts for the capture's distinguishing observables, with their hits across the archive. */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { ERROR_SCHEMA } from '../errors.js';
import { ID_PARAMS, viewerOf, visibleCapture } from './labels.js';

export const draftRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { id: string }; Querystring: { format: 'json' | 'rules' } }>('/api/captures/:id/drafts', {
    schema: {
      summary: 'Suricata rule drafts (DNS, HTTP host/URI/user agent, TLS SNI, JA3, file SHA-256 list), each with how many labelled/benign/all captures it would hit; format=rules gives the rules file',
      tags: ['intel'], params: ID_PARAMS,
      querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'rules'], default: 'json' } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const c = await visibleCapture(service, req, req.params.id);
    if (!(await service.store.intel.hasSignature(c.id))) await service.store.intel.refresh(c.id);
    const drafts = await service.store.intel.drafts(c.id, viewerOf(req));
    if (req.query.format === 'rules') {
      const text = drafts.rules.map((r) => `# hits: ${r.hits?.captures ?? 0} captures, ${r.hits?.labelled ?? 0} labelled, ${r.hits?.benign ?? 0} benign\n${r.rule}\n`).join('');
      return reply.type('text/plain; charset=utf-8').header('content-disposition', `attachment; filename="capdex-draft-${c.id.slice(0, 12)}.rules"`).send(text);
    }
    return drafts;
  });
};
