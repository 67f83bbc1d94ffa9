/**
 * Partial results while a job runs, on a real server (127.0.0.1, port 0) over the SQLite service
 * and a capture big enough to be mid-analysis (test/jobs/big-capture.ts): GET .../logs/{log}
 * answers the worker's first records with partial: true while the job runs, each of them among
 * the final rows once done (partial: false); the preview never holds more than
 * PREVIEW_RECORDS_PER_LOG records of a log; the OpenAPI document describes the field.
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
import { PREVIEW_RECORDS_PER_LOG } from '../../src/jobs/limits.js';
import type { StoredRecord } from '../../src/store/store.js';
import { bigCapture } from '../jobs/big-capture.js';

interface LogPage { status: string; partial: boolean; records: StoredRecord[] }

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-partial-'));
  svc = await openService({ dataDir: join(dir, 'data') });
  app = await buildApi(svc);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

const getJson = async <T>(path: string): Promise<T> => (await (await fetch(base + path)).json()) as T;

test('a log read while its job runs answers the first records with partial: true; the final rows once done', async () => {
  const big = bigCapture(dir);
  const up = await fetch(`${base}/api/captures?name=big.pcap`, { method: 'POST', body: readFileSync(big.path), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(up.status, 201);
  const { id } = (await up.json()) as { id: string };

  const seen = new Map<string, StoredRecord[]>();
  let job: Job;
  for (let i = 0; ; i++) {
    assert.ok(i < 3000, 'the job did not finish in 5 minutes');
    for (const log of ['dns', 'conn']) {
      const page = await getJson<LogPage>(`/api/captures/${id}/logs/${log}?limit=1000`);
      if (page.partial) {
        assert.equal(page.status, 'running');
        assert.ok(page.records.length <= PREVIEW_RECORDS_PER_LOG, `${page.records.length} preview records of ${log}`);
        if (page.records.length > (seen.get(log)?.length ?? 0)) seen.set(log, page.records);
      }
    }
    job = (await getJson<{ job: Job }>(`/api/captures/${id}`)).job;
    if (job.status === 'done' || job.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(job.status, 'done', job.error);
  const dns = seen.get('dns') ?? [];
  assert.ok(dns.length > 0, 'no partial dns records were seen while the job ran');
  for (const r of dns) {
    assert.equal(r.log, 'dns');
    assert.equal(r.captureId, id);
    assert.equal(typeof r.doc.query === 'string' || r.doc.query === undefined, true);
    assert.equal(r.uid, r.doc.uid);
  }
  // Every record shown early is one of the stored ones, byte for byte.
  for (const r of dns.slice(0, 50)) {
    const stored = await svc.store.records(id, 'dns', { uid: r.uid!, limit: 1000 });
    assert.ok(stored.some((s) => JSON.stringify(s.doc) === JSON.stringify(r.doc)), `preview record ${r.uid} is not among the stored ones`);
  }
  const final = await getJson<LogPage>(`/api/captures/${id}/logs/dns?limit=10`);
  assert.equal(final.partial, false);
  assert.equal(final.status, 'done');
  assert.equal(final.records.length, 10);
  // The preview is gone with the job's end.
  assert.equal(await svc.jobs.partial(id, 'dns', { limit: 10, offset: 0 }), undefined);
});

test('the OpenAPI document describes partial results on the log route', async () => {
  const doc = await getJson<{ paths: Record<string, { get: { description?: string; responses: Record<string, { content?: Record<string, { schema: { properties: Record<string, unknown> } }> }> } }> }>('/openapi.json');
  const route = doc.paths['/api/captures/{id}/logs/{log}'].get;
  assert.match(route.description ?? '', /partial: true/);
  assert.ok(route.responses['200'].content!['application/json'].schema.properties.partial);
});
