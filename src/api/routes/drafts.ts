/**
 * Suricata rule drafts with their hits across the archive: GET /api/captures/{id}/drafts (a
 * capture's distinguishing observables) and GET /api/labels/{label}/drafts (what most of a
 * label's captures share and few others hold).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import type { FastifyReply } from 'fastify';
import type { DraftSet } from '../../store/intel/drafts.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { ID_PARAMS, LABEL_ROUTE, labelRefOf, viewerOf, visibleCapture } from './labels.js';

/** The drafts as a rules file, each rule under a comment with its hits. */
function sendRulesFile(reply: FastifyReply, drafts: DraftSet, name: string): FastifyReply {
  const text = drafts.rules.map((r) => {
    const h = r.hits;
    const own = h?.inLabel === undefined ? '' : `${h.inLabel} with the label, `;
    return `# hits: ${h?.captures ?? 0} captures, ${own}${h?.labelled ?? 0} labelled, ${h?.unlabelled ?? 0} unlabelled, ${h?.benign ?? 0} benign\n${r.rule}\n`;
  }).join('');
  return reply.type('text/plain; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(text);
}

export const draftRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { id: string }; Querystring: { format: 'json' | 'rules' } }>('/api/captures/:id/drafts', {
    schema: {
      summary: 'Suricata rule drafts (DNS, HTTP host/URI/user agent, TLS SNI, JA3, JA4, file SHA-256 list), each with how many labelled/unlabelled/benign/all captures it would hit; format=rules gives the rules file',
      tags: ['intel'], params: ID_PARAMS,
      querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'rules'], default: 'json' } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const c = await visibleCapture(service, req, req.params.id);
    if (!(await service.store.intel.hasSignature(c.id))) await service.store.intel.refresh(c.id);
    const drafts = await service.store.intel.drafts(c.id, viewerOf(req));
    if (req.query.format === 'rules') return sendRulesFile(reply, drafts, `capdex-draft-${c.id.slice(0, 12)}.rules`);
    return drafts;
  });

  app.get<{ Params: { label: string }; Querystring: { kind?: string; format: 'json' | 'rules' } }>('/api/labels/:label/drafts', {
    schema: {
      summary: 'Suricata rule drafts for what a label\'s captures have in common (observables in at least half of them, no more common outside the label than in it); '
        + 'hits per rule: the label\'s own captures (inLabel) against all, labelled, unlabelled and benign ones — the false-positive risk',
      tags: ['intel'], params: LABEL_ROUTE.params,
      querystring: { type: 'object', properties: { kind: LABEL_ROUTE.kind, format: { type: 'string', enum: ['json', 'rules'], default: 'json' } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const label = labelRefOf(req.params.label, req.query.kind);
    const drafts = await service.store.intel.labelDrafts(label, viewerOf(req));
    if (!drafts) throw new ApiError('LABEL_NOT_FOUND', req.params.label);
    if (req.query.format === 'rules') return sendRulesFile(reply, drafts, `capdex-draft-label-${label.value.replace(/[^a-z0-9_.-]/g, '_').slice(0, 64)}.rules`);
    return drafts;
  });
};
