/**
 * The compiler: values only ever travel as parameters (the SQL text holds none of them, in both
 * dialects), parameters line up with placeholders, the right index is asked for, and values that
 * do not fit their field are errors with the value's position.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { compileQuery, type CompiledQuery, type Dialect } from '../../../src/store/query/index.js';
import { migrate } from '../../../src/store/sqlite/migrations.js';

function ok(q: string, dialect: Dialect = 'sqlite'): CompiledQuery {
  const c = compileQuery(q, dialect);
  if (!c.ok) return assert.fail(`${q}: ${c.error.message}`);
  return c.query;
}

function placeholders(sql: string, dialect: Dialect): number {
  return dialect === 'sqlite' ? (sql.match(/\?/g) ?? []).length : new Set(sql.match(/\$\d+/g) ?? []).size;
}

describe('values are parameters, never SQL text', () => {
  // [query, literals that must not appear in the SQL, parameters that must]
  const cases: [string, string[], unknown[]][] = [
    ['dns.query:evil.example.org', ['evil'], ['domain', 'query', 'dns', 'evil.example.org']],
    ['dns.query:*.duckdns.org', ['duckdns'], ['gro.sndkcud.']],
    ['id.resp_h:10.0.0.0/8', ['10.0.0.0'], ['00000000000000000000ffff0a000000', '00000000000000000000ffff0affffff']],
    ['id.resp_h:2001:DB8::1', ['2001', 'db8'], ['2001:db8::1']],
    ['resp_bytes:>1000000', ['1000000'], [1000000]],
    ['ts:[2024-01-01 TO 2024-02-01]', ['2024', '1704067200'], [1704067200, 1706832000]],
    ['http.uri:"x\'); DROP TABLE records; --"', ['DROP', "x'"], ["x'); DROP TABLE records; --"]],
    ['http.user_agent:"Mozilla\\" OR 1=1"', ['Mozilla', '1=1'], ['Mozilla" OR 1=1']],
    ['"\'; DELETE FROM records"', ['DELETE'], ['"\'; DELETE FROM records"']],
    ['log:http\'--', ["http'"], ["http'--"]],
    ['capture:abcdef12', ['abcdef'], ['abcdef12']],
    ['uid:"C1\u0000x"', ['C1'], ['C1\u0000x']],
    ['dns.AA:true', ['true'], ['true']],
    ['http.uri:/a%_b*', ['/a'], ['/a\\%\\_b%']],
    ['| top 7 dns.query', ['7'], [7]],
  ];
  for (const dialect of ['sqlite', 'pg'] as const) {
    for (const [q, literals, params] of cases) {
      test(`${dialect}: ${q}`, () => {
        const c = ok(q, dialect);
        for (const l of literals) assert.ok(!c.sql.toLowerCase().includes(l.toLowerCase()), `${JSON.stringify(l)} in ${c.sql}`);
        for (const p of params) {
          if (dialect === 'pg' && q.startsWith('"') && typeof p === 'string') continue; // PG free text is a LIKE pattern
          assert.ok(c.params.some((x) => x === p), `${JSON.stringify(p)} not in ${JSON.stringify(c.params)}`);
        }
        assert.equal(placeholders(c.sql, dialect), c.params.length);
        if (dialect === 'pg') assert.ok(!c.sql.includes('?'), c.sql);
      });
    }
  }
});

test('field names reach SQL only as JSON-path parameters', () => {
  const c = ok('x509.certificate.subject:*evil* | count by alert.signature');
  assert.ok(!c.sql.includes('certificate') && !c.sql.includes('signature'));
  assert.ok(c.params.includes('$."certificate.subject"'));
  assert.ok(c.params.includes('$."alert"."signature"'));
  const pg = ok('alert.signature:x', 'pg');
  assert.ok(pg.params.some((p) => Array.isArray(p) && p.join('/') === 'alert/signature'));
});

test('the index each kind of term asks for (SQLite plans)', () => {
  const db = new Database(':memory:');
  migrate(db);
  const plan = (q: string) => {
    const c = ok(q);
    return (db.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.params) as { detail: string }[]).map((r) => r.detail).join('\n');
  };
  assert.match(plan('dns.query:example.org'), /observables_type_value \(type=\? AND value=\?\)/);
  assert.match(plan('dns.query:www.*'), /observables_type_value \(type=\? AND value>\? AND value<\?\)/);
  assert.match(plan('dns.query:*.example.com'), /observables_type_rvalue \(type=\? AND rvalue>\? AND rvalue<\?\)/);
  assert.match(plan('id.resp_h:10.0.0.0/8'), /observables_type_ipkey \(type=\? AND ipkey>\? AND ipkey<\?\)/);
  assert.match(plan('uid:Cabc'), /records_uid \(uid=\?\)/);
  assert.match(plan('community_id:"1:abc"'), /records_community_id \(community_id=\?\)/);
  assert.match(plan('capture:abcdef12'), /records_capture_log_ts \(capture_id>\? AND capture_id<\?\)/);
  assert.match(plan('Mozilla'), /records_fts VIRTUAL TABLE INDEX 0:M/);
  // Records are fetched by rowid from the index's answer, never scanned.
  assert.doesNotMatch(plan('dns.query:example.org AND NOT id.resp_h:10.0.0.0/8'), /SCAN records\b/);
  db.close();
});

describe('values that do not fit their field are errors at the value', () => {
  const cases: [string, number, string][] = [
    ['dns.qurey:x', 0, 'a field of dns'],
    ['nosuchfield:x', 0, 'a field name'],
    ['resp_bytes:lots', 11, 'a number'],
    ['resp_bytes:1*', 11, 'a number'],
    ['resp_bytes:[1 TO many]', 17, 'a number'],
    ['ts:yesterday', 3, 'a time'],
    ['ts:2024-02-30', 3, 'a time'],
    ['ts:[2024-01-01 TO 2024-13-01]', 18, 'a time'],
    ['dns.AA:maybe', 7, 'true or false'],
    ['id.resp_h:10.0.0.300', 10, 'an IP address or CIDR block'],
    ['id.resp_h:10.0.0.0/33', 19, 'a prefix length'],
    ['id.resp_h:2001:db8::/129', 21, 'a prefix length'],
    ['id.resp_h:[10.0.0.1 TO x]', 23, 'an IP address or CIDR block'],
    ['http.uri:[a TO b]', 0, 'a number, time or address field'],
    ['log:>3', 0, 'a number, time or address field'],
    ['*foo', 0, 'a word with at most a trailing *'],
    ['""', 0, 'a word or a non-empty phrase'],
    ['a | count by nosuch', 13, 'a field name'],
  ];
  for (const [q, position, expected] of cases) {
    test(q, () => {
      const c = compileQuery(q, 'sqlite');
      assert.ok(!c.ok, `${q} compiled`);
      assert.equal(c.error.expected, expected);
      assert.equal(c.error.position, position);
      assert.match(c.error.message, new RegExp(`at column ${position + 1}$`));
    });
  }

  test('an unknown field suggests the nearest one', () => {
    const c = compileQuery('dns.qurey:x', 'sqlite');
    assert.ok(!c.ok && /did you mean 'dns.query'/.test(c.error.message));
    const d = compileQuery('id.resp_hh:1.2.3.4', 'pg');
    assert.ok(!d.ok && /did you mean 'id.resp_h'/.test(d.error.message));
  });

  test('free-text wildcards other than a trailing * are fine on PostgreSQL (a LIKE over the text)', () => {
    assert.ok(compileQuery('*foo', 'pg').ok);
  });
});

describe('fields resolve per the schemas', () => {
  test('a log prefix scopes, a key without one spans logs', () => {
    assert.ok(ok('http.method:GET').params.includes('http'));
    assert.ok(!ok('method:GET').params.includes('http'));
  });
  test('ts, uid and community_id are columns, also with a log prefix', () => {
    assert.match(ok('dns.ts:>5').sql, /records\.ts >/);
    assert.match(ok('conn.uid:C1').sql, /records\.log = \? AND \(records\.uid = \?/);
  });
  test('EVE paths: alert.* walks the document, top-level EVE keys need no prefix', () => {
    assert.ok(ok('alert.signature_id:2001').params.includes('$."alert"."signature_id"'));
    assert.ok(ok('alert.http.hostname:x').params.includes('$."http"."hostname"'));
    assert.match(ok('src_ip:10.0.0.0/8').sql, /o\.ipkey/);
  });
  test('an IPv4-mapped IPv6 address is the IPv4 address', () => {
    assert.ok(ok('id.resp_h:::ffff:10.1.2.3').params.includes('10.1.2.3'));
  });
  test('a domain value is normalised as ingest does (lower-case, no trailing dot)', () => {
    assert.ok(ok('dns.query:WWW.Example.COM.').params.includes('www.example.com'));
  });
  test('a value ingest would not index is looked up in the document', () => {
    const c = ok('dns.query:"two words"');
    assert.ok(!c.sql.includes('observables') && c.params.includes('two words'));
  });
  test('one observables match counted reads the index alone; anything more reads the records', () => {
    for (const d of ['sqlite', 'pg'] as const) {
      for (const q of ['dns.query:*.duckdns.org | count', 'id.resp_h:10.0.0.0/8 | count', 'id.resp_h:[10.0.0.0 TO 10.0.0.9] | count']) {
        const c = ok(q, d);
        assert.match(c.sql, /^SELECT count\(DISTINCT rids\.\w+\) AS count FROM observables/, `${d} ${q}`);
        assert.ok(!/\brecords\b/.test(c.sql), `${d} ${q}`);
      }
      for (const q of ['dns.query:*.duckdns.org AND log:dns | count', 'dns.query:"two words" | count', 'NOT dns.query:x | count', 'dns.query:x | count by log']) {
        assert.match(ok(q, d).sql, /FROM records/, `${d} ${q}`);
      }
      const viewer = compileQuery('dns.query:x | count', d, {}, { keyId: 'k1', admin: false });
      assert.ok(viewer.ok && /JOIN captures AS c ON c\.key = o\.capture_key/.test(viewer.query.sql) && viewer.query.params.includes('k1'), d);
    }
  });
});
