/**
 * GET /api/whois/{value} over a real server, against whois servers this test runs on 127.0.0.1
 * (no internet here): an IANA-like server refers names to a registry, whose answer is returned;
 * answers are cached; a server that never stops talking is cut at the size cap; a silent one times
 * out as 502; control bytes are dropped; private addresses and non-names are 400; referral loops end;
 * /api/fields lists the search language's fields.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { registeredDomain, referralIn, whoisQueryOf } from '../../src/whois/index.js';
import { TtlLru } from '../../src/whois/cache.js';

const ANSWER_CAP = 4096;

interface FakeServer { server: Server; port: number; queries: string[] }

/** A whois server: reads one CRLF-terminated query, then lets `respond` write to the socket. */
async function fakeWhois(respond: (query: string, socket: Socket) => void): Promise<FakeServer> {
  const queries: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n');
      if (end < 0) return;
      const q = buf.slice(0, end);
      queries.push(q);
      respond(q, socket);
    });
  });
  server.on('close', () => { for (const s of sockets) s.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const closeAll = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => { for (const s of sockets) s.destroy(); return closeAll(cb); }) as typeof server.close;
  return { server, port: (server.address() as { port: number }).port, queries };
}

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;
let registry: FakeServer, iana: FakeServer, arin: FakeServer, flood: FakeServer, silent: FakeServer, loop: FakeServer;

async function apiFor(whois: Parameters<typeof buildApi>[1]): Promise<{ app: FastifyInstance; base: string }> {
  const a = await buildApi(svc, { rateLimit: false, ...whois });
  return { app: a, base: await a.listen({ host: '127.0.0.1', port: 0 }) };
}

before(async () => {
  registry = await fakeWhois((q, s) => s.end(`Domain Name: ${q.toUpperCase()}\r\nRegistrar: <script>window.__pwned=1</script>\r\nBell\u0007 and NUL\u0000 gone\r\n`));
  iana = await fakeWhois((q, s) => s.end(`% IANA WHOIS server\r\nrefer:        127.0.0.1:${registry.port}\r\n\r\ndomain:       ${q.split('.').pop()!.toUpperCase()}\r\n`));
  arin = await fakeWhois((q, s) => s.end(`NetRange: ${q} - ${q}\nOrgName: Example Org\n`));
  flood = await fakeWhois((_q, s) => {
    // 16 KB a turn of the event loop, up to 16 MB or until the client hangs up (never blocking the loop).
    const chunk = Buffer.alloc(16 * 1024, 0x41);
    let sent = 0;
    const pump = () => {
      if (s.destroyed || sent >= 16 * 1024 * 1024) return;
      s.write(chunk);
      sent += chunk.length;
      setImmediate(pump);
    };
    pump();
  });
  silent = await fakeWhois(() => { /* never answers */ });
  loop = await fakeWhois((_q, s) => s.end(`refer: 127.0.0.1:${loop.port}\n`));
  dir = mkdtempSync(join(tmpdir(), 'capdex-whois-'));
  svc = await openService({ dataDir: dir, worker: false });
  ({ app, base } = await apiFor({ whois: { domainServer: `127.0.0.1:${iana.port}`, ipServer: `127.0.0.1:${arin.port}`, timeoutMs: 2000, maxBytes: ANSWER_CAP } }));
});
after(async () => {
  await app?.close();
  await svc?.close().catch(() => {});
  for (const f of [registry, iana, arin, flood, silent, loop]) await new Promise((r) => f?.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function get(b: string, value: string): Promise<{ status: number; body: Record<string, any> }> {
  const r = await fetch(`${b}/api/whois/${encodeURIComponent(value)}`);
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}

test('a host name is asked as its registered domain; the IANA referral is followed to the registry', async () => {
  const r = await get(base, 'www.Example.COM.');
  assert.equal(r.status, 200);
  assert.equal(r.body.query, 'example.com');
  assert.equal(r.body.kind, 'domain');
  assert.deepEqual(r.body.servers, [`127.0.0.1:${iana.port}`, `127.0.0.1:${registry.port}`]);
  assert.match(r.body.text, /^Domain Name: EXAMPLE\.COM\n/);
  // Hostile text stays text (the UI renders it as such); control bytes are gone.
  assert.match(r.body.text, /<script>window.__pwned=1<\/script>/);
  assert.match(r.body.text, /Bell and NUL gone/);
  assert.equal(r.body.cached, false);
  assert.deepEqual(iana.queries, ['example.com']);
  assert.deepEqual(registry.queries, ['example.com']);
});

test('the second lookup of a value is served from the cache', async () => {
  const r = await get(base, 'example.com');
  assert.equal(r.status, 200);
  assert.equal(r.body.cached, true);
  assert.equal(iana.queries.length, 1);
  assert.equal(registry.queries.length, 1);
});

test('concurrent lookups of one value share one query', async () => {
  const rs = await Promise.all([1, 2, 3, 4].map(() => get(base, 'shared.example.net')));
  for (const r of rs) assert.equal(r.status, 200);
  assert.equal(registry.queries.filter((q) => q === 'example.net').length, 1);
});

test('an IP goes to the address server, normalised', async () => {
  const r = await get(base, '2001:4860:0:0:0:0:0:8888');
  assert.equal(r.status, 200);
  assert.equal(r.body.kind, 'ip');
  assert.equal(r.body.query, '2001:4860::8888');
  assert.match(r.body.text, /OrgName: Example Org/);
  assert.equal(arin.queries.at(-1), '2001:4860::8888');
});

test('private addresses and things that are no name are 400 BAD_WHOIS_QUERY, without asking anyone', async () => {
  const before = arin.queries.length + iana.queries.length;
  for (const v of ['10.1.2.3', '192.168.0.1', '127.0.0.1', 'fe80::1', '::1', '<img src=x>', 'nodot', 'a..b.com']) {
    const r = await get(base, v);
    assert.equal(r.status, 400, v);
    assert.equal(r.body.error.code, 'BAD_WHOIS_QUERY', v);
  }
  assert.equal(arin.queries.length + iana.queries.length, before);
});

test('an endless answer is cut at the size cap and marked truncated; a silent server is 502 after the timeout', async () => {
  const f = await apiFor({ whois: { domainServer: `127.0.0.1:${flood.port}`, ipServer: `127.0.0.1:${silent.port}`, timeoutMs: 300, maxBytes: ANSWER_CAP } });
  try {
    const r = await get(f.base, 'flood.example');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.truncated, true);
    assert.equal(r.body.text.length, ANSWER_CAP);
    const s = await get(f.base, '8.8.8.8');
    assert.equal(s.status, 502);
    assert.equal(s.body.error.code, 'WHOIS_UNAVAILABLE');
    assert.match(s.body.error.message, /did not answer within 300 ms/);
    assert.equal(silent.queries.at(-1), '8.8.8.8');
  } finally {
    await f.app.close();
  }
});

test('a referral loop ends; a refused connection is 502', async () => {
  const f = await apiFor({ whois: { domainServer: `127.0.0.1:${loop.port}`, ipServer: '127.0.0.1:1', timeoutMs: 1000 } });
  try {
    const r = await get(f.base, 'loop.example');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.servers, [`127.0.0.1:${loop.port}`]);
    assert.equal(loop.queries.length, 1);
    const refused = await get(f.base, '1.1.1.1');
    assert.equal(refused.status, 502);
  } finally {
    await f.app.close();
  }
});

test('helpers: registered domains, referral lines, query checks, the LRU with TTL', () => {
  assert.equal(registeredDomain('a.b.example.co.uk'), 'example.co.uk');
  assert.equal(registeredDomain('a.b.example.de'), 'example.de');
  assert.equal(registeredDomain('example.com'), 'example.com');
  assert.deepEqual(referralIn('ReferralServer: whois://whois.ripe.net\n'), { host: 'whois.ripe.net', port: 43 });
  assert.deepEqual(referralIn('   Registrar WHOIS Server: whois.markmonitor.com\n'), { host: 'whois.markmonitor.com', port: 43 });
  assert.equal(referralIn('ReferralServer: rwhois://rwhois.example.net:4321\n'), undefined);
  assert.equal(referralIn('refer: http://evil/\n'), undefined);
  assert.equal(referralIn('nothing here'), undefined);
  assert.deepEqual(whoisQueryOf('[2001:db9::1]'), { query: '2001:db9::1', kind: 'ip' });
  assert.throws(() => whoisQueryOf('2001:db8::1'), /reserved/);
  let now = 0;
  const lru = new TtlLru<number>(2, 100, () => now);
  lru.set('a', 1); lru.set('b', 2);
  assert.equal(lru.get('a'), 1); // a is now the most recent
  lru.set('c', 3);
  assert.equal(lru.get('b'), undefined);
  assert.equal(lru.get('a'), 1);
  assert.equal(lru.size, 2);
  now = 150;
  assert.equal(lru.get('c'), undefined);
});

test('GET /api/fields lists every log\'s fields with types, in the names the query language takes', async () => {
  const r = await fetch(`${base}/api/fields`);
  assert.equal(r.status, 200);
  const body = (await r.json()) as { logs: string[]; fields: { name: string; type: string; log?: string }[] };
  const names = new Set(body.fields.map((f) => f.name));
  for (const n of ['dns.query', 'http.user_agent', 'conn.id.resp_h', 'ssl.ja3', 'alert.signature', 'uid', 'ts']) assert.ok(names.has(n), n);
  assert.equal(body.fields.find((f) => f.name === 'conn.id.resp_h')?.type, 'addr');
  assert.ok(body.logs.includes('alert') && body.logs.includes('conn'));
  // Every listed name parses and resolves in a real search (the catalog and the compiler agree).
  for (const n of ['dns.query', 'alert.signature', 'conn.id.resp_h', 'files.sha256', 'conn.duration']) {
    const value = body.fields.find((f) => f.name === n)?.type === 'addr' ? '10.0.0.1' : '1';
    const s = await fetch(`${base}/api/search?q=${encodeURIComponent(`${n}:${value}`)}`);
    assert.equal(s.status, 200, n);
  }
  // A bad query's error carries its position and what was expected (the search page draws the caret from it).
  const bad = await fetch(`${base}/api/search?q=${encodeURIComponent('dns.query:')}`);
  const err = ((await bad.json()) as { error: { code: string; position: number; expected: string } }).error;
  assert.equal(err.code, 'BAD_QUERY');
  assert.equal(err.position, 'dns.query:'.length);
  assert.match(err.expected, /value/);
});
