/**
 * Responses carrying pages of stored records (`records` of a log page, `rows` of a search) are
 * written with each record's document spliced in as the JSON text the store holds
 * (store/doc-text.ts), instead of having the serializer stringify every parsed document again.
 * Anything else, and records without their text (PostgreSQL), go through the route's usual
 * serializer: this only sets a per-reply serializer when a payload holds such a page.
 */
import type { FastifyInstance } from 'fastify';
import { docTextOf } from '../store/doc-text.js';
import type { StoredRecord } from '../store/store.js';

/** Top-level keys of a payload that hold pages of records. */
const RECORD_PAGES = ['records', 'rows'] as const;

function recordJson(r: StoredRecord, doc: string): string {
  return `{"id":${JSON.stringify(r.id)},"captureId":${JSON.stringify(r.captureId)},"log":${JSON.stringify(r.log)},"ts":${JSON.stringify(r.ts)},`
    + `"uid":${JSON.stringify(r.uid)},"communityId":${JSON.stringify(r.communityId)},"doc":${doc}}`;
}

/** Own fields of a StoredRecord: a record with any other would lose it in recordJson. */
const RECORD_FIELDS = 7;

/** True when every item is a stored record with its document's text (and nothing else of its own). */
function isRawPage(items: unknown): items is StoredRecord[] {
  if (!Array.isArray(items) || items.length === 0) return false;
  for (const r of items) if (docTextOf(r) === undefined || Object.keys(r as object).length !== RECORD_FIELDS) return false;
  return true;
}

/** The payload as JSON, its record pages spliced from stored text. */
function serializeWithRawDocs(payload: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(payload)) {
    const v = payload[key];
    if (v === undefined || typeof v === 'function') continue;
    let json: string;
    if ((RECORD_PAGES as readonly string[]).includes(key) && isRawPage(v)) {
      json = '[' + v.map((r) => recordJson(r, docTextOf(r)!)).join(',') + ']';
    } else {
      json = JSON.stringify(v);
    }
    out += (out ? ',' : '') + JSON.stringify(key) + ':' + json;
  }
  return '{' + out + '}';
}

/** Registers the hook on `app` (not encapsulated: every route's replies). */
export function registerRawDocs(app: FastifyInstance): void {
  // Callback style: an async hook would cost every response a promise and a tick.
  app.addHook('preSerialization', (_req, reply, payload, done) => {
    if (reply.statusCode === 200 && typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
      const p = payload as Record<string, unknown>;
      if (RECORD_PAGES.some((k) => isRawPage(p[k]))) reply.serializer(serializeWithRawDocs);
    }
    done(null, payload);
  });
}
