/**
 * Retro-hunts: POST /api/retro-hunts runs a Suricata ruleset (or, with `kind: 'yara'`, YARA rules
 * over the files kept from them) over every stored capture the key may see (a background worker thread); GET /api/retro-hunts/{id} gives its progress and matches by
 * capture; GET /api/retro-hunts lists the key's hunts. Needs an API key (it reads the archive).
 * Hunts are kept in the store: they survive a restart (one running then reads as interrupted).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { HuntsBusyError, RetroHunts, RuleSetError, type HuntKind } from '../../jobs/retro-hunt.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { viewerOf } from './labels.js';

/** Characters of a hunt's ruleset and of its list files together. */
export const HUNT_RULES_MAX_CHARS = 1_000_000;

export const retroHuntRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  const hunts = new RetroHunts(service.store, service.blobs);
  app.addHook('onClose', async () => { await hunts.close(); });

  app.post<{ Body: { kind?: HuntKind; rules: string; lists?: Record<string, string> } }>('/api/retro-hunts', {
    schema: {
      summary: 'Run a Suricata ruleset, or YARA rules over the extracted files, over every stored capture this key may see (background; poll GET /api/retro-hunts/{id})', tags: ['intel'],
      body: {
        type: 'object', required: ['rules'], additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: ['suricata', 'yara'], default: 'suricata', description: 'suricata: rules over the packets; yara: rules over the files kept from each capture (files.log records whose content the blob store holds)' },
          rules: { type: 'string', minLength: 1, maxLength: HUNT_RULES_MAX_CHARS },
          lists: { type: 'object', description: 'list files the rules name (filesha256, dataset), by name', additionalProperties: { type: 'string', maxLength: HUNT_RULES_MAX_CHARS } },
        },
      },
      response: { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 409: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const viewer = viewerOf(req);
    if (viewer.keyId === undefined) throw new ApiError('KEY_REQUIRED', 'a retro-hunt reads the whole archive');
    try {
      return reply.status(202).send(await hunts.start(req.body.rules, req.body.lists ?? {}, viewer, req.body.kind));
    } catch (e) {
      if (e instanceof RuleSetError) throw new ApiError('BAD_RULES', e.message);
      if (e instanceof HuntsBusyError) throw new ApiError('HUNTS_BUSY', e.message);
      throw e;
    }
  });

  app.get('/api/retro-hunts', {
    schema: { summary: 'This key\'s retro-hunts, newest first', tags: ['intel'] },
  }, async (req) => ({ hunts: await hunts.list(viewerOf(req)) }));

  app.get<{ Params: { id: string } }>('/api/retro-hunts/:id', {
    schema: {
      summary: 'A retro-hunt: status, progress (done of total), matches by capture with alert counts per signature (YARA: per rule, and the matched files by SHA-256 with names, uids, rules and tags)', tags: ['intel'],
      params: { type: 'object', properties: { id: { type: 'string', pattern: '^hunt_[0-9a-f]{16}$' } }, required: ['id'] },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req) => {
    const h = await hunts.get(req.params.id, viewerOf(req));
    if (!h) throw new ApiError('HUNT_NOT_FOUND', req.params.id);
    return h;
  });
};
