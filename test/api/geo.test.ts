/**
 * GET /api/geo/{ip} and POST /api/geo over a real server (127.0.0.1, port 0): known public
 * addresses land in the right country and AS, private/special-purpose ones answer { private: true },
 * the AS of range boundaries taken from the package's dotted-address CSVs (a second, independent
 * form of the data) matches what the numeric table answers, and bad input is refused or flagged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { GEO_BATCH_MAX } from '../../src/api/routes/geo.js';

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-geo-'));
  svc = await openService({ dataDir: dir }, { worker: false });
  app = await buildApi(svc, { rateLimit: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Geo { ip: string; private?: boolean; invalid?: boolean; country?: string | null; city?: string | null; lat?: number | null; lon?: number | null; asn?: number | null; org?: string | null }

async function geo(ip: string): Promise<{ status: number; body: Geo & { error?: { code: string } } }> {
  const r = await fetch(`${base}/api/geo/${encodeURIComponent(ip)}`);
  return { status: r.status, body: (await r.json()) as Geo & { error?: { code: string } } };
}

async function batch(ips: string[]): Promise<{ status: number; body: Geo[] }> {
  const r = await fetch(`${base}/api/geo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ips }) });
  return { status: r.status, body: (await r.json()) as Geo[] };
}

test('well-known resolvers: country, coordinates, AS and organisation (IPv4, IPv6, IPv4-mapped)', async () => {
  const google = await geo('8.8.8.8');
  assert.equal(google.status, 200);
  assert.equal(google.body.country, 'US');
  assert.equal(google.body.asn, 15169);
  assert.match(google.body.org ?? '', /Google/);
  assert.ok(typeof google.body.lat === 'number' && Math.abs(google.body.lat) <= 90);
  assert.ok(typeof google.body.lon === 'number' && Math.abs(google.body.lon) <= 180);
  const cf = await geo('1.1.1.1');
  assert.equal(cf.body.asn, 13335);
  assert.match(cf.body.org ?? '', /Cloudflare/);
  const v6 = await geo('2001:4860:4860::8888');
  assert.equal(v6.body.asn, 15169);
  assert.ok(v6.body.country);
  const mapped = await geo('::ffff:8.8.8.8');
  assert.equal(mapped.body.ip, '8.8.8.8');
  assert.equal(mapped.body.asn, 15169);
});

test('private, loopback, link-local, CGNAT, documentation and multicast addresses answer { private: true }', async () => {
  for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '192.0.2.10', '224.0.0.251', '255.255.255.255', '::1', 'fe80::1', 'fd00::1', 'ff02::fb', '2001:db8::1']) {
    const r = await geo(ip);
    assert.equal(r.status, 200, ip);
    assert.equal(r.body.private, true, ip);
    assert.equal(r.body.country, undefined, ip);
  }
  // Just outside the private blocks: public.
  for (const ip of ['172.32.0.1', '11.0.0.1', '100.128.0.1']) assert.notEqual((await geo(ip)).body.private, true, ip);
});

test('the AS at both ends of ranges read from the dotted CSVs matches the numeric table', async () => {
  const asnDir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'));
  for (const file of ['asn-ipv4.csv', 'asn-ipv6.csv']) {
    const lines = readFileSync(join(asnDir, file), 'utf8').split('\n').filter(Boolean);
    const picks: string[][] = [];
    for (let i = 0; i < 40; i++) picks.push(lines[Math.floor((i + 0.5) * lines.length / 40)].split(','));
    const ips = picks.flatMap((f) => [f[0], f[1]]);
    const r = await batch(ips);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, ips.length);
    let checked = 0;
    for (let i = 0; i < picks.length; i++) {
      const [a, b] = [r.body[2 * i], r.body[2 * i + 1]];
      if (a.private || b.private) continue; // a range inside a special-purpose block
      assert.equal(a.asn, Number(picks[i][2]), `${file} ${picks[i].join(',')}`);
      assert.equal(b.asn, Number(picks[i][2]), `${file} ${picks[i].join(',')}`);
      checked++;
    }
    assert.ok(checked >= 30, `${file}: ${checked} ranges checked`);
  }
});

test('batch: answers in request order, bad entries flagged, more than the limit refused; GET refuses a non-address', async () => {
  const r = await batch(['8.8.8.8', 'not-an-ip', '10.0.0.1', '<script>alert(1)</script>', '1.1.1.1']);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.map((g) => g.ip), ['8.8.8.8', 'not-an-ip', '10.0.0.1', '<script>alert(1)</script>', '1.1.1.1']);
  assert.equal(r.body[1].invalid, true);
  assert.equal(r.body[2].private, true);
  assert.equal(r.body[3].invalid, true);
  assert.equal(r.body[4].asn, 13335);
  const big = await batch(new Array<string>(GEO_BATCH_MAX + 1).fill('8.8.8.8'));
  assert.equal(big.status, 400);
  const full = await batch(new Array<string>(GEO_BATCH_MAX).fill('9.9.9.9'));
  assert.equal(full.status, 200);
  assert.equal(full.body.length, GEO_BATCH_MAX);
  for (const bad of ['999.1.1.1', '1.2.3', 'example.com', '1::2::3']) {
    const g = await geo(bad);
    assert.equal(g.status, 400, bad);
    assert.equal(g.body.error?.code, 'BAD_REQUEST');
  }
});
