/**
 * Labels, votes, comments and label suggestions on a capture (issue 10). Reads follow the viewer
 * rules (a capture the viewer may not see is 404 CAPTURE_NOT_FOUND); writes need an API key
 * (KEY_REQUIRED) and record its id. Text is stored as written and only ever rendered as text.
 *
 * Also the helpers the other intel routes share: `viewerOf`, `visibleCapture`, and for routes on
 * a label (`/api/labels/{label}/...`, `/api/archive/{label}`) `LABEL_ROUTE` and `labelRefOf`.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Service } from '../../service.js';
import { ANONYMOUS, type CaptureRow, type Viewer } from '../../store/store.js';
import { checkLabel, cleanComment, COMMENT_MAX_CHARS, LABEL_KINDS, LABEL_VALUE_MAX_CHARS, type LabelKind, normaliseLabelValue } from '../../store/intel/labels.js';
import { LabelLimitError, type LabelRef } from '../../store/intel/intel-store.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';

export const ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{8,64}$', description: 'sha256 (or md5, sha1, or a sha256 prefix of 8+ hex digits)' } },
  required: ['id'],
} as const;

/** Path and query of a route on one label: `{label}` its value (any case), `?kind=` narrows to one kind. */
export const LABEL_ROUTE = {
  params: { type: 'object', properties: { label: { type: 'string', minLength: 1, maxLength: 256 } }, required: ['label'] },
  kind: { type: 'string', enum: [...LABEL_KINDS], description: 'Only this kind of label (family, campaign, ...); default: any kind with that value' },
} as const;

export function labelRefOf(value: string, kind: string | undefined): LabelRef {
  const ref: LabelRef = { value: normaliseLabelValue(value) };
  if (kind !== undefined) ref.kind = kind as LabelKind;
  return ref;
}

/** The request's viewer (src/api/auth.ts sets it on every request; anonymous if it did not). */
export function viewerOf(req: FastifyRequest): Viewer {
  return (req as unknown as { viewer?: Viewer }).viewer ?? ANONYMOUS;
}

/** The capture as this viewer may see it, or 404 CAPTURE_NOT_FOUND. */
export async function visibleCapture(service: Service, req: FastifyRequest, id: string): Promise<CaptureRow> {
  const c = await service.store.capture(id.toLowerCase(), viewerOf(req));
  if (!c) throw new ApiError('CAPTURE_NOT_FOUND', id);
  return c;
}

function keyOf(req: FastifyRequest, what: string): string {
  const keyId = viewerOf(req).keyId;
  if (keyId === undefined) throw new ApiError('KEY_REQUIRED', what);
  return keyId;
}

const ERRORS = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 403: ERROR_SCHEMA, 404: ERROR_SCHEMA };

export const labelRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  const intel = service.store.intel;

  app.get<{ Params: { id: string } }>('/api/captures/:id/labels', {
    schema: { summary: 'A capture\'s labels (kind, value, who, when) and its vote counts', tags: ['intel'], params: ID_PARAMS, response: ERRORS },
  }, async (req) => {
    const c = await visibleCapture(service, req, req.params.id);
    return { labels: await intel.labels(c.id), votes: await intel.votes(c.id, viewerOf(req).keyId) };
  });

  app.post<{ Params: { id: string }; Body: { kind: string; value: string } }>('/api/captures/:id/labels', {
    schema: {
      summary: 'Label a capture (needs an API key); adding an existing label returns it (200) instead of 201', tags: ['intel'], params: ID_PARAMS,
      body: {
        type: 'object', required: ['kind', 'value'], additionalProperties: false,
        properties: { kind: { type: 'string', enum: [...LABEL_KINDS] }, value: { type: 'string', minLength: 1, maxLength: LABEL_VALUE_MAX_CHARS * 4 } },
      },
      response: ERRORS,
    },
  }, async (req, reply) => {
    const keyId = keyOf(req, 'labels record the key that added them');
    const c = await visibleCapture(service, req, req.params.id);
    const checked = checkLabel(req.body.kind, req.body.value);
    if (!checked.ok) throw new ApiError('BAD_REQUEST', checked.reason);
    try {
      const r = await intel.addLabel(c.id, checked.kind, checked.value, keyId);
      return reply.status(r.created ? 201 : 200).send({ label: r.label });
    } catch (e) {
      if (e instanceof LabelLimitError) throw new ApiError('BAD_REQUEST', e.message);
      throw e;
    }
  });

  app.delete<{ Params: { id: string; labelId: string } }>('/api/captures/:id/labels/:labelId', {
    schema: {
      summary: 'Remove a label (the key that added it, the capture\'s submitter, or an admin key)', tags: ['intel'],
      params: { type: 'object', properties: { ...ID_PARAMS.properties, labelId: { type: 'string', maxLength: 64 } }, required: ['id', 'labelId'] },
      response: ERRORS,
    },
  }, async (req) => {
    const keyId = keyOf(req, 'removing a label');
    const viewer = viewerOf(req);
    const c = await visibleCapture(service, req, req.params.id);
    const label = (await intel.labels(c.id)).find((l) => l.id === req.params.labelId);
    if (!label) throw new ApiError('LABEL_NOT_FOUND', req.params.labelId);
    if (!viewer.admin && label.keyId !== keyId && c.submitter !== keyId) throw new ApiError('LABEL_NOT_YOURS');
    await intel.removeLabel(c.id, { id: label.id });
    return { deleted: label };
  });

  app.get<{ Params: { id: string } }>('/api/captures/:id/votes', {
    schema: { summary: 'Agree/disagree counts on a capture\'s labelling (and the asking key\'s own vote)', tags: ['intel'], params: ID_PARAMS, response: ERRORS },
  }, async (req) => {
    const c = await visibleCapture(service, req, req.params.id);
    return intel.votes(c.id, viewerOf(req).keyId);
  });

  app.post<{ Params: { id: string }; Body: { vote: 'agree' | 'disagree' | 'none' } }>('/api/captures/:id/votes', {
    schema: {
      summary: 'Vote on a capture\'s labelling: one vote per key (a new one replaces it; "none" withdraws it)', tags: ['intel'], params: ID_PARAMS,
      body: { type: 'object', required: ['vote'], additionalProperties: false, properties: { vote: { type: 'string', enum: ['agree', 'disagree', 'none'] } } },
      response: ERRORS,
    },
  }, async (req) => {
    const keyId = keyOf(req, 'one vote per key');
    const c = await visibleCapture(service, req, req.params.id);
    return intel.vote(c.id, keyId, req.body.vote === 'none' ? null : req.body.vote);
  });

  app.get<{ Params: { id: string } }>('/api/captures/:id/comments', {
    schema: { summary: 'Comments on a capture, oldest first (plain text)', tags: ['intel'], params: ID_PARAMS, response: ERRORS },
  }, async (req) => {
    const c = await visibleCapture(service, req, req.params.id);
    return { comments: await intel.comments(c.id) };
  });

  app.post<{ Params: { id: string }; Body: { text: string } }>('/api/captures/:id/comments', {
    schema: {
      summary: 'Comment on a capture (needs an API key; plain text, control characters removed)', tags: ['intel'], params: ID_PARAMS,
      body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: COMMENT_MAX_CHARS * 2 } } },
      response: ERRORS,
    },
  }, async (req, reply) => {
    const keyId = keyOf(req, 'comments record the key that wrote them');
    const c = await visibleCapture(service, req, req.params.id);
    const text = cleanComment(req.body.text);
    if (text === undefined) throw new ApiError('BAD_REQUEST', `a comment is 1 to ${COMMENT_MAX_CHARS} characters of text`);
    return reply.status(201).send({ comment: await intel.addComment(c.id, keyId, text) });
  });

  app.get<{ Params: { id: string } }>('/api/captures/:id/suggestions', {
    schema: {
      summary: '"Likely <label>": labels of other captures sharing strong observables (file hashes, certificates, JA3+SNI, contacted domains), with the evidence',
      tags: ['intel'], params: ID_PARAMS, response: ERRORS,
    },
  }, async (req) => {
    const c = await visibleCapture(service, req, req.params.id);
    if (!(await intel.hasSignature(c.id))) await intel.refresh(c.id);
    return { suggestions: await intel.suggestions(c.id, viewerOf(req)) };
  });
};
