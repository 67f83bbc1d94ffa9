/**
 * GET /api/captures/{id}/summary: what the analysis console shows above its panels, aggregated on
 * the server in one answer so the page is interactive at once even for 100k+ connections: records
 * per log, services, alerts by severity and signature, top talkers and host pairs by bytes, the
 * busiest endpoints (for the map), and a timeline of connections and alerts.
 *
 * Counts per log come from the store's aggregation; the rest from one bounded scan of conn and
 * alert (SUMMARY_SCAN_MAX_RECORDS each: past it `scan.complete` is false and the figures cover the
 * first records in time order). Captures never change once analysed, so answers are cached per
 * capture (a re-import changes importedAt, hence the key). Viewer-aware: a capture the viewer may
 * not see is 404 like everywhere else, checked before the cache is read.
 *
 * The summary of an uploaded capture is computed shortly after its job is done (warmSummaryWhenDone,
 * SUMMARY_WARM_DELAY_MS: the console, usually opened right then, draws its first rows first and
 * asks for the summary after them); a request arriving while it is being computed waits for that
 * computation instead of starting another.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import type { CaptureRow } from '../../store/store.js';
import { scanLogFields } from '../../store/log-rows.js';
import { isFinished } from '../../jobs/jobs.js';
import type { CaptureSummary, HostBytes, PairBytes } from './summary-shape.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { ID_PARAMS, visibleCapture } from './labels.js';

/** Conn (and alert) records read per summary: a 1M-connection capture still answers in seconds. */
export const SUMMARY_SCAN_MAX_RECORDS = 300_000;
/** Timeline buckets across the capture's time span. */
export const SUMMARY_TIMELINE_BUCKETS = 120;
/** Hosts (talkers, map endpoints) and host pairs (graph edges) kept, largest by bytes. */
export const SUMMARY_TOP_TALKERS = 20;
export const SUMMARY_MAX_ENDPOINTS = 1000;
export const SUMMARY_MAX_EDGES = 300;
/** How long after its job is done a capture's summary is computed unasked (the console's first rows go first). */
export const SUMMARY_WARM_DELAY_MS = 2000;
/** Summaries kept in memory (each is a few hundred KB at most). */
const SUMMARY_CACHE_ENTRIES = 32;
/** Distinct hosts and pairs tracked during a scan (a scan of spoofed sources must not grow without end). */
const SCAN_MAX_HOSTS = 200_000;

export type { CaptureSummary, HostBytes, PairBytes };

const cache = new Map<string, CaptureSummary>();
/** Summaries being computed, by cache key. */
const inflight = new Map<string, Promise<CaptureSummary>>();

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined);

function bump<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/**
 * Records per read of a scan: small enough that the store's synchronous read of one page (SQLite)
 * does not hold the event loop for long, so the console's own page requests get in between.
 * Each read takes only the fields summed here (Store.logFields: ~5x less CPU than whole documents
 * at 100k connections, which the console's first open used to wait behind).
 */
const SCAN_PAGE_ROWS = 2000;

/** Reads `log`'s `fields` in ts order, a page at a time, up to the scan limit; complete: it read every record. */
function scan(service: Service, id: string, log: string, fields: string[][], each: (ts: number | null, v: unknown[]) => void): Promise<{ read: number; complete: boolean }> {
  return scanLogFields(service.store, id, log, fields, each, { max: SUMMARY_SCAN_MAX_RECORDS, pageRows: SCAN_PAGE_ROWS });
}

const CONN_FIELDS = [['service'], ['id.orig_h'], ['id.resp_h'], ['orig_ip_bytes'], ['resp_ip_bytes']];
const ALERT_FIELDS = [['alert', 'severity'], ['alert', 'signature']];

function topBy<T extends { bytes: number; conns: number }>(items: Iterable<T>, n: number): T[] {
  return [...items].sort((a, b) => b.bytes - a.bytes || b.conns - a.conns).slice(0, n);
}

/** The summary of a capture the caller has checked is visible (the store reads as the local admin). */
export async function summarise(service: Service, c: CaptureRow): Promise<CaptureSummary> {
  const counted = await service.store.search(`capture:${c.id} | count by log`, { limit: 1000 });
  if (counted.error) throw new ApiError('INTERNAL', counted.error.message);
  const logs = (counted.aggregation ?? []).filter((a) => typeof a.key === 'string').map((a) => ({ log: a.key as string, count: a.count }))
    .sort((a, b) => b.count - a.count);

  const first = c.firstTs ?? 0;
  const span = Math.max((c.lastTs ?? first) - first, 1e-3);
  const bucketS = span / SUMMARY_TIMELINE_BUCKETS;
  const bucket = (ts: number | null) => ts === null ? -1 : Math.min(SUMMARY_TIMELINE_BUCKETS - 1, Math.max(0, Math.floor((ts - first) / bucketS)));
  const timeline = { start: first, bucketS, conns: new Array<number>(SUMMARY_TIMELINE_BUCKETS).fill(0), alerts: new Array<number>(SUMMARY_TIMELINE_BUCKETS).fill(0) };

  const serviceLists = new Map<string, number>();
  const hosts = new Map<string, HostBytes>();
  const pairs = new Map<string, PairBytes>();
  const host = (ip: string, bytes: number) => {
    let h = hosts.get(ip);
    if (!h) { if (hosts.size >= SCAN_MAX_HOSTS) return; h = { ip, bytes: 0, conns: 0 }; hosts.set(ip, h); }
    h.bytes += bytes; h.conns++;
  };
  const hasConn = logs.some((l) => l.log === 'conn');
  const conns = hasConn ? await scan(service, c.id, 'conn', CONN_FIELDS, (ts, [service, origH, respH, origBytes, respBytes]) => {
    const b = bucket(ts);
    if (b >= 0) timeline.conns[b]++;
    // Counted as written ('dns,http'), split once per distinct list below: no array per connection.
    bump(serviceLists, str(service) ?? '-');
    const o = str(origH); const p = str(respH);
    if (!o || !p) return;
    const bytes = num(origBytes) + num(respBytes);
    host(o, bytes); host(p, bytes);
    const key = `${o} ${p}`;
    let e = pairs.get(key);
    if (!e) { if (pairs.size >= SCAN_MAX_HOSTS) return; e = { src: o, dst: p, bytes: 0, conns: 0 }; pairs.set(key, e); }
    e.bytes += bytes; e.conns++;
  }) : { read: 0, complete: true };

  const services = new Map<string, number>();
  for (const [list, n] of serviceLists) for (const one of list.split(',')) if (one) bump(services, one, n);

  const severities = new Map<number | null, number>();
  const signatures = new Map<string, { signature: string; severity: number | null; count: number }>();
  const hasAlert = logs.some((l) => l.log === 'alert');
  const alerts = hasAlert ? await scan(service, c.id, 'alert', ALERT_FIELDS, (ts, [severity, signature]) => {
    const sev = typeof severity === 'number' && Number.isInteger(severity) ? severity : null;
    bump(severities, sev);
    const b = bucket(ts);
    if (b >= 0) timeline.alerts[b]++;
    const sig = str(signature) ?? '(no signature)';
    const s = signatures.get(sig);
    if (s) s.count++; else if (signatures.size < SCAN_MAX_HOSTS) signatures.set(sig, { signature: sig, severity: sev, count: 1 });
  }) : { read: 0, complete: true };

  // One sort of the hosts: the talkers are the first endpoints (SUMMARY_TOP_TALKERS < SUMMARY_MAX_ENDPOINTS).
  const endpoints = topBy(hosts.values(), Math.max(SUMMARY_MAX_ENDPOINTS, SUMMARY_TOP_TALKERS));
  return {
    capture: c,
    logs,
    services: [...services].map(([service, count]) => ({ service, count })).sort((a, b) => b.count - a.count),
    alerts: [...severities].map(([severity, count]) => ({ severity, count })).sort((a, b) => (a.severity ?? 99) - (b.severity ?? 99)),
    signatures: [...signatures.values()].sort((a, b) => b.count - a.count).slice(0, 20),
    talkers: endpoints.slice(0, SUMMARY_TOP_TALKERS),
    endpoints,
    edges: topBy(pairs.values(), SUMMARY_MAX_EDGES),
    timeline,
    scan: { conns: conns.read, alerts: alerts.read, complete: conns.complete && alerts.complete },
  };
}

/**
 * The summary of an analysed capture, from the cache, a computation in flight, or a new one.
 * Its content does not depend on the viewer (the caller has checked the capture is visible), so
 * it is computed once and shared.
 */
function summaryOf(service: Service, c: CaptureRow): Promise<CaptureSummary> {
  const key = `${c.id}@${c.importedAt}`;
  const done = cache.get(key);
  if (done) return Promise.resolve(done);
  let p = inflight.get(key);
  if (!p) {
    p = summarise(service, c).then((s) => {
      if (cache.size >= SUMMARY_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, s);
      return s;
    }).finally(() => inflight.delete(key));
    inflight.set(key, p);
  }
  return p;
}

/** Computes the capture's summary once its job is done (called by the upload route); never throws. */
export function warmSummaryWhenDone(service: Service, jobId: string, captureId: string): void {
  let stop: (() => void) | undefined;
  let finished = false;
  stop = service.jobs.watch(jobId, (j) => {
    if (!isFinished(j) || finished) return;
    finished = true;
    stop?.();
    if (j.status !== 'done') return;
    // A moment later: the console opened right now draws its first rows first (it asks for the
    // summary after them, starting the computation itself; this one then finds it under way).
    setTimeout(() => {
      void service.store.capture(captureId)
        .then((c) => (c && c.status === 'done' ? summaryOf(service, c) : undefined))
        .catch(() => { /* the console computes it on demand instead */ });
    }, SUMMARY_WARM_DELAY_MS).unref();
  });
  if (finished) stop();
}

export const summaryRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { id: string } }>('/api/captures/:id/summary', {
    schema: {
      summary: 'A capture at a glance: records per log, services, alerts by severity, top talkers, host pairs and endpoints by bytes, timeline',
      tags: ['captures'], params: ID_PARAMS,
      response: { 404: ERROR_SCHEMA },
    },
  }, async (req) => {
    const c = await visibleCapture(service, req, req.params.id);
    if (c.status !== 'done') throw new ApiError('CAPTURE_NOT_FOUND', 'not analysed yet: follow /api/captures/{id}/events');
    const s = await summaryOf(service, c);
    return { ...s, capture: c };
  });
};
