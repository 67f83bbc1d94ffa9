/**
 * Heuristics fed synthetic records (behaviours no shared capture holds: beaconing, scans, long
 * and large connections, DGA names, expired certificates, intel lists), each with its
 * near miss, plus hostile records and full state tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySink } from '../../../../src/engine/logs/file-sink.js';
import { CONN_LOG } from '../../../../src/engine/logs/conn-log.js';
import type { LogRecord, LogSchema } from '../../../../src/engine/logs/schema.js';
import { HEURISTICS, HeuristicSink, IntelSet } from '../../../../src/engine/detect/heuristics/index.js';
import { BEACON_MIN_CONNECTIONS, rhythm } from '../../../../src/engine/detect/heuristics/beaconing.js';
import { SCAN_ADDRESS_HOSTS, SCAN_PORT_PORTS } from '../../../../src/engine/detect/heuristics/scanning.js';
import { LONG_CONNECTION_SECONDS } from '../../../../src/engine/detect/heuristics/long-connection.js';
import { LARGE_OUTBOUND_BYTES } from '../../../../src/engine/detect/heuristics/large-outbound.js';
import { scoreLabel } from '../../../../src/engine/detect/heuristics/dga-domain.js';
import { BENIGN_DOMAIN_LABELS, BENIGN_DOMAIN_SOURCE } from '../../../../src/engine/detect/heuristics/benign-domains.generated.js';
import { benignDomainsSource } from '../../../../src/engine/detect/heuristics/benign-domains-source.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../helpers.js';
import { extensionOf, disguises } from '../../../../src/engine/detect/heuristics/disguised-executable.js';
import { splitName } from '../../../../src/engine/detect/heuristics/domain-names.js';
import { suspiciousUserAgent } from '../../../../src/engine/detect/heuristics/user-agent.js';
import { BoundedTable, CappedSet } from '../../../../src/engine/detect/heuristics/bounded-table.js';

const schema = (path: string): LogSchema => (path === 'conn' ? CONN_LOG : { path, doc: '', fields: [] });

/** Feeds records through the heuristics and returns what came out. */
function feed(records: [string, LogRecord][], intel?: IntelSet): MemorySink {
  const out = new MemorySink();
  const h = new HeuristicSink(out, HEURISTICS, intel ? { intel } : {});
  for (const [path, r] of records) h.write(schema(path), r);
  h.finish();
  return out;
}

let seq = 0;
function conn(ts: number, orig: string, resp: string, port: number, extra: LogRecord = {}): [string, LogRecord] {
  return ['conn', { ts, uid: `C${(seq++).toString().padStart(17, '0')}`, 'id.orig_h': orig, 'id.orig_p': 40000 + (seq % 20000), 'id.resp_h': resp, 'id.resp_p': port, proto: 'tcp', conn_state: 'SF', ...extra }];
}

const notes = (s: MemorySink, note: string): LogRecord[] => s.get('notice').filter((n) => n.note === note);

test('beaconing: a 60 s rhythm with ±10 % jitter is reported with its period; irregular or short series are not', () => {
  let x = 7;
  const rand = (): number => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const regular = Array.from({ length: 20 }, (_, i) => conn(1000 + i * 60 + (rand() - 0.5) * 12, '10.0.0.5', '203.0.113.9', 8443));
  const s = feed(regular);
  const [n, ...rest] = notes(s, 'Capdex::Beaconing');
  assert.equal(rest.length, 0);
  assert.equal(n.n, 20);
  assert.match(n.msg as string, /every (5[7-9]|6[0-3])\.\d s/);
  assert.equal((n.uids as string[]).length, 20);
  // Irregular: exponential-ish gaps.
  const irregular = Array.from({ length: 20 }, (_, i) => conn(1000 + i * i * 7 + rand() * 30, '10.0.0.6', '203.0.113.9', 8443));
  assert.equal(notes(feed(irregular), 'Capdex::Beaconing').length, 0);
  // Too few, and periodic-by-design ports.
  assert.equal(notes(feed(regular.slice(0, BEACON_MIN_CONNECTIONS - 1)), 'Capdex::Beaconing').length, 0);
  assert.equal(notes(feed(Array.from({ length: 20 }, (_, i) => conn(i * 64, '10.0.0.5', '10.0.0.1', 123, { proto: 'udp' }))), 'Capdex::Beaconing').length, 0);
  assert.equal(rhythm([1, 1.5, 2, 2.5, 3, 3.5, 4]), undefined, 'sub-2 s repeats are bursts, not check-ins');
});

test('scanning: one host probing a port on many hosts, or many ports on one host, mostly failing', () => {
  const sweep = Array.from({ length: SCAN_ADDRESS_HOSTS + 5 }, (_, i) => conn(i, '198.51.100.7', `10.1.0.${i + 1}`, 445, { conn_state: i % 5 === 4 ? 'SF' : 'S0' }));
  const s = feed(sweep);
  const [a] = notes(s, 'Capdex::Address_Scan');
  assert.equal(a.n, SCAN_ADDRESS_HOSTS + 5);
  assert.equal(a.p, 445);
  assert.match(a.msg as string, /198\.51\.100\.7 scanned 30 hosts on port 445/);
  const ports = Array.from({ length: SCAN_PORT_PORTS + 3 }, (_, i) => conn(i, '198.51.100.8', '10.1.0.1', 20 + i, { conn_state: 'REJ' }));
  const [p] = notes(feed(ports), 'Capdex::Port_Scan');
  assert.equal(p.n, SCAN_PORT_PORTS + 3);
  assert.equal(p.dst, '10.1.0.1');
  // Below threshold, or successful connections (a busy client), are not scans.
  assert.equal(notes(feed(sweep.slice(0, SCAN_ADDRESS_HOSTS - 1)), 'Capdex::Address_Scan').length, 0);
  const busy = Array.from({ length: 60 }, (_, i) => conn(i, '10.0.0.9', `10.2.0.${i + 1}`, 443, { conn_state: 'SF' }));
  assert.equal(feed(busy).get('notice').filter((n) => /Scan/.test(n.note as string)).length, 0);
});

test('long connections and large outbound transfers, with their near misses', () => {
  const s = feed([
    conn(1, '10.0.0.5', '203.0.113.1', 22, { duration: LONG_CONNECTION_SECONDS + 1, service: 'ssh' }),
    conn(2, '10.0.0.5', '203.0.113.1', 22, { duration: LONG_CONNECTION_SECONDS - 1, service: 'ssh' }),
    conn(3, '192.168.1.4', '198.51.100.20', 443, { orig_bytes: LARGE_OUTBOUND_BYTES * 2, service: 'ssl' }),
    conn(4, '198.51.100.20', '192.168.1.4', 443, { orig_bytes: LARGE_OUTBOUND_BYTES * 2 }), // inbound
    conn(5, '192.168.1.4', '192.168.1.5', 445, { orig_bytes: LARGE_OUTBOUND_BYTES * 2 }), // internal
    conn(6, '192.168.1.4', '198.51.100.20', 443, { orig_bytes: LARGE_OUTBOUND_BYTES - 1 }),
    conn(7, '203.0.113.7', '198.51.100.20', 443, { orig_bytes: LARGE_OUTBOUND_BYTES, local_orig: true, local_resp: false }), // --local-nets says local
    conn(8, '10.0.0.7', '198.51.100.20', 443, { orig_bytes: LARGE_OUTBOUND_BYTES, local_orig: false, local_resp: false }), // --local-nets says not
  ]);
  assert.deepEqual(notes(s, 'Capdex::Long_Connection').map((n) => n.ts), [1]);
  assert.deepEqual(notes(s, 'Capdex::Large_Outbound_Transfer').map((n) => n.ts), [3, 7]);
});

test('DGA model: random-looking registered names score as DGA, the training labels and other popular names do not', () => {
  const dga = ['qgxkzrnwubmjvh', 'xjvnpqkdlzrt', 'kgbtwzqfhxy', 'f3j9dk2lqpx8', 'wbvirkgnzlcq', 'nxkqwjvypzmd', 'gdtvhqlrwpbz'];
  for (const l of dga) assert.equal(scoreLabel(l)?.dga, true, l);
  const heldOut = ['stackoverflow', 'microsoftonline', 'cloudfront', 'doubleclick', 'googlesyndication', 'salesforce', 'letsencrypt', 'crowdstrike', 'duckduckgo', 'paloaltonetworks', 'windowsupdate', 'steampowered', 'mercadolibre', 'homealldaylong', 'kaspersky', 'rubygems'];
  for (const l of [...BENIGN_DOMAIN_LABELS, ...heldOut]) assert.notEqual(scoreLabel(l)?.dga, true, l);
  assert.equal(scoreLabel('qq'), undefined, 'short labels are not scored');
  assert.equal(scoreLabel('xn--80ak6aa92e'), undefined, 'IDN labels are not scored');
  assert.equal(scoreLabel('cyber\\xf2ity'), undefined, 'corrupted names (escaped bytes) are not scored');
});

test('DGA heuristic: one notice per DGA-like domain with its queries, NXDOMAINs and hosts; benign lookups none', () => {
  const q = (ts: number, query: string, rcode = 'NXDOMAIN'): [string, LogRecord] => ['dns', { ts, uid: `Cdns${ts}`, 'id.orig_h': '10.0.0.5', 'id.orig_p': 5353, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, query, rcode_name: rcode }];
  const s = feed([q(1, 'qgxkzrnwubmjvh.com'), q(2, 'www.qgxkzrnwubmjvh.com'), q(3, 'xjvnpqkdlzrt.net'), q(4, 'www.wikipedia.org', 'NOERROR'), q(5, 'mail.google.com', 'NOERROR'), q(6, 'stackoverflow.co.uk', 'NOERROR')]);
  const ns = notes(s, 'Capdex::DGA_Domain');
  assert.deepEqual(ns.map((n) => (n.msg as string).split(' ')[3]), ['qgxkzrnwubmjvh.com,', 'xjvnpqkdlzrt.net,']);
  assert.equal(ns[0].n, 2);
  assert.match(ns[0].sub as string, /2 queries, 2 NXDOMAIN, from 1 host/);
});

test('certificates: an expired host certificate and a not-yet-valid one, joined to their TLS connections', () => {
  const x509 = (fp: string, ts: number, before: number, after: number): [string, LogRecord] => ['x509', { ts, fingerprint: fp, 'certificate.subject': `CN=${fp}`, 'certificate.not_valid_before': before, 'certificate.not_valid_after': after, host_cert: true, client_cert: false, self_signed: false }];
  const ssl = (uid: string, fp: string, ts: number): [string, LogRecord] => ['ssl', { ts, uid, 'id.orig_h': '10.0.0.5', 'id.orig_p': 50000, 'id.resp_h': '203.0.113.5', 'id.resp_p': 443, version: 'TLSv12', server_name: 'a.example', cert_chain_fps: [fp] }];
  const day = 86400;
  const s = feed([
    x509('old', 100 * day, 1 * day, 90 * day), ssl('C1', 'old', 100 * day), ssl('C2', 'old', 100 * day + 5),
    x509('future', 100 * day, 120 * day, 500 * day), ssl('C3', 'future', 100 * day),
    x509('fine', 100 * day, 1 * day, 500 * day), ssl('C4', 'fine', 100 * day),
    x509('skewed', 100 * day, 100 * day + 60, 500 * day), ssl('C5', 'skewed', 100 * day),
  ]);
  const [exp] = notes(s, 'Capdex::Certificate_Expired');
  assert.deepEqual(exp.uids, ['C1', 'C2']);
  assert.match(exp.msg as string, /expired 10\.0 days before the capture/);
  assert.deepEqual(notes(s, 'Capdex::Certificate_Not_Valid_Yet').map((n) => n.uid), ['C3']);
  assert.equal(notes(s, 'Capdex::TLS_Bare_IP').length, 0);
});

test('intel: Zeek intel files load (bad lines reported, the rest kept) and matches become Intel_Match notices', () => {
  const intel = new IntelSet();
  intel.load([
    '#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc',
    '203.0.113.66\tIntel::ADDR\tfeed-a\tc2',
    'evil.example\tIntel::DOMAIN\tfeed-b\t-',
    'EVIL.example\tIntel::DOMAIN\tfeed-c\t-',
    '44d88612fea8a8f36de82e1278abb02f\tIntel::FILE_HASH\tfeed-a\teicar',
    'e7d705a3286e19ea42f587b344ee6865\tIntel::JA3\tja3er\t-',
    'nonsense\tIntel::WHATEVER\tx\t-',
    '198.51.100.0/24\tIntel::SUBNET\tfeed-d\t-',
    'not-an-ip\tIntel::ADDR\tx\t-',
    'a.example/payload.bin\tIntel::URL\tfeed-e\t-',
  ].join('\n'), 'list.intel');
  assert.deepEqual(intel.problems.map((p) => p.line), [7, 9]);
  assert.equal(intel.size, 6);
  const s = feed([
    conn(1, '10.0.0.5', '203.0.113.66', 443),
    conn(2, '10.0.0.5', '198.51.100.77', 80),
    ['dns', { ts: 3, uid: 'Cd', 'id.orig_h': '10.0.0.5', 'id.orig_p': 1, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, query: 'cdn.Evil.Example.' }],
    ['files', { ts: 4, fuid: 'F1', uid: 'Cf', md5: '44D88612FEA8A8F36DE82E1278ABB02F', mime_type: 'text/plain' }],
    ['ssl', { ts: 5, uid: 'Cs', 'id.orig_h': '10.0.0.5', 'id.orig_p': 2, 'id.resp_h': '203.0.113.8', 'id.resp_p': 443, version: 'TLSv12', server_name: 'ok.example', ja3: 'e7d705a3286e19ea42f587b344ee6865' }],
    ['http', { ts: 6, uid: 'Ch', 'id.orig_h': '10.0.0.5', 'id.orig_p': 3, 'id.resp_h': '203.0.113.9', 'id.resp_p': 80, method: 'GET', host: 'a.example', uri: '/payload.bin', user_agent: 'Mozilla/5.0' }],
  ], intel);
  const hits = notes(s, 'Capdex::Intel_Match');
  assert.deepEqual(hits.map((n) => (n.msg as string).replace(/^Intel hit on (\S+) \((Intel::\w+)\) in (\S+) (\S+).*$/, '$2 $3 $4')), [
    'Intel::ADDR conn.log id.resp_h', 'Intel::SUBNET conn.log id.resp_h', 'Intel::DOMAIN dns.log query', 'Intel::FILE_HASH files.log md5', 'Intel::JA3 ssl.log ja3', 'Intel::URL http.log host+uri',
  ]);
  assert.match(hits[2].sub as string, /feed-b, feed-c/);
  assert.equal(hits[3].fuid, 'F1');
});

test('hostile records: wrong field types and absent fields raise nothing and throw nothing', () => {
  const junk: LogRecord[] = [{}, { ts: 'x', uid: 5 }, { query: 42 }, { 'id.orig_h': {}, duration: '99999' }, { cert_chain_fps: 'abc' }, { resp_fuids: [1, null] }, { user_agent: ['a'], method: 'GET' }, { service: 7, 'id.resp_p': 'http' }];
  const recs: [string, LogRecord][] = [];
  for (const path of ['conn', 'dns', 'http', 'ssl', 'x509', 'files', 'ftp', 'smtp', 'snmp', 'credentials']) for (const j of junk) recs.push([path, j]);
  const s = feed(recs);
  assert.ok(s.get('notice').every((n) => typeof n.note === 'string'));
  assert.equal(s.get('notice').filter((n) => n.note !== 'Capdex::Suspicious_User_Agent').length, 0);
});

test('helpers: registered-domain split, URI extensions, user agents', () => {
  assert.deepEqual(splitName('a.b.example.co.uk'), { parent: 'example.co.uk', registered: 'example', sub: 'a.b' });
  assert.deepEqual(splitName('example.co.uk'), { parent: 'example.co.uk', registered: 'example', sub: '' });
  assert.deepEqual(splitName('www.google.com'), { parent: 'google.com', registered: 'google', sub: 'www' });
  assert.deepEqual(splitName('co.uk'), { parent: 'co.uk', registered: 'co', sub: '' });
  assert.deepEqual(splitName('localhost'), { parent: 'localhost', registered: '', sub: '' });
  assert.equal(splitName('dnscat.0a1b.2c3d')?.parent, 'dnscat');
  assert.equal(splitName('10.1.2.3'), undefined);
  assert.equal(extensionOf('/a/b/tablone.PNG?x=1.exe'), 'png');
  assert.equal(extensionOf('/download'), '');
  assert.ok(disguises('/img/logo.png') && !disguises('/setup.exe') && !disguises('/get.php') && !disguises('/file'));
  assert.equal(suspiciousUserAgent(undefined), 'no User-Agent');
  assert.match(suspiciousUserAgent('${jndi:ldap://x/a}')!, /Log4Shell/);
  assert.match(suspiciousUserAgent('sqlmap/1.7')!, /attack/);
  assert.equal(suspiciousUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'), undefined);
  assert.equal(suspiciousUserAgent('curl/8.4.0'), undefined);
});

test('state tables are capped: a full table refuses new keys, keeps counting old ones, and reports once', () => {
  const reported: string[] = [];
  const log = { notice: () => {}, limitReached: (name: string) => { reported.push(name); } };
  const t = new BoundedTable<string, { n: number }>(3, 'test table');
  for (const k of ['a', 'b', 'c', 'd', 'e', 'a']) { const v = t.upsert(k, () => ({ n: 0 }), log); if (v) v.n++; }
  assert.equal(t.size, 3);
  assert.equal(t.get('a')!.n, 2);
  assert.equal(t.get('d'), undefined);
  assert.deepEqual(reported, ['test table']);
  const c = new CappedSet(2);
  for (const v of ['x', 'y', 'z', 'x', 'w']) c.add(v);
  assert.equal(c.items.size, 2);
  assert.equal(c.count, 4);
});

test('a full table shows in weird.log as heuristic_state_limit, once', () => {
  const out = new MemorySink();
  const h = new HeuristicSink(out, HEURISTICS);
  h.limitReached('x', '1');
  h.limitReached('x', '1');
  assert.deepEqual(out.get('weird').map((w) => [w.name, w.addl, w.source]), [['heuristic_state_limit', 'x 1', 'heuristics']]);
});

test('benign-domains.generated.ts is the generator\'s output (no hand edits), with its provenance', () => {
  const file = readFileSync(join(ROOT, 'src/engine/detect/heuristics/benign-domains.generated.ts'), 'utf8');
  assert.equal(benignDomainsSource(BENIGN_DOMAIN_LABELS.map((l) => `www.${l}.com`), BENIGN_DOMAIN_SOURCE), file);
  assert.match(BENIGN_DOMAIN_SOURCE, /^top-sites@\d+\.\d+\.\d+ \(MIT licence/);
  assert.ok(BENIGN_DOMAIN_LABELS.length > 400 && new Set(BENIGN_DOMAIN_LABELS).size === BENIGN_DOMAIN_LABELS.length);
});
