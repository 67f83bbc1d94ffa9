/**
 * The web UI: the files Vite built into dist/web/, served at `/`, and index.html for every other
 * GET that asks for HTML (the UI's client-side routes: /captures/…, /search?q=…), so deep links
 * work on reload. API paths keep their own 404s. Without a build (a source checkout that has not
 * run `npm run build`), `/` says how to make one instead of a bare 404.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * The repo's dist/web/: two levels up from dist/api/ (compiled) and from src/api/ (tsx) alike.
 * CAPDEX_WEB_ROOT points at another build (a developer's own `vite build --outDir`).
 */
const BUILT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));
const root = (): string => {
  const env = process.env.CAPDEX_WEB_ROOT;
  return env ? (env.endsWith('/') ? env : env + '/') : BUILT_WEB_ROOT;
};

const SERVER_PATHS = /^\/(api|openapi\.json|docs|metrics|healthz|readyz)(\/|$|\?)/;

/** The security headers every UI response carries: no inline scripts, no framing, no sniffing. */
const UI_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

export function webRoot(): string | undefined {
  const dir = root();
  return existsSync(dir + 'index.html') ? dir : undefined;
}

export async function registerWeb(app: FastifyInstance): Promise<void> {
  const dir = webRoot();
  if (!dir) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/plain').send('The web UI is not built: run `npm run build`. The API is at /api (see /openapi.json).\n'));
    return;
  }
  await app.register(fastifyStatic, {
    root: dir, prefix: '/', wildcard: false, index: ['index.html'], schemaHide: true,
  });
  // Callback style: an async hook would cost every response (API ones too) a promise and a tick.
  app.addHook('onSend', (req: FastifyRequest, reply: FastifyReply, payload, done) => {
    if (!SERVER_PATHS.test(req.url)) for (const [k, v] of Object.entries(UI_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    done(null, payload);
  });
}

/** For the not-found handler: a browser navigation to a client-side route gets the UI. */
export function wantsUi(req: FastifyRequest): boolean {
  return req.method === 'GET' && !SERVER_PATHS.test(req.url) && (req.headers.accept ?? '').includes('text/html') && webRoot() !== undefined;
}
