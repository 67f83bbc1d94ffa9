/**
 * Serialised answers of the read endpoints most clients repeat (capture list, log pages, search,
 * pivots, a capture's status), kept while nothing changes. A done capture is immutable, so under
 * 50 clients paging the same logs most requests are repeats: a hit costs a map lookup instead of
 * SQL plus JSON (1-15 ms of the one event loop each).
 *
 * Correctness rests on two things:
 * - Validity: every entry carries the service's change clocks it depends on (the store's and, for
 *   answers that show jobs, the queue's commit counters: store/sqlite/change-clock.ts) read before
 *   its answer was computed; a commit from any thread or process moves them. A store commit
 *   empties the cache, a queue commit (a job's progress) outdates the answers showing jobs, and
 *   an answer computed while its clock moved is not kept. On PostgreSQL the clocks count the
 *   database's commit notifications (store/postgres/change-clock.ts) and move on every read while
 *   they cannot hear them. No clocks: no cache.
 * - Separation: the key is the viewer's visibility class and the URL. Anonymous requests share
 *   one class; every API key is a class of its own (its private captures), admins too. A private
 *   capture's answer is never keyed where another viewer can reach it.
 *
 * HTTP: answers carry a content ETag and `Cache-Control: private, no-cache` with
 * `Vary: Authorization, X-Api-Key`; a request whose If-None-Match matches gets 304 with no body,
 * from the cache or after computing. The lookup runs as a preHandler, after authentication, rate
 * limiting and validation: a cached answer is counted, and a bad request still gets its 400.
 *
 * Routes opt in with `config: { cache: 'store' }` or `'store+jobs'`; a handler can keep one answer out with `noStore(reply)`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeClock } from '../store/sqlite/change-clock.js';
import type { Viewer } from '../store/store.js';

/** Bytes of cached bodies kept (least recently used dropped first). */
export const RESPONSE_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** A larger answer is not kept: one export-sized page must not flush every other entry. */
export const RESPONSE_CACHE_MAX_ENTRY_BYTES = 4 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Keep this GET route's 200 answers in the response cache (response-cache.ts): 'store' for
     * answers read from the store alone (valid while a job runs), 'store+jobs' for answers that
     * show jobs too (status, progress, partial results).
     */
    cache?: 'store' | 'store+jobs';
  }
}

interface Entry { clock: string; body: Buffer; etag: string; type: string }

/** The clocks answers depend on (service.changes). */
export interface Clocks { store: ChangeClock; jobs: ChangeClock }

/** The cache's state for one request it may answer or fill. */
interface Pending { key: string; clock: string; hit: boolean }

const pending = new WeakMap<FastifyRequest, Pending>();
const unstorable = new WeakSet<FastifyReply>();

/** Keeps this reply's answer out of the cache (an answer that depends on more than the stores). */
export function noStore(reply: FastifyReply): void {
  unstorable.add(reply);
}

/** The visibility class: who sees exactly the same captures. */
export function viewerClass(v: Viewer): string {
  if (v.keyId === undefined) return 'anonymous';
  return `${v.admin ? 'admin' : 'key'}:${v.keyId}`;
}

/** A bounded LRU of bodies by key (Map order is recency order). */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly maxBytes = RESPONSE_CACHE_MAX_BYTES, readonly maxEntryBytes = Math.min(RESPONSE_CACHE_MAX_ENTRY_BYTES, maxBytes)) {}

  get size(): number { return this.entries.size; }
  get usedBytes(): number { return this.bytes; }

  get(key: string, clock: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.clock !== clock) { this.delete(key); return undefined; }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  set(key: string, e: Entry): void {
    if (e.body.length > this.maxEntryBytes) return;
    this.delete(key);
    this.entries.set(key, e);
    this.bytes += e.body.length + key.length;
    for (const [k] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.bytes -= e.body.length + key.length;
  }
}

const etagOf = (body: Buffer): string => `"${createHash('sha1').update(body).digest('base64url')}"`;

/** True when an If-None-Match header names this ETag (a list, weak or strong, or *). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function validators(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'Authorization, X-Api-Key');
}

/** Hooks the cache into `app` (not encapsulated); call before the routes. */
export function registerResponseCache(app: FastifyInstance, clocks: Clocks, cache = new ResponseCache()): ResponseCache {
  let lastStore: number | undefined;
  // Read once per turn of the event loop: requests parsed in one turn share the reading (a few µs
  // each otherwise). An older reading is only ever conservative: an answer is tagged with a clock
  // at or before the data it was computed from, so a later commit still invalidates it.
  let reading: { store: number; jobs: number } | undefined;
  const forget = (): void => { reading = undefined; };
  const now = (): { store: number; jobs: number } => {
    if (reading === undefined) { reading = { store: clocks.store.now(), jobs: clocks.jobs.now() }; setImmediate(forget); }
    return reading;
  };
  const clockOf = (dependsOn: 'store' | 'store+jobs'): string => {
    const r = now();
    return dependsOn === 'store' ? `${r.store}` : `${r.store}.${r.jobs}`;
  };
  const stillAt = (dependsOn: 'store' | 'store+jobs', clock: string): boolean => {
    try {
      return clockOf(dependsOn) === clock;
    } catch {
      return false;
    }
  };
  app.addHook('preHandler', (req, reply, done) => {
    const dependsOn = req.routeOptions.config?.cache;
    if (req.method !== 'GET' || dependsOn === undefined) { done(); return; }
    let at: string;
    try {
      // The store was written: every entry may be stale. Emptied at once, so the memory goes too.
      // (A queue write only outdates the entries that show jobs: they fail their clock check.)
      const store = now().store;
      if (store !== lastStore) { cache.clear(); lastStore = store; }
      at = clockOf(dependsOn);
    } catch {
      // No reading (the service is closing): answer without the cache, as a store without clocks would.
      done();
      return;
    }
    const key = `${viewerClass(req.viewer)}\n${req.url}`;
    const hit = cache.get(key, at);
    pending.set(req, { key, clock: at, hit: hit !== undefined });
    if (hit === undefined) { done(); return; }
    validators(reply, hit.etag).header('x-capdex-cache', 'hit');
    if (matches(req.headers['if-none-match'], hit.etag)) void reply.code(304).send();
    else void reply.type(hit.type).send(hit.body);
    // The reply is sent: the handler does not run (Fastify skips it once a hook replied).
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    const p = pending.get(req);
    if (p === undefined || p.hit || reply.statusCode !== 200) { done(null, payload); return; }
    const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : undefined;
    if (body === undefined) { done(null, payload); return; }
    const etag = etagOf(body);
    validators(reply, etag);
    // Kept only if the clock stood still while it was computed: otherwise it may mix old and new.
    if (!unstorable.has(reply) && stillAt(req.routeOptions.config.cache!, p.clock)) {
      cache.set(p.key, { clock: p.clock, body, etag, type: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8') });
    }
    if (matches(req.headers['if-none-match'], etag)) {
      void reply.code(304);
      done(null, '');
      return;
    }
    done(null, body);
  });
  return cache;
}
