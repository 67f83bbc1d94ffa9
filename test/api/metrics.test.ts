/**
 * /metrics, /readyz and /docs on a real server (127.0.0.1, port 0) over a real SQLite service:
 * after an upload and its analysis the Prometheus text says so (jobs by status, the job duration
 * histogram, uploads and bytes, requests by route and status, latency histograms whose buckets
 * add up, the store's capture count); /docs serves Swagger UI from this server only; /readyz
 * answers 503 once the store is gone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import type { Job } from '../../src/jobs/jobs.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-metrics-'));
  svc = await openService({ dataDir: dir });
  app = await buildApi(svc);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app.close();
  await svc.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

/** Parses the text format into sample name{labels} → value, checking every line's shape on the way. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-z_]+(?:\{[^}]*\})?) (-?[0-9.e+]+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    samples.set(m[1], Number(m[2]));
  }
  return samples;
}

async function waitDone(id: string): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const body = (await (await fetch(`${base}/api/captures/${id}`)).json()) as { job: Job };
    if (body.job.status === 'done' || body.job.status === 'failed') return body.job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('job did not finish');
}

test('/metrics: jobs, durations, uploads and bytes, requests by route and status, latency histograms, store captures', async () => {
  const bytes = readFileSync(join(PCAPS, 'http-get-simple.pcap'));
  const up = await fetch(`${base}/api/captures?name=m.pcap`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(up.status, 201);
  const { id } = (await up.json()) as { id: string };
  assert.equal((await waitDone(id)).status, 'done');
  const again = await fetch(`${base}/api/captures`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(again.status, 200);
  assert.equal((await fetch(`${base}/api/captures/${'0'.repeat(64)}`)).status, 404);
  await fetch(`${base}/no/such/path`);

  const r = await fetch(`${base}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  assert.match(text, /# TYPE capdex_http_request_duration_seconds histogram/);
  const m = parseMetrics(text);
  assert.equal(m.get('capdex_jobs{status="done"}'), 1);
  assert.equal(m.get('capdex_jobs{status="queued"}'), 0);
  assert.equal(m.get('capdex_job_duration_seconds_count'), 1);
  assert.equal(m.get('capdex_job_duration_seconds_bucket{le="+Inf"}'), 1);
  assert.ok(m.get('capdex_job_duration_seconds_sum')! > 0);
  assert.equal(m.get('capdex_store_captures'), 1);
  assert.equal(m.get('capdex_uploads_total{result="new"}'), 1);
  assert.equal(m.get('capdex_uploads_total{result="existing"}'), 1);
  assert.equal(m.get('capdex_upload_bytes_total'), 2 * bytes.length);
  assert.equal(m.get('capdex_http_requests_total{method="POST",route="/api/captures",status="201"}'), 1);
  assert.equal(m.get('capdex_http_requests_total{method="POST",route="/api/captures",status="200"}'), 1);
  assert.equal(m.get('capdex_http_requests_total{method="GET",route="/api/captures/:id",status="404"}'), 1);
  assert.ok((m.get('capdex_http_requests_total{method="GET",route="/api/captures/:id",status="200"}') ?? 0) >= 1);
  assert.equal(m.get('capdex_http_requests_total{method="GET",route="unmatched",status="404"}'), 1);
  // Each route's histogram: cumulative buckets never decrease and end at the count.
  const route = '/api/captures/:id';
  const buckets = [...m].filter(([k]) => k.startsWith(`capdex_http_request_duration_seconds_bucket{route="${route}",`)).map(([, v]) => v);
  assert.ok(buckets.length >= 2);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1], `bucket ${i} decreases`);
  const count = m.get(`capdex_http_request_duration_seconds_count{route="${route}"}`);
  assert.equal(buckets.at(-1), count);
  assert.equal(count, (m.get(`capdex_http_requests_total{method="GET",route="${route}",status="200"}`) ?? 0) + 1);
});

test('/docs: Swagger UI with its assets from this server (no CDN), pointing at the OpenAPI document', async () => {
  const page = await fetch(`${base}/docs/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /swagger-ui/i);
  // Every script and stylesheet is relative or on this server: nothing loads from elsewhere.
  for (const m of html.matchAll(/(?:src|href)="([^"]+)"/g)) assert.doesNotMatch(m[1], /^(https?:)?\/\//, `external asset ${m[1]}`);
  const bundle = await fetch(`${base}/docs/static/swagger-ui-bundle.js`);
  assert.equal(bundle.status, 200);
  assert.ok((await bundle.arrayBuffer()).byteLength > 100_000);
  const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  assert.ok(spec.paths['/metrics'] && spec.paths['/readyz']);
  assert.ok(!Object.keys(spec.paths).some((p) => p.startsWith('/docs')), 'the docs routes stay out of the API document');
});

test('/readyz: ready while the store and the queue answer, 503 NOT_READY naming the store once it is closed', async () => {
  const ok = await fetch(`${base}/readyz`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { status: 'ready' });
  await svc.store.close();
  const down = await fetch(`${base}/readyz`);
  assert.equal(down.status, 503);
  const body = (await down.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'NOT_READY');
  assert.match(body.error.message, /store/);
});
