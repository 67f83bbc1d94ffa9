/**
 * Every construct of the query language, compiled and run on a real SQLite database holding the
 * records of real captures, compared with the JavaScript evaluator (oracle.ts). Each query that
 * should find something is also checked to find something, so an empty result cannot pass.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery } from '../../../src/store/query/index.js';
import { parseQuery } from '../../../src/store/query/parser.js';
import { Fixture, SCHEMA_BY_LOG, type Row } from './fixture.js';
import { aggregate, evaluate } from './oracle.js';

const CAPTURES = [
  'mixed-arkime-synthetic-many-protocols.pcap',
  'dns-many-record-types.pcap',
  'http-ipv6.pcap',
  'tls-self-signed-cert.pcap',
  'http-pe-exe-download.pcap',
];
const captureId = (i: number) => String(i + 1).repeat(64);

/** Strings a hostile capture can put in a record; stored and searched unchanged. */
const HOSTILE = [
  `it's "quoted" \\ back`,
  "x'; DROP TABLE records; --",
  'nul\u0000inside',
  'ünïcødé 👾 名前',
  '100% _under_ [brackets]',
  'star*and?question',
  'a'.repeat(1 << 20),
];

let fx: Fixture;
before(async () => {
  fx = new Fixture();
  for (const [i, c] of CAPTURES.entries()) await fx.importCapture(c, captureId(i));
  const http = SCHEMA_BY_LOG.get('http')!;
  fx.insertRecords('f'.repeat(64), HOSTILE.map((s, i) => ({
    schema: http,
    rec: { ts: 1800000000 + i, uid: `Chostile${i}`, 'id.orig_h': '192.0.2.1', 'id.orig_p': 1, 'id.resp_h': '192.0.2.2', 'id.resp_p': 80, method: 'GET', host: `hostile${i}.test`, uri: s, user_agent: s },
  })));
});
after(() => fx?.close());

function run(q: string, limit = 10_000): { rows: Row[]; sql: string } {
  const c = compileQuery(q, 'sqlite', { limit });
  if (!c.ok) assert.fail(`${q}: ${c.error.message}`);
  const ids = (fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { id: number }[]).map((r) => r.id);
  const byId = new Map(fx.rows.map((r) => [r.id, r]));
  return { rows: ids.map((id) => byId.get(id)!), sql: c.query.sql };
}

function oracle(q: string): number[] {
  const { filter } = parseQuery(q);
  return fx.rows.filter((r) => evaluate(filter, r)).map((r) => r.id);
}

/** [query, the fewest records it must find] */
const FILTERS: [string, number][] = [
  ['dns.query:example.org', 7],
  ['dns.query:EXAMPLE.ORG.', 7],
  ['dns.query:*.example.com', 3],
  ['dns.query:www.*', 3],
  ['dns.query:*google*', 4],
  ['dns.query:goo?le.com', 3],
  ['dns.query:(example.org OR google.com)', 10],
  ['id.resp_h:10.0.0.0/8', 50],
  ['id.resp_h:2001:db8::/32', 5],
  ['id.resp_h:192.168.170.20', 18],
  ['id.resp_h:::ffff:192.168.170.20', 18],
  ['id.resp_h:[10.0.0.0 TO 10.2.255.255]', 10],
  ['id.resp_h:{10.2.1.1 TO 10.9.1.2}', 10],
  ['id.resp_h:10.2.*', 10],
  ['id.orig_h:fe80::/10', 1],
  ['log:conn AND NOT id.resp_h:10.0.0.0/8', 50],
  ['-log:conn -log:weird', 100],
  ['log:http AND http.method:POST', 1],
  ['http.status_code:>=400', 1],
  ['http.status_code:200', 5],
  ['conn.orig_bytes:[100 TO 1000]', 5],
  ['resp_bytes:{0 TO 500}', 5],
  ['resp_bytes:<100', 5],
  ['resp_bytes:>1000', 1],
  ['ts:[2023-11-14 TO 2023-11-14]', 10],
  ['ts:[2023-11-14T22:00:00Z TO 2023-11-15}', 10],
  ['ts:>2025-01-01', 1],
  ['ts:<=2005-03-30', 1],
  ['dns.ts:>2000-01-01', 50],
  ['dns.ts:2005-03-30', 19],
  ['ts:[1700000100 TO 1700000100.2]', 3],
  ['ts:>=1700000100.04 ts:<1700000100.05', 1],
  ['(dns.query:example.org OR dns.query:google.com) AND id.resp_h:10.0.0.0/8', 1],
  ['log:dns OR log:http AND http.method:POST', 58],
  ['(log:dns OR log:http) AND NOT http.method:GET', 50],
  ['http.host:CA.EXAMPLE.COM', 3],
  ['http.user_agent:mozilla*', 3],
  ['user_agent:Mozilla*', 3],
  ['files.md5:62EF4BDCB9AF85D34E0AFAECD218A19B', 3],
  ['dns.answers:*', 20],
  ['dns.TTLs:>1000', 3],
  ['dns.AA:true', 1],
  ['dns.rejected:false', 1],
  ['conn.service:dns', 10],
  ['conn.proto:udp NOT conn.service:dns', 5],
  ['capture:1111', 100],
  ['capture:2*', 10],
  ['capture:' + '3'.repeat(64), 3],
  ['uid:C0zNbcZDXTKrZyTVoU', 3],
  ['conn.uid:C0zNbcZDXTKrZyTVoU', 1],
  ['community_id:1\\:*', 100],
  ['Mozilla', 3],
  ['"certsrv"', 3],
  ['certs*', 3],
  ['"ca example com"', 3],
  ['Mozilla -log:http', 0],
  ['*', 500],
  ['* -log:conn', 200],
  ['http.uri:"/certsrv/certfnsh.asp"', 2],
  ['x509.certificate.subject:*', 3],
  ['ssl.ja3:* ssl.server_name:*', 1],
  ['ssl.cert_chain_fps:*', 1],
  ['notice.note:*', 1],
  ['NOT NOT dns.query:example.org', 7],
  ['http.uri:"x\'; DROP TABLE records; --"', 1],
  ['http.uri:*DROP*', 1],
  ['http.uri:*%*', 1],
  ['http.uri:100\\%*', 1],
  ['http.uri:*_under_*', 1],
  ['http.uri:star\\*and\\?*', 1],
  ['http.uri:star\\*and?question', 1],
  ['http.user_agent:*👾*', 1],
  ['http.uri:a*', 1],
  ['"ünïcødé"', 1],
  ['"DROP TABLE"', 1],
];

describe('compiled queries on SQLite agree with the evaluator', () => {
  for (const [q, least] of FILTERS) {
    test(q.length > 80 ? q.slice(0, 80) : q, () => {
      const got = run(q).rows.map((r) => r.id);
      const want = oracle(q);
      assert.deepEqual(got, want);
      assert.ok(got.length >= least, `${q}: ${got.length} records, expected at least ${least}`);
    });
  }
});

test('a NUL inside a value reaches SQLite as data: exact matches find it, the rest of the table is untouched', () => {
  const rows = run('http.uri:"nul\u0000inside"').rows;
  assert.equal(rows.length, 1);
  assert.equal(rows[0].doc.uri, 'nul\u0000inside');
  // SQLite's LIKE reads text up to a NUL (documented in compile.ts): a wildcard cannot reach past it.
  assert.deepEqual(run('http.uri:nul*').rows.map((r) => r.uid), ['Chostile2']);
});

test('the tables are intact after the hostile values were searched', () => {
  const n = fx.db.prepare('SELECT count(*) AS n FROM records').get() as { n: number };
  assert.equal(n.n, fx.rows.length);
});

test('pages: limit and offset walk the same order', () => {
  const all = run('log:conn').rows.map((r) => r.id);
  const c = compileQuery('log:conn', 'sqlite', { limit: 10, offset: 5 });
  assert.ok(c.ok);
  const page = (fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { id: number }[]).map((r) => r.id);
  assert.deepEqual(page, all.slice(5, 15));
});

const AGGREGATIONS: string[] = [
  '| count',
  'log:dns | count',
  'log:dns | count by dns.query',
  'log:dns | top 1000 dns.answers',
  '| count by log',
  'id.resp_h:10.0.0.0/8 | count by conn.proto',
  '| count by id.resp_p',
  '| count by capture',
  'http.method:* | values http.method',
  '| values dns.qtype_name 1000',
];

describe('aggregations on SQLite agree with the evaluator', () => {
  for (const q of AGGREGATIONS) {
    test(q, () => {
      const c = compileQuery(q, 'sqlite');
      if (!c.ok) assert.fail(c.error.message);
      const got = fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { key?: unknown; count: number }[];
      const parsed = parseQuery(q);
      const rows = fx.rows.filter((r) => evaluate(parsed.filter, r));
      const want = aggregate(parsed.aggregation!, rows);
      assert.ok(got.length > 0 && got[0].count > 0);
      const norm = (xs: { key?: unknown; count: number }[]) => xs.map((x) => `${x.key === undefined ? '' : String(x.key)}=${x.count}`).sort();
      if (parsed.aggregation!.op === 'values') {
        assert.deepEqual(got.map((x) => String(x.key)).sort(), want.map((x) => String(x.key)).sort());
      } else {
        assert.deepEqual(norm(got), norm(want));
        for (let i = 1; i < got.length; i++) assert.ok(got[i - 1].count >= got[i].count, 'largest groups first');
      }
    });
  }
});

test('top N keeps the N largest groups', () => {
  const c = compileQuery('| top 5 id.resp_h', 'sqlite');
  assert.ok(c.ok);
  const got = fx.db.prepare(c.query.sql).all(...(c.query.params as unknown[])) as { key: string; count: number }[];
  assert.equal(got.length, 5);
  const all = aggregate(parseQuery('| count by id.resp_h').aggregation!, fx.rows).map((x) => x.count).sort((a, b) => b - a);
  assert.deepEqual(got.map((x) => x.count), all.slice(0, 5));
  assert.equal(got[0].key, '192.168.170.20');
});
