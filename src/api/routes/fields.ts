/**
 * GET /api/fields: every field name the search language knows, from the engine's log schemas
 * (the same catalog the query compiler resolves against), with its Zeek type and doc string, for
 * the search page's autocomplete and syntax help. Static: computed once.
 */
import type { FastifyPluginAsync } from 'fastify';
import { LOG_SCHEMAS, storedLogName } from '../../store/query/log-catalog.js';

export interface FieldInfo {
  /** As written in a query: `dns.query`, `alert.signature`; columns without a log (`uid`, `ts`). */
  name: string;
  type: string;
  log?: string;
  doc?: string;
}

/** Record columns every log has (fields.ts COLUMNS). */
const COLUMNS: FieldInfo[] = [
  { name: 'log', type: 'string', doc: 'The log a record belongs to (conn, dns, http, alert, ...)' },
  { name: 'capture', type: 'string', doc: 'The capture id (sha256)' },
  { name: 'ts', type: 'time', doc: 'Record time (epoch seconds, or an ISO date in ranges)' },
  { name: 'uid', type: 'string', doc: 'Connection uid (C…), the same across every log of a connection' },
  { name: 'community_id', type: 'string', doc: 'Community ID flow hash (1:…)' },
];

export function fieldCatalog(): { logs: string[]; fields: FieldInfo[] } {
  const fields: FieldInfo[] = [...COLUMNS];
  const logs: string[] = [];
  for (const schema of LOG_SCHEMAS) {
    const log = storedLogName(schema);
    logs.push(log);
    for (const f of schema.fields) {
      // EVE's dotted names already start with their object ('alert.signature'); others get the log prefix.
      const name = schema.document === true && f.name.startsWith(`${log}.`) ? f.name : `${log}.${f.name}`;
      fields.push({ name, type: f.type, log, doc: f.doc });
    }
  }
  return { logs: logs.sort(), fields };
}

export const fieldRoutes = (): FastifyPluginAsync => async (app) => {
  const catalog = fieldCatalog();
  app.get('/api/fields', {
    schema: {
      summary: 'Field names of the search language, from the log schemas', tags: ['search'],
      response: {
        200: {
          type: 'object',
          properties: {
            logs: { type: 'array', items: { type: 'string' } },
            fields: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' }, log: { type: 'string' }, doc: { type: 'string' } }, required: ['name', 'type'] } },
          },
        },
      },
    },
  }, async (_req, reply) => {
    void reply.header('cache-control', 'public, max-age=300');
    return catalog;
  });
};
