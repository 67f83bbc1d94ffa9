/**
 * GET /api/geo/{ip} and POST /api/geo (a batch): where an address is, from the offline DB-IP Lite
 * city database and the ASN table (src/geo/). Nothing leaves the server. Private and other
 * special-purpose addresses answer `{ ip, private: true }`. Answers carry no capture data, so they
 * need no viewer check; the rate limiter counts them like any read.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { GEO_ATTRIBUTION, isIpText, lookupGeo } from '../../geo/geoip.js';

/** Addresses per POST /api/geo (the console's map asks for a capture's endpoints in batches). */
export const GEO_BATCH_MAX = 1000;

const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    ip: { type: 'string' },
    private: { type: 'boolean', description: 'private or special-purpose: no location' },
    country: { type: 'string', nullable: true, description: 'ISO 3166-1 alpha-2' },
    region: { type: 'string', nullable: true },
    city: { type: 'string', nullable: true },
    lat: { type: 'number', nullable: true },
    lon: { type: 'number', nullable: true },
    asn: { type: 'integer', nullable: true },
    org: { type: 'string', nullable: true, description: 'the AS organisation' },
  },
  required: ['ip'],
} as const;

const IP_STRING = { type: 'string', minLength: 2, maxLength: 45 } as const;
const DESCRIPTION = `Offline GeoIP: ${GEO_ATTRIBUTION.text} (${GEO_ATTRIBUTION.url}, ${GEO_ATTRIBUTION.license}); AS from RouteViews/NRO/DB-IP. Show the attribution with the data.`;

export const geoRoutes = (_service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { ip: string } }>('/api/geo/:ip', {
    schema: {
      summary: 'Where an IP address is: { ip, country, region, city, lat, lon, asn, org } or { ip, private: true }',
      description: DESCRIPTION, tags: ['geo'],
      params: { type: 'object', properties: { ip: IP_STRING }, required: ['ip'] },
      response: { 200: ANSWER_SCHEMA, 400: ERROR_SCHEMA },
    },
  }, async (req) => {
    const answer = await lookupGeo(req.params.ip);
    if (!answer) throw new ApiError('BAD_REQUEST', 'not an IPv4 or IPv6 address');
    return answer;
  });

  app.post<{ Body: { ips: string[] } }>('/api/geo', {
    schema: {
      summary: `Where up to ${GEO_BATCH_MAX} addresses are, in request order; an entry that is not an address answers { ip, invalid: true }`,
      description: DESCRIPTION, tags: ['geo'],
      body: { type: 'object', properties: { ips: { type: 'array', maxItems: GEO_BATCH_MAX, items: { type: 'string', maxLength: 100 } } }, required: ['ips'] },
      response: {
        200: { type: 'array', items: { ...ANSWER_SCHEMA, properties: { ...ANSWER_SCHEMA.properties, invalid: { type: 'boolean' } } } },
        400: ERROR_SCHEMA,
      },
    },
  }, async (req) => {
    const out = [];
    for (const ip of req.body.ips) out.push(isIpText(ip) ? (await lookupGeo(ip))! : { ip, invalid: true });
    return out;
  });
};
