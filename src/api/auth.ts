/**
 * Who is asking: every request gets `request.viewer` (docs/contracts/access.md) from its API key,
 * `Authorization: Bearer cdx_…` or `X-Api-Key: cdx_…`, or ANONYMOUS without one. A key that is
 * unknown, revoked or malformed is 401 BAD_API_KEY, never a silent fall back to anonymous: a
 * client whose key stopped working must hear it, not quietly lose its private captures.
 * Routes read `request.viewer` and never parse these headers themselves.
 *
 * Submitting: `submissionOf(request, visibility)` applies the upload rules (a private upload
 * needs a key, `requireKey` refuses anonymous uploads; the submitter is the key's id).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Store, type Viewer, type Visibility } from '../store/store.js';
import { KEY_SECRET_MAX_CHARS } from '../store/api-keys.js';
import { ApiError, ERROR_SCHEMA } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer;
  }
  interface FastifyInstance {
    /** The access options the server runs with (set by authPlugin). */
    access: { requireKey: boolean };
  }
}

export interface AuthOptions {
  store: Store;
  /** Refuse anonymous uploads (`capdex serve --require-key`). */
  requireKey?: boolean;
}

/** The secret a request presents, or undefined when it presents none; throws on a malformed or conflicting one. */
export function presentedSecret(headers: FastifyRequest['headers']): string | undefined {
  const auth = headers.authorization;
  const header = headers['x-api-key'];
  let fromAuth: string | undefined;
  if (auth !== undefined) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (!m) throw new ApiError('BAD_API_KEY', 'the Authorization header must be "Bearer cdx_…"');
    fromAuth = m[1];
  }
  // Node joins a repeated X-Api-Key with ', ': that is no key of ours and fails the lookup below.
  const fromHeader = Array.isArray(header) ? header.join(', ') : header;
  if (fromAuth !== undefined && fromHeader !== undefined && fromAuth !== fromHeader.trim()) {
    throw new ApiError('BAD_API_KEY', 'Authorization and X-Api-Key name different keys');
  }
  const secret = fromAuth ?? fromHeader?.trim();
  if (secret === undefined) return undefined;
  if (secret === '' || secret.length > KEY_SECRET_MAX_CHARS) throw new ApiError('BAD_API_KEY');
  return secret;
}

async function viewerOfKey(store: Store, secret: string): Promise<Viewer> {
  const key = await store.keyBySecret(secret);
  if (!key) throw new ApiError('BAD_API_KEY');
  if (key.revokedAt !== undefined) throw new ApiError('BAD_API_KEY', 'the key was revoked');
  return key.admin ? { keyId: key.id, admin: true } : { keyId: key.id };
}

/** For the OpenAPI document: both ways of sending a key, either optional (anonymous requests are fine). */
export const API_KEY_SECURITY = {
  components: {
    securitySchemes: {
      bearerKey: { type: 'http' as const, scheme: 'bearer', description: 'An API key (cdx_…) from capdex keys add' },
      headerKey: { type: 'apiKey' as const, in: 'header', name: 'X-Api-Key', description: 'The same key in a header of its own' },
    },
  },
  security: [{}, { bearerKey: [] }, { headerKey: [] }] as Record<string, string[]>[],
};

/** The 429 body: the catalog's error with the seconds to wait. */
const RATE_LIMITED_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string', enum: ['RATE_LIMITED'] }, message: { type: 'string' }, retryAfterS: { type: 'integer' } },
      required: ['code', 'message', 'retryAfterS'],
    },
  },
} as const;

const plugin: FastifyPluginAsync<AuthOptions> = async (app, opts) => {
  app.decorate('access', { requireKey: opts.requireKey === true });
  // Every /api/ route can answer 401 (a bad key) and 429 (rate limited): say so in its schema,
  // which the OpenAPI document is built from (routes declared after this plugin).
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || !route.schema) return;
    const response = (route.schema.response ??= {}) as Record<number, unknown>;
    response[401] ??= ERROR_SCHEMA;
    response[429] ??= RATE_LIMITED_SCHEMA;
  });
  app.decorateRequest('viewer', null as unknown as Viewer);
  // Callback style: an anonymous request (most of them) is done without a promise or a tick.
  app.addHook('onRequest', (req, _reply, done) => {
    req.viewer = ANONYMOUS; // set first: an error response below still has a viewer to log
    let secret: string | undefined;
    try {
      secret = presentedSecret(req.headers);
    } catch (e) {
      done(e as Error);
      return;
    }
    if (secret === undefined) { done(); return; }
    viewerOfKey(opts.store, secret).then((v) => { req.viewer = v; done(); }, (e: Error) => done(e));
  });
};
// Not encapsulated (what fastify-plugin does): the hook and decorations apply to every route of the app.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
export const authPlugin = plugin;

/** Who submits an upload and how visible it is, under the server's access rules; throws KEY_REQUIRED. */
export function submissionOf(req: FastifyRequest, visibility: Visibility = 'public'): { visibility: Visibility; submitter?: string } {
  const keyId = req.viewer.keyId;
  if (keyId === undefined) {
    if (visibility === 'private') throw new ApiError('KEY_REQUIRED', 'a private capture belongs to a key');
    if (req.server.access.requireKey) throw new ApiError('KEY_REQUIRED', 'this server takes uploads from API keys only');
    return { visibility };
  }
  return { visibility, submitter: keyId };
}
