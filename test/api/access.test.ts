/**
 * Access end to end (docs/contracts/access.md): a real server on 127.0.0.1 over a temp data dir,
 * real worker threads and the SQLite store; two keys, an admin key and anonymous requests. A
 * private capture (a shared pcap uploaded with key A) must not exist for key B nor for anonymous
 * requests in any endpoint (list, get, events, logs, pcap, search rows, search aggregations,
 * pivot), and must for A and the admin. Also: bad and revoked keys, upload rules (private needs a
 * key, --require-key), rate limits (429 with Retry-After), no CORS headers, and the keys CLI.
 * The values searched for come from tshark (the private capture's DNS query and resolver).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi, type ApiOptions } from '../../src/api/app.js';
import { openStore } from '../../src/store/store.js';
import type { Job } from '../../src/jobs/jobs.js';

const ROOT = join(import.meta.dirname, '../..');
const PCAPS = join(ROOT, '../shared/pcaps');
const PRIVATE_PCAP = 'dns-https-record.pcap';
const PUBLIC_PCAP = 'dns-tcp.pcap';
/** Limits of the main server: high enough that no test below but the rate-limit one meets them. */
const GENEROUS = { max: 100_000, uploadMax: 10_000, windowMs: 60_000 };

let dir: string;
let svc: Service;
const apps: FastifyInstance[] = [];
let base: string;
let keyA: string;
let keyB: string;
let admin: string;
let keyAId: string;
let privateId: string;
let publicId: string;
/** What tshark says the private capture holds: its one DNS name and the resolver it asked. */
let privateQuery: string;
let privateResolver: string;

type Who = 'anonymous' | 'B' | 'A' | 'admin';
const auth = (who: Who): Record<string, string> =>
  who === 'anonymous' ? {} : { authorization: `Bearer ${who === 'A' ? keyA : who === 'B' ? keyB : admin}` };

async function serve(opts: ApiOptions): Promise<string> {
  const app = await buildApi(svc, opts);
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

function get(path: string, headers: Record<string, string> = {}, at = base): Promise<Response> {
  return fetch(at + path, { headers });
}

function upload(file: string, query: string, headers: Record<string, string>, at = base): Promise<Response> {
  return fetch(`${at}/api/captures${query}`, {
    method: 'POST', body: readFileSync(join(PCAPS, file)), headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

async function json<T>(r: Response): Promise<T> {
  return (await r.json()) as T;
}

async function expectError(r: Response, status: number, code: string): Promise<{ error: Record<string, unknown> }> {
  const body = await json<{ error: Record<string, unknown> }>(r);
  assert.equal(r.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  return body;
}

async function waitDone(id: string, headers: Record<string, string>): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const body = await json<{ job: Job | null }>(await get(`/api/captures/${id}`, headers));
    if (body.job && (body.job.status === 'done' || body.job.status === 'failed')) return body.job;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('job did not finish');
}

function tsharkFields(file: string, filter: string, field: string): string[] {
  const out = execFileSync('tshark', ['-r', join(PCAPS, file), '-Y', filter, '-T', 'fields', '-e', field], { encoding: 'utf8' });
  return [...new Set(out.split('\n').filter((l) => l !== ''))];
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-access-'));
  svc = await openService({ dataDir: dir });
  base = await serve({ rateLimit: GENEROUS });
  const a = await svc.store.createKey('analyst A');
  keyA = a.secret;
  keyAId = a.key.id;
  keyB = (await svc.store.createKey('analyst B')).secret;
  admin = (await svc.store.createKey('ops', { admin: true })).secret;
  [privateQuery] = tsharkFields(PRIVATE_PCAP, 'dns.flags.response == 0', 'dns.qry.name');
  [privateResolver] = tsharkFields(PRIVATE_PCAP, 'dns.flags.response == 0', 'ip.dst');
  assert.ok(privateQuery && privateResolver, 'tshark read the private capture');
  assert.deepEqual(tsharkFields(PUBLIC_PCAP, `dns.qry.name == "${privateQuery}" || ip.addr == ${privateResolver}`, 'frame.number'), [],
    'the public capture shares neither value');
});

after(async () => {
  for (const app of apps) await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

test('uploads: private needs a key and belongs to it; anonymous uploads are public', async () => {
  await expectError(await upload(PRIVATE_PCAP, '?visibility=private', {}), 401, 'KEY_REQUIRED');
  const priv = await upload(PRIVATE_PCAP, '?visibility=private', auth('A'));
  const up = await json<{ id: string; job: Job }>(priv);
  assert.equal(priv.status, 201, JSON.stringify(up));
  assert.equal(up.job.visibility, 'private');
  assert.equal(up.job.submitter, keyAId);
  privateId = up.id;
  const pub = await upload(PUBLIC_PCAP, '', {});
  const pubUp = await json<{ id: string; job: Job }>(pub);
  assert.equal(pub.status, 201);
  assert.equal(pubUp.job.visibility, 'public');
  assert.equal(pubUp.job.submitter, undefined);
  publicId = pubUp.id;
  assert.equal((await waitDone(privateId, auth('A'))).status, 'done');
  assert.equal((await waitDone(publicId, {})).status, 'done');
  const row = await svc.store.capture(privateId);
  assert.equal(row?.visibility, 'private');
  assert.equal(row?.submitter, keyAId);
});

test('a private capture exists for its key and the admin only, in every endpoint', async () => {
  for (const who of ['anonymous', 'B', 'A', 'admin'] as const) {
    const sees = who === 'A' || who === 'admin';
    const h = auth(who);
    const msg = `${who} ${sees ? 'sees' : 'must not see'} the private capture`;

    const list = await json<{ captures: { id: string }[]; pending: Job[] }>(await get('/api/captures?limit=1000', h));
    const listed = list.captures.map((c) => c.id);
    assert.ok(listed.includes(publicId), `${who}: public listed`);
    assert.equal(listed.includes(privateId), sees, `${msg}: list`);
    assert.ok(!list.pending.some((j) => j.captureId === privateId), `${who}: pending`);

    for (const path of [`/api/captures/${privateId}`, `/api/captures/${privateId.slice(0, 12)}`, `/api/captures/${privateId}/events`,
      `/api/captures/${privateId}/logs/dns`, `/api/captures/${privateId}/pcap`]) {
      const r = await get(path, h);
      if (sees) assert.equal(r.status, 200, `${msg}: ${path}`);
      else await expectError(r, 404, 'CAPTURE_NOT_FOUND');
      if (sees) await r.arrayBuffer();
    }
    if (sees) {
      const logs = await json<{ records: { doc: { query?: string } }[] }>(await get(`/api/captures/${privateId}/logs/dns`, h));
      assert.ok(logs.records.some((r) => r.doc.query === privateQuery), `${msg}: dns log`);
      const pcap = Buffer.from(await (await get(`/api/captures/${privateId}/pcap`, h)).arrayBuffer());
      assert.deepEqual(pcap, readFileSync(join(PCAPS, PRIVATE_PCAP)), `${msg}: pcap bytes`);
    }
    // The public capture is everyone's.
    assert.equal((await get(`/api/captures/${publicId}/logs/dns`, h)).status, 200, `${who}: public logs`);

    const search = async (q: string): Promise<{ rows?: { captureId: string }[]; aggregation?: { key?: unknown; count: number }[] }> => {
      const r = await get(`/api/search?q=${encodeURIComponent(q)}&limit=1000`, h);
      assert.equal(r.status, 200, q);
      return json(r);
    };
    const byName = await search(`dns.query:${privateQuery}`);
    assert.equal(byName.rows!.length > 0, sees, `${msg}: search rows`);
    assert.ok(byName.rows!.every((r) => r.captureId === privateId));
    const all = await search('log:dns');
    assert.equal(all.rows!.some((r) => r.captureId === privateId), sees, `${msg}: search all rows`);
    assert.ok(all.rows!.some((r) => r.captureId === publicId), `${who}: public rows`);
    const count = await search(`dns.query:${privateQuery} | count`);
    assert.equal(count.aggregation![0].count > 0, sees, `${msg}: search count`);
    const byCapture = await search('log:dns | count by capture');
    assert.deepEqual(byCapture.aggregation!.map((g) => g.key).sort(), (sees ? [privateId, publicId] : [publicId]).sort(), `${msg}: aggregation keys`);
    const top = await search(`* | top 100 dns.query`);
    assert.equal(top.aggregation!.some((g) => g.key === privateQuery), sees, `${msg}: top values`);

    for (const [type, value] of [['domain', privateQuery], ['ip', privateResolver]]) {
      const r = await get(`/api/pivot/${type}/${encodeURIComponent(value)}`, h);
      assert.equal(r.status, 200);
      const hits = (await json<{ hits: { capture: { id: string } }[] }>(r)).hits;
      assert.equal(hits.length > 0, sees, `${msg}: pivot ${type}`);
      assert.ok(hits.every((x) => x.capture.id === privateId));
    }
  }
});

test('every GET operation in /openapi.json: what A sees of the private capture, B and anonymous get as 404, and no response leaks it', async (t) => {
  const doc = await json<{ paths: Record<string, Record<string, { parameters?: { in: string; name: string; required?: boolean }[] }>> }>(await get('/openapi.json'));
  const row = (await svc.store.capture(privateId))!;
  // Strings only the private capture holds and no request below carries: its other digests, A's key id, its resolver.
  const markers = [row.md5, row.sha1, keyAId, privateResolver];
  const fill: Record<string, string> = { id: privateId, type: 'domain', log: 'dns', sha256: privateId, uid: 'CAAAAAAAAAAAAAAAAA' };
  let checked = 0;
  for (const [pattern, methods] of Object.entries(doc.paths)) {
    const op = methods.get;
    // whois asks servers on the Internet about the value (not capture-scoped): no test reaches out.
    if (!pattern.startsWith('/api/') || !op || pattern.startsWith('/api/whois/')) continue;
    const path = pattern.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(fill[name] ?? privateQuery));
    const query = (op.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(privateQuery)}`).join('&');
    const url = query ? `${path}?${query}` : path;
    const asA = await get(url, auth('A'));
    await asA.arrayBuffer();
    const seen: string[] = [];
    for (const who of ['anonymous', 'B'] as const) {
      const r = await get(url, auth(who));
      seen.push(`${who} ${r.status}`);
      const text = Buffer.from(await r.arrayBuffer()).toString('latin1');
      for (const m of markers) assert.ok(!text.includes(m), `${who}: GET ${url} (${r.status}) shows ${m}`);
      if (pattern.includes('{id}') && asA.status < 300) {
        assert.equal(r.status, 404, `${who}: GET ${url} answers ${r.status} where A gets ${asA.status}`);
        assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'CAPTURE_NOT_FOUND', `${who}: GET ${url}`);
      }
    }
    t.diagnostic(`GET ${pattern}: A ${asA.status}, ${seen.join(', ')}`);
    checked++;
  }
  assert.ok(checked >= 6, `${checked} operations checked`);
});

test('keys: X-Api-Key works like Bearer; unknown, malformed and revoked keys are 401, never anonymous', async () => {
  assert.equal((await get(`/api/captures/${privateId}`, { 'x-api-key': keyA })).status, 200);
  assert.equal((await get(`/api/captures/${privateId}`, { authorization: `bearer   ${keyA}` })).status, 200, 'scheme is case-insensitive');
  for (const headers of [
    { authorization: `Bearer ${keyA}x` }, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, { authorization: 'Bearer' },
    { 'x-api-key': 'cdx_' + 'A'.repeat(5000) }, { 'x-api-key': '' }, { authorization: `Bearer ${keyA}`, 'x-api-key': keyB },
  ]) {
    // On a public endpoint too: a broken key is reported, not downgraded to anonymous.
    await expectError(await get('/api/captures', headers), 401, 'BAD_API_KEY');
  }
  const c = await svc.store.createKey('short-lived');
  assert.equal((await get('/api/captures', { authorization: `Bearer ${c.secret}` })).status, 200);
  assert.equal(await svc.store.revokeKey(c.key.id), true);
  const revoked = await expectError(await get('/api/captures', { authorization: `Bearer ${c.secret}` }), 401, 'BAD_API_KEY');
  assert.match(String(revoked.error.message), /revoked/);
  await expectError(await upload(PUBLIC_PCAP, '', { authorization: `Bearer ${c.secret}` }), 401, 'BAD_API_KEY');
});

test('the same bytes uploaded by another key take the capture over without revealing the first submission', async () => {
  // B holds A's private capture's bytes: its upload answers as new (nothing of A's job shows) and is B's.
  const r = await upload(PRIVATE_PCAP, '?visibility=private', auth('B'));
  const body = await json<{ id: string; existing: boolean; job: Job }>(r);
  assert.equal(r.status, 201, JSON.stringify(body));
  assert.equal(body.existing, false);
  assert.notEqual(body.job.submitter, keyAId);
  await waitDone(privateId, auth('B'));
  assert.equal((await get(`/api/captures/${privateId}`, auth('B'))).status, 200);
  assert.equal((await get(`/api/captures/${privateId}`, {})).status, 404);
  // Put it back as A's for anything that runs later.
  assert.equal((await upload(PRIVATE_PCAP, '?visibility=private', auth('A'))).status, 201);
  await waitDone(privateId, auth('A'));
  assert.equal((await svc.store.capture(privateId))?.submitter, keyAId);
});

test('--require-key: anonymous uploads refused with KEY_REQUIRED, keyed ones accepted, reads stay open', async () => {
  const at = await serve({ requireKey: true, rateLimit: GENEROUS });
  await expectError(await upload(PUBLIC_PCAP, '', {}, at), 401, 'KEY_REQUIRED');
  const r = await upload(PUBLIC_PCAP, '', auth('B'), at);
  assert.equal(r.status, 200, 'the existing public capture comes back');
  assert.equal((await json<{ id: string }>(r)).id, publicId);
  assert.equal((await get(`/api/captures/${publicId}`, {}, at)).status, 200);
});

test('rate limits: 429 RATE_LIMITED with Retry-After per key or address, uploads in their own smaller bucket', async () => {
  const at = await serve({ rateLimit: { max: 3, uploadMax: 1, windowMs: 60_000 } });
  for (let i = 0; i < 3; i++) assert.equal((await get('/api/captures', {}, at)).status, 200);
  const limited = await get('/api/captures', {}, at);
  const body = await expectError(limited, 429, 'RATE_LIMITED');
  const retry = Number(limited.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${limited.headers.get('retry-after')}`);
  assert.equal(body.error.retryAfterS, retry);
  // Another key has its own bucket; health and the OpenAPI document are not limited.
  assert.equal((await get('/api/captures', auth('A'), at)).status, 200);
  assert.equal((await get('/healthz', {}, at)).status, 200);
  // Uploads count apart from reads: A has read once, uploads once, then is limited.
  assert.equal((await upload(PUBLIC_PCAP, '', auth('A'), at)).status, 200);
  const upLimited = await expectError(await upload(PUBLIC_PCAP, '', auth('A'), at), 429, 'RATE_LIMITED');
  assert.ok(Number(upLimited.error.retryAfterS) >= 1, 'the upload route keeps retryAfterS in its 429 body');
  assert.equal((await get('/api/captures', auth('A'), at)).status, 200);
});

test('the OpenAPI document names both ways to send a key, and 401/429 on every /api/ operation', async () => {
  const doc = await json<{
    components: { securitySchemes: Record<string, { type: string; scheme?: string; name?: string }> };
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  }>(await get('/openapi.json'));
  assert.deepEqual(Object.values(doc.components.securitySchemes).map((s) => s.scheme ?? s.name).sort(), ['X-Api-Key', 'bearer']);
  const ops = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/')).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ p, m, op })));
  assert.ok(ops.length >= 7);
  for (const { p, m, op } of ops) {
    assert.ok(op.responses['401'] && op.responses['429'], `${m} ${p}`);
  }
});

test('CORS stays off: no Access-Control-Allow-Origin on requests or preflights from another origin', async () => {
  const r = await get('/api/captures', { origin: 'https://evil.example' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  const pre = await fetch(`${base}/api/captures`, {
    method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });
  await pre.arrayBuffer();
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  assert.equal(pre.headers.get('access-control-allow-headers'), null);
});

function capdex(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('keys CLI: add prints a secret the running server accepts, list shows it (never the secret), revoke ends it', async () => {
  const added = await capdex(['keys', 'add', 'ci bot', '--data', dir]);
  assert.equal(added.code, 0, added.stderr);
  const secret = added.stdout.trim();
  assert.match(secret, /^cdx_[A-Za-z0-9_-]{43}$/);
  const id = /key (key_[0-9a-f]{12})/.exec(added.stderr)?.[1];
  assert.ok(id, added.stderr);
  // The server (another process's connection to the same store) accepts it at once.
  assert.equal((await get('/api/captures', { authorization: `Bearer ${secret}` })).status, 200);

  const adminAdded = await capdex(['keys', 'add', 'root', '--admin', '--json', '--db', join(dir, 'capdex.db')]);
  assert.equal(adminAdded.code, 0, adminAdded.stderr);
  const adminKey = JSON.parse(adminAdded.stdout) as { key: { id: string; admin: boolean }; secret: string };
  assert.equal(adminKey.key.admin, true);
  assert.equal((await get(`/api/captures/${privateId}`, { 'x-api-key': adminKey.secret })).status, 200, 'a CLI admin key sees private captures');

  const list = await capdex(['keys', 'list', '--data', dir]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^${id}\\s+key\\s+\\S+\\s+active\\s+ci bot$`, 'm'));
  assert.match(list.stdout, new RegExp(`^${adminKey.key.id}\\s+admin\\s`, 'm'));
  assert.ok(!list.stdout.includes(secret) && !list.stdout.includes(adminKey.secret), 'no secret listed');

  const revoked = await capdex(['keys', 'revoke', id, '--data', dir]);
  assert.equal(revoked.code, 0, revoked.stderr);
  await expectError(await get('/api/captures', { authorization: `Bearer ${secret}` }), 401, 'BAD_API_KEY');
  const again = await capdex(['keys', 'revoke', id, '--data', dir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no active key/);
  const listed = (await capdex(['keys', 'list', '--json', '--data', dir])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; revokedAt?: number });
  assert.ok(listed.find((k) => k.id === id)?.revokedAt);

  const store = await openStore({ sqlite: join(dir, 'capdex.db') });
  try {
    assert.equal((await store.keyBySecret(secret))?.id, id);
  } finally {
    await store.close();
  }
});
