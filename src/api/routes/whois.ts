/**
 * GET /api/whois/{value}: registration data of an IP address or domain name, fetched server-side
 * (src/whois/: RFC 3912, referrals, cache, timeout) so the browser never talks to port 43 and the
 * answer reaches it as size-capped plain text in JSON. The value is not capture-scoped: anyone
 * who can reach the API can ask, and the rate limit of /api/* applies.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Whois, WhoisError, WhoisQueryError, type WhoisOptions } from '../../whois/index.js';
import { WHOIS_QUERY_MAX_CHARS } from '../../whois/limits.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';

export type { WhoisOptions };

export const whoisRoutes = (opts: WhoisOptions = {}): FastifyPluginAsync => async (app) => {
  const whois = new Whois(opts);
  app.get<{ Params: { value: string } }>('/api/whois/:value', {
    schema: {
      summary: 'Whois of an IP address or a domain name (cached; referrals followed)', tags: ['search'],
      params: { type: 'object', properties: { value: { type: 'string', minLength: 1, maxLength: WHOIS_QUERY_MAX_CHARS } }, required: ['value'] },
      response: {
        200: {
          type: 'object',
          properties: {
            query: { type: 'string' }, kind: { type: 'string', enum: ['ip', 'domain'] },
            servers: { type: 'array', items: { type: 'string' } }, text: { type: 'string' },
            truncated: { type: 'boolean' }, referralFailed: { type: 'string' },
            fetchedAt: { type: 'string' }, cached: { type: 'boolean' },
          },
          required: ['query', 'kind', 'servers', 'text', 'truncated', 'fetchedAt', 'cached'],
        },
        400: ERROR_SCHEMA, 502: ERROR_SCHEMA,
      },
    },
  }, async (req) => {
    try {
      return await whois.lookup(req.params.value);
    } catch (e) {
      if (e instanceof WhoisQueryError) throw new ApiError('BAD_WHOIS_QUERY', e.message);
      if (e instanceof WhoisError) throw new ApiError('WHOIS_UNAVAILABLE', e.message);
      throw e;
    }
  });
};
