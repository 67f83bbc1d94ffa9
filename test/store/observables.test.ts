/** Observable normalisation and extraction: what the index holds for a record, and pivot input. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObservableExtractor, normaliseObservable, OBSERVABLE_FIELDS, reversed, type ObservableRow } from '../../src/store/observables.js';
import { OBSERVABLE_TYPES } from '../../src/store/store.js';
import { OBSERVABLE_VALUE_MAX_CHARS, OBSERVABLES_PER_RECORD_MAX } from '../../src/store/limits.js';
import { DNS_LOG } from '../../src/engine/analyzers/dns/dns-log.js';
import { HTTP_LOG } from '../../src/engine/analyzers/http/http-log.js';
import { SMTP_LOG } from '../../src/engine/analyzers/smtp/smtp-log.js';
import { EVE_LOG } from '../../src/engine/detect/eve-log.js';
import { LOG_SCHEMAS } from '../../src/store/query/log-catalog.js';
import { ipKey, reverseValue } from '../../src/store/query/observable-keys.js';

const rows = (schema: Parameters<ObservableExtractor['extract']>[0], rec: Record<string, unknown>): ObservableRow[] => {
  const out: ObservableRow[] = [];
  new ObservableExtractor().extract(schema, rec, out);
  return out;
};
const pairs = (r: ObservableRow[]): string[] => r.map((o) => `${o.type} ${o.field} ${o.value}`).sort();

describe('normaliseObservable', () => {
  it('makes IPs canonical: IPv6 compressed lower-case, IPv4-mapped as IPv4, brackets and zones dropped', () => {
    assert.equal(normaliseObservable('ip', '2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(normaliseObservable('ip', '::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normaliseObservable('ip', '[fe80::1%eth0]'), 'fe80::1');
    assert.equal(normaliseObservable('ip', ' 10.0.0.1 '), '10.0.0.1');
    for (const bad of ['256.1.1.1', '1.2.3', 'example.com', '', ':::', '1'.repeat(100)]) assert.equal(normaliseObservable('ip', bad), undefined, bad);
  });
  it('lower-cases domains and drops the trailing dot; text with blanks is no domain', () => {
    assert.equal(normaliseObservable('domain', 'WWW.Example.COM.'), 'www.example.com');
    assert.equal(normaliseObservable('domain', 'RRSIG 1 example.com'), undefined);
    assert.equal(normaliseObservable('domain', '...'), undefined);
  });
  it('writes URLs as host/path?query with the host lower-cased and the path as sent', () => {
    assert.equal(normaliseObservable('url', 'HTTP://Evil.Example:8080/A/b?Q=1'), 'evil.example:8080/A/b?Q=1');
    assert.equal(normaliseObservable('url', 'evil.example'), 'evil.example/');
    assert.equal(normaliseObservable('url', 'evil.example?x'), 'evil.example/?x');
    assert.equal(normaliseObservable('url', '/only/a/path'), undefined);
  });
  it('lower-cases hashes and drops the colons of fingerprints; emails keep only the address', () => {
    assert.equal(normaliseObservable('sha1', 'AA:BB:CC'), 'aabbcc');
    assert.equal(normaliseObservable('cert_fp', 'De:Ad'), 'dead');
    assert.equal(normaliseObservable('email', '"Bob" <Bob@Example.ORG>'), 'bob@example.org');
    assert.equal(normaliseObservable('email', 'no address here'), undefined);
  });
  it('keeps user agents and file names as sent, cut at the limit without splitting a surrogate pair', () => {
    assert.equal(normaliseObservable('user_agent', 'Mozilla/5.0 (X)'), 'Mozilla/5.0 (X)');
    const long = 'a'.repeat(OBSERVABLE_VALUE_MAX_CHARS - 1) + '🦈' + 'b';
    const v = normaliseObservable('filename', long)!;
    assert.equal(v.length, OBSERVABLE_VALUE_MAX_CHARS - 1);
    assert.ok(!/[\ud800-\udbff]$/.test(v));
  });
  it('knows every type it lists, and every listed field exists in its log (or is an EVE path)', () => {
    for (const t of OBSERVABLE_TYPES) assert.doesNotThrow(() => normaliseObservable(t, 'x'));
    const schemas = new Map(LOG_SCHEMAS.map((s) => [s.path === 'eve' ? 'alert' : s.path, s]));
    for (const o of OBSERVABLE_FIELDS) {
      const s = schemas.get(o.log);
      assert.ok(s, `log ${o.log}`);
      if (o.log !== 'alert') assert.ok(s.fields.some((f) => f.name === o.field), `${o.log}.${o.field}`);
    }
  });
});

describe('ObservableExtractor', () => {
  const id = { ts: 1, uid: 'C1', 'id.orig_h': '10.0.0.1', 'id.orig_p': 1, 'id.resp_h': '2001:DB8::53', 'id.resp_p': 53 };
  it('splits DNS answers into addresses and names, and indexes every addr field as ip', () => {
    const r = rows(DNS_LOG, { ...id, query: 'Example.com.', answers: ['192.0.2.7', 'alias.example.net', 'RRSIG 1 x', '192.0.2.7'] });
    assert.deepEqual(pairs(r), [
      'domain answers alias.example.net', 'domain query example.com', 'ip answers 192.0.2.7',
      'ip id.orig_h 10.0.0.1', 'ip id.resp_h 2001:db8::53',
    ]);
    const ip = r.find((o) => o.field === 'id.orig_h')!;
    assert.equal(ip.ipkey, '00000000000000000000ffff0a000001');
    assert.equal(ip.rvalue, null);
    const d = r.find((o) => o.field === 'query')!;
    assert.equal(d.rvalue, reverseValue('example.com'));
    assert.equal(d.ipkey, null);
  });
  it('keys every address row from the canonical value (one parse at ingest, the same key the compiler makes)', () => {
    const forms = ['10.0.0.1', ' 192.0.2.255 ', '::ffff:192.0.2.1', '[fe80::1%eth0]', '2001:DB8:0:0:0:0:0:1', '::', '::1', '0.0.0.0',
      '255.255.255.255', '1:2:3:4:5:6:7:8', '::ffff:0:0', '64:ff9b::192.0.2.33', '2001:db8::1.2.3.4'];
    const x = new ObservableExtractor();
    for (let pass = 0; pass < 2; pass++) { // the second pass answers from the address cache
      for (const form of forms) {
        const out: ObservableRow[] = [];
        x.extract(DNS_LOG, { ...id, 'id.orig_h': form }, out);
        const row = out.find((o) => o.field === 'id.orig_h');
        const value = normaliseObservable('ip', form);
        assert.equal(row?.value, value, form);
        if (row) assert.equal(row.ipkey, ipKey(row.value), form);
      }
    }
  });
  it('reverses values as reverseValue does (surrogate pairs kept, a leading U+FEFF kept, values past the cap)', () => {
    for (const v of ['example.com', 'a', '', '\uFEFFbom.example', 'x\u0000y', 'caf\u00e9.\u4f8b\u3048', 'emoji\u{1F600}.example',
      'lone\uD800x', 'q'.repeat(OBSERVABLE_VALUE_MAX_CHARS), 'r'.repeat(OBSERVABLE_VALUE_MAX_CHARS + 5) + 'end']) {
      assert.equal(reversed(v), reverseValue(v), JSON.stringify(v.slice(0, 20)));
    }
  });
  it('derives the HTTP url from host and uri (absolute URIs of proxies as they are) and the domain without port', () => {
    const r = rows(HTTP_LOG, { ...id, host: 'WWW.Example.com:8080', uri: '/a?b=1', user_agent: 'UA/1' });
    assert.ok(pairs(r).includes('url uri www.example.com:8080/a?b=1'));
    assert.ok(pairs(r).includes('domain host www.example.com'));
    assert.ok(pairs(r).includes('host host www.example.com:8080'));
    assert.ok(pairs(r).includes('user_agent user_agent UA/1'));
    const proxy = rows(HTTP_LOG, { ...id, host: 'proxy', uri: 'http://Other.Example/x' });
    assert.ok(pairs(proxy).includes('url uri other.example/x'));
    const ipHost = rows(HTTP_LOG, { ...id, host: '192.0.2.1:80', uri: '/' });
    assert.ok(!pairs(ipHost).some((p) => p.startsWith('domain')), 'an address in Host is no domain');
  });
  it('takes the address out of mail headers', () => {
    const r = rows(SMTP_LOG, { ...id, mailfrom: '<A@x.org>', to: ['Bob <bob@Y.org>', 'c@z.org'] });
    assert.deepEqual(pairs(r).filter((p) => p.startsWith('email')), ['email mailfrom a@x.org', 'email to bob@y.org', 'email to c@z.org']);
  });
  it('walks nested EVE documents, arrays of objects included', () => {
    const r = rows(EVE_LOG, {
      timestamp: 'x', src_ip: '10.0.0.9', dest_ip: '198.51.100.1', event_type: 'alert',
      dns: { query: [{ rrname: 'A.example' }, { rrname: 'b.example' }, 'junk', null] }, tls: { ja3: { hash: 'ABC' }, sni: 'Sni.Example' },
    });
    assert.deepEqual(pairs(r), [
      'domain dns.query.rrname a.example', 'domain dns.query.rrname b.example', 'domain tls.sni sni.example',
      'ip dest_ip 198.51.100.1', 'ip src_ip 10.0.0.9', 'ja3 tls.ja3.hash abc',
    ]);
  });
  it('bounds the rows of one record and ignores values of the wrong kind', () => {
    const answers = Array.from({ length: 5000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
    assert.equal(rows(DNS_LOG, { ...id, answers }).length, OBSERVABLES_PER_RECORD_MAX);
    assert.deepEqual(rows(DNS_LOG, { ...id, 'id.orig_h': 42, query: { evil: 1 }, answers: 'not-an-array' }).map((o) => o.field), ['id.resp_h', 'answers']);
  });
});
