/**
 * /metrics in the Prometheus text format (version 0.0.4): HTTP requests by route and status with
 * a latency histogram per route, uploads and their bytes (this process), and from the shared
 * databases: jobs by status, the run-time histogram of finished jobs, the store's capture count.
 *
 * Registered before the other routes and without encapsulation (skip-override, as fastify-plugin
 * does), so its hooks see every request. Series are bounded: routes are Fastify's patterns (never
 * the raw URL), unmatched requests share one label, and past METRICS_MAX_SERIES new label sets
 * fold into route="other".
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import type { JobStatus } from '../../jobs/jobs.js';

/** Upper bounds (seconds) of the request latency histogram. */
export const HTTP_LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Distinct (method, route, status) label sets kept: routes are finite, this only guards against a bug. */
export const METRICS_MAX_SERIES = 1000;

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const JOB_STATUSES: JobStatus[] = ['queued', 'running', 'done', 'failed'];

interface LatencyHistogram { buckets: number[]; count: number; sum: number }

/** Escapes a label value as the text format wants (backslash, double quote, newline). */
const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

class HttpMetrics {
  readonly requests = new Map<string, { method: string; route: string; status: number; n: number }>();
  readonly latency = new Map<string, LatencyHistogram>();
  uploads = { new: 0, existing: 0 };
  uploadBytes = 0;

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let r = this.requests.get(key);
    if (!r) {
      if (this.requests.size >= METRICS_MAX_SERIES) return this.observe(method, 'other', status, seconds);
      r = { method, route, status, n: 0 };
      this.requests.set(key, r);
    }
    r.n++;
    let h = this.latency.get(route);
    if (!h) { h = { buckets: HTTP_LATENCY_BUCKETS_S.map(() => 0), count: 0, sum: 0 }; this.latency.set(route, h); }
    h.count++;
    h.sum += seconds;
    for (let i = 0; i < HTTP_LATENCY_BUCKETS_S.length; i++) if (seconds <= HTTP_LATENCY_BUCKETS_S[i]) h.buckets[i]++;
  }
}

export const metricsRoutes = (service: Service): FastifyPluginAsync => {
  const plugin: FastifyPluginAsync = async (app) => {
    const http = new HttpMetrics();

    // Callback-style hooks: an async one costs every request a promise and a tick.
    app.addHook('onResponse', (req, reply, done) => {
      http.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    // An accepted upload's size is in its answer (the blob store counted the bytes while streaming).
    app.addHook('preSerialization', (req, reply, payload, done) => {
      if (req.method === 'POST' && req.routeOptions.url === '/api/captures' && (reply.statusCode === 200 || reply.statusCode === 201)) {
        const p = payload as { size?: unknown; existing?: unknown } | null;
        if (p && typeof p.size === 'number') {
          if (p.existing === true) http.uploads.existing++;
          else http.uploads.new++;
          http.uploadBytes += p.size;
        }
      }
      done(null, payload);
    });

    app.get('/metrics', {
      schema: {
        summary: 'Prometheus metrics (text format 0.0.4)', tags: ['health'], produces: [CONTENT_TYPE],
        response: { 200: { description: 'The metrics', type: 'string' } },
      },
    }, async (_req, reply) => {
      const [jobs, captures] = await Promise.all([service.jobs.stats(), service.store.captureCount()]);
      const out: string[] = [];
      const head = (name: string, type: string, help: string): void => { out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`); };

      head('capdex_jobs', 'gauge', 'Analysis jobs by status (every process sharing the queue).');
      for (const s of JOB_STATUSES) out.push(`capdex_jobs{status="${s}"} ${jobs.byStatus[s]}`);
      head('capdex_job_duration_seconds', 'histogram', 'Run time of finished analysis jobs (done or failed).');
      for (const b of jobs.durations.buckets) out.push(`capdex_job_duration_seconds_bucket{le="${b.le}"} ${b.count}`);
      out.push(`capdex_job_duration_seconds_bucket{le="+Inf"} ${jobs.durations.count}`,
        `capdex_job_duration_seconds_sum ${jobs.durations.sumS}`, `capdex_job_duration_seconds_count ${jobs.durations.count}`);
      head('capdex_store_captures', 'gauge', 'Captures in the store.');
      out.push(`capdex_store_captures ${captures}`);

      head('capdex_uploads_total', 'counter', 'Captures accepted by this process: new ones, and ones already known (same sha256).');
      out.push(`capdex_uploads_total{result="new"} ${http.uploads.new}`, `capdex_uploads_total{result="existing"} ${http.uploads.existing}`);
      head('capdex_upload_bytes_total', 'counter', 'Bytes of the captures accepted by this process.');
      out.push(`capdex_upload_bytes_total ${http.uploadBytes}`);

      head('capdex_http_requests_total', 'counter', 'HTTP requests answered by this process, by method, route pattern and status.');
      for (const r of http.requests.values()) out.push(`capdex_http_requests_total{method="${label(r.method)}",route="${label(r.route)}",status="${r.status}"} ${r.n}`);
      head('capdex_http_request_duration_seconds', 'histogram', 'Time to answer an HTTP request, by route pattern.');
      for (const [route, h] of http.latency) {
        const r = label(route);
        HTTP_LATENCY_BUCKETS_S.forEach((le, i) => out.push(`capdex_http_request_duration_seconds_bucket{route="${r}",le="${le}"} ${h.buckets[i]}`));
        out.push(`capdex_http_request_duration_seconds_bucket{route="${r}",le="+Inf"} ${h.count}`,
          `capdex_http_request_duration_seconds_sum{route="${r}"} ${h.sum}`, `capdex_http_request_duration_seconds_count{route="${r}"} ${h.count}`);
      }
      return reply.header('content-type', CONTENT_TYPE).send(out.join('\n') + '\n');
    });
  };
  // Not encapsulated: the hooks must see the routes registered after it (what fastify-plugin does).
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
};
