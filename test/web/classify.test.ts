/**
 * Value classification (web/src/lib/classify.ts) under node: every kind from a real-looking value,
 * field hints that only apply when the value fits, hostile values staying text, and the search
 * quoting that row tools put in /search?q=.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, isIpv6, isPublicIp, kindOfValue, searchFor, CLASSIFY_MAX_CHARS } from '../../web/src/lib/classify.js';
import { parseQuery } from '../../src/store/query/index.js';

test('values by shape', () => {
  const cases: [string, string][] = [
    ['192.168.1.10', 'ipv4'], ['255.255.255.255', 'ipv4'], ['256.1.1.1', 'text'],
    ['2001:db8::1', 'ipv6'], ['fe80::1%eth0', 'ipv6'], ['::ffff:10.0.0.1', 'ipv6'], ['::', 'ipv6'],
    ['1:2:3:4:5:6:7:8', 'ipv6'], ['1::2::3', 'text'], ['12:34', 'text'],
    ['www.example.com', 'domain'], ['EXAMPLE.org.', 'domain'], ['_ldap._tcp.dc.local', 'domain'], ['1.2.3', 'text'],
    ['http://evil.example/a?b=c', 'url'], ['HTTPS://x.y/', 'url'], ['javascript:alert(1)', 'text'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5'], ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256'],
    ['t13d1516h2_8daaf6152771_b186095e22b6', 'ja4'],
    ['user@example.com', 'email'], ['<user@example.com>', 'text'],
    ['CHhAvVGS1DHFjwGM9', 'uid'], ['FHhAvVGS1DHFjwGM9', 'fuid'],
    ['1:LQU9qZlK+B5F3KDmev6m5PMibrg=', 'community_id'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'user_agent'],
    ['443', 'number'], ['-1.5', 'number'], ['', 'text'], ['hello world', 'text'],
  ];
  for (const [v, k] of cases) assert.equal(kindOfValue(v), k, v);
});

test('field hints: ja3 and cert fingerprints need the right shape, filenames and user agents take any text', () => {
  assert.equal(classify('d41d8cd98f00b204e9800998ecf8427e', 'ssl.ja3').kind, 'ja3');
  assert.equal(classify('d41d8cd98f00b204e9800998ecf8427e', 'ja3s').kind, 'ja3s');
  assert.equal(classify('<img src=x>', 'ja3').kind, 'text');
  assert.equal(classify('d41d8cd98f00b204e9800998ecf8427e', 'md5').kind, 'md5');
  assert.equal(classify('da39a3ee5e6b4b0d3255bfef95601890afd80709', 'x509.fingerprint').kind, 'cert_fp');
  assert.equal(classify('<script>x</script>', 'user_agent').kind, 'user_agent');
  assert.equal(classify('invoice.pdf.exe', 'files.filename').kind, 'filename');
  assert.equal(classify('report.docx', 'orig_filenames').kind, 'filename');
  assert.equal(classify('t13d1516h2_8daaf6152771_b186095e22b6', 'ja4').kind, 'ja4');
  assert.equal(classify('10.0.0.1', 'filename').kind, 'ipv4');
  // A base62 token outside a uid column is not taken for a connection.
  assert.equal(classify('CHhAvVGS1DHFjwGM9', 'uid').kind, 'uid');
  assert.equal(classify('CHhAvVGS1DHFjwGM9', 'notice.uids').kind, 'uid');
  assert.equal(classify('CHhAvVGS1DHFjwGM9', 'cookie').kind, 'text');
});

test('pivot types are the server\'s observable types', () => {
  assert.equal(classify('10.1.2.3', 'id.orig_h').pivot, 'ip');
  assert.equal(classify('2001:db8::1').pivot, 'ip');
  assert.equal(classify('example.com', 'dns.query').pivot, 'domain');
  assert.equal(classify('CHhAvVGS1DHFjwGM9', 'uid').pivot, 'uid');
  assert.equal(classify('hello world').pivot, undefined);
  assert.equal(classify(443, 'id.resp_p').kind, 'number');
  assert.equal(classify(1700000000.5, 'ts').kind, 'time');
  assert.equal(classify(null).kind, 'text');
  assert.equal(classify(true, 'AA').kind, 'bool');
});

test('hostile values: long, odd and pathological inputs classify quickly as text', () => {
  assert.equal(kindOfValue('a'.repeat(CLASSIFY_MAX_CHARS + 1)), 'text');
  assert.equal(isIpv6(':'.repeat(60)), false);
  // Backtracking bait for the domain and email expressions: must return (node --test would time out).
  for (const v of ['a.'.repeat(1000) + '!', 'a'.repeat(2000) + '@', ('a-'.repeat(900)) + '.', 'x@' + 'a.'.repeat(1000)]) {
    assert.equal(['text', 'domain', 'email'].includes(kindOfValue(v)), true);
  }
});

test('searchFor quotes values so the query language reads them back exactly', () => {
  for (const v of ['plain', 'with "quotes"', 'back\\slash', '<script>alert(1)</script>', 'a OR b']) {
    const q = parseQuery(searchFor('http.uri', v));
    const term = q.filter as { kind: string; field?: { name: string }; value?: { text?: string } };
    assert.equal(term.kind, 'match', v);
    assert.equal(term.field?.name, 'http.uri');
    assert.equal(term.value?.text, v);
  }
  assert.equal(searchFor('', 'x'), '"x"');
});

test('public addresses (whois is offered only for them)', () => {
  for (const v of ['8.8.8.8', '1.1.1.1', '2001:4860::8888', '::ffff:8.8.4.4']) assert.equal(isPublicIp(v), true, v);
  for (const v of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '224.0.0.251',
    '255.255.255.255', '198.51.100.80', '192.0.2.1', '203.0.113.9', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '2001:db8::1',
    '::ffff:10.0.0.1', 'example.com']) assert.equal(isPublicIp(v), false, v);
  assert.equal(isPublicIp('172.32.0.1'), true);
});
