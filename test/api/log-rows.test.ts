/**
 * GET /api/captures/{id}/logs/{log} with q and sort (the console's panels): a shared capture
 * imported into a real service behind a real server on 127.0.0.1. Sorted pages follow the
 * documented order over the log's own records, q narrows inside the capture and log with a total
 * that agrees with /api/search over the same scope, and bad filters or sort fields are 400
 * BAD_QUERY. The capture's DNS queries are cross-checked against tshark.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { importCaptureFile } from '../../src/cli/capture-import.js';

const FILE = join(import.meta.dirname, '../../../shared/pcaps/mixed-arkime-synthetic-many-protocols.pcap');

interface Rec { id: number; ts: number | null; doc: Record<string, unknown> }
interface LogPage { records: Rec[]; total: number; partial: boolean }

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;
let id: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-logrows-'));
  svc = await openService({ dataDir: dir });
  app = await buildApi(svc, { rateLimit: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  id = (await importCaptureFile(svc.store, FILE, { visibility: 'public' })).captureId;
});
after(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

async function page(log: string, params: Record<string, string | number>): Promise<LogPage> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const r = await fetch(`${base}/api/captures/${id}/logs/${log}?${q}`);
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()) as LogPage;
}

/** An address as a text whose byte order is the route's address order: IPv4 by value, then IPv6 by value, then other text. */
const ADDRESS_FIELDS = new Set(['id.orig_h', 'id.resp_h']);
function addressKey(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (isIPv4(v)) return '1' + v.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
  if (isIPv6(v) && !/[.%]/.test(v)) {
    const [head, tail] = v.includes('::') ? v.split('::').map((x) => (x ? x.split(':') : [])) : [v.split(':'), []];
    return '2' + [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail].map((g) => g.toLowerCase().padStart(4, '0')).join('');
  }
  return '3' + v;
}

/** Numbers by value before text by bytes (addresses by value), absent last, ties by id (the route's documented order). */
function byField(field: string, desc: boolean) {
  const rank = (v: unknown) => (v === undefined || v === null ? 0 : typeof v === 'number' ? 1 : 2);
  return (a: Rec, b: Rec): number => {
    const va = ADDRESS_FIELDS.has(field) ? addressKey(a.doc[field]) : a.doc[field];
    const vb = ADDRESS_FIELDS.has(field) ? addressKey(b.doc[field]) : b.doc[field];
    if ((rank(va) === 0) !== (rank(vb) === 0)) return rank(va) === 0 ? 1 : -1;
    let c = rank(va) - rank(vb);
    if (!c && rank(va) === 1) c = (va as number) - (vb as number);
    if (!c && rank(va) === 2) c = Buffer.compare(Buffer.from(String(va)), Buffer.from(String(vb)));
    c ||= a.id - b.id;
    return desc ? -c : c;
  };
}

test('sorted by any field, page after page, in the documented order', async () => {
  const all = (await page('conn', { limit: 10_000 })).records;
  assert.ok(all.length > 20);
  // The capture's addresses: IPv4 and IPv6 (the route puts IPv4 first, each by value).
  assert.ok(all.some((r) => isIPv4(String(r.doc['id.resp_h']))) && all.some((r) => isIPv6(String(r.doc['id.resp_h']))));
  for (const sort of ['-orig_bytes', 'duration', 'id.resp_h', '-id.orig_h', '-service']) {
    const desc = sort.startsWith('-');
    const expected = [...all].sort(byField(desc ? sort.slice(1) : sort, desc)).map((r) => r.id);
    const got: number[] = [];
    for (let offset = 0; offset < all.length; offset += 7) {
      const p = await page('conn', { sort, limit: 7, offset });
      assert.equal(p.total, all.length);
      got.push(...p.records.map((r) => r.id));
    }
    assert.deepEqual(got, expected, sort);
  }
});

test('q narrows inside the capture and log; the total agrees with /api/search; DNS queries agree with tshark', async () => {
  const tshark = execFileSync('tshark', ['-r', FILE, '-Y', 'dns.flags.response == 0', '-T', 'fields', '-e', 'dns.qry.name'], { encoding: 'utf8' })
    .split('\n').filter(Boolean);
  const name = tshark[0];
  assert.ok(name, 'tshark sees a DNS query');
  const p = await page('dns', { q: `dns.query:"${name}"`, sort: 'ts', limit: 1000 });
  assert.ok(p.total >= 1 && p.total === p.records.length);
  for (const r of p.records) assert.equal(r.doc.query, name);
  const scoped = `capture:${id} log:"dns" (dns.query:"${name}")`;
  const counted = (await (await fetch(`${base}/api/search?q=${encodeURIComponent(scoped + ' | count')}`)).json()) as { aggregation: { count: number }[] };
  assert.equal(p.total, counted.aggregation[0].count);
  // Numeric comparison and CIDR in one filter, sorted by a number.
  const narrowed = await page('conn', { q: 'id.resp_p:<1024 AND id.orig_h:0.0.0.0/0', sort: '-resp_bytes', limit: 1000 });
  assert.ok(narrowed.total >= 1);
  for (const r of narrowed.records) assert.ok((r.doc['id.resp_p'] as number) < 1024);
  assert.deepEqual(narrowed.records.map((r) => r.id), [...narrowed.records].sort(byField('resp_bytes', true)).map((r) => r.id));
});

test('bad filters and sort fields are 400 BAD_QUERY with a reason', async () => {
  for (const [q, sort] of [['dns.query:', 'ts'], ['* | count', 'ts'], ['', 'not a field'], ['', '-']]) {
    const params = new URLSearchParams({ sort, ...(q ? { q } : {}) });
    const r = await fetch(`${base}/api/captures/${id}/logs/dns?${params}`);
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(r.status, 400, `${q} ${sort}`);
    assert.equal(body.error.code, 'BAD_QUERY');
    assert.ok(body.error.message.length > 10);
  }
});
