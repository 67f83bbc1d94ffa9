/**
 * The queries the end-to-end tests run (every construct of the language), the captures they run
 * on, and the hostile records added to them: shared by the SQLite and the backend tests.
 */
import type { LogRecord, LogSchema } from '../../../src/engine/logs/schema.js';
import { HTTP_LOG } from '../../../src/engine/analyzers/http/http-log.js';

export const CAPTURES = [
  'mixed-arkime-synthetic-many-protocols.pcap',
  'dns-many-record-types.pcap',
  'http-ipv6.pcap',
  'tls-self-signed-cert.pcap',
  'http-pe-exe-download.pcap',
];
export const captureId = (i: number) => String(i + 1).repeat(64);

/** Strings a hostile capture can put in a record; stored and searched unchanged. */
export const HOSTILE = [
  `it's "quoted" \\ back`,
  "x'; DROP TABLE records; --",
  'nul\u0000inside',
  'ünïcødé 👾 名前',
  '100% _under_ [brackets]',
  'star*and?question',
  'a'.repeat(1 << 20),
];

/** The hostile records, as http.log records of capture ffff… */
export const HOSTILE_CAPTURE = 'f'.repeat(64);
export function hostileRecords(): { schema: LogSchema; rec: LogRecord }[] {
  return HOSTILE.map((s, i) => ({
    schema: HTTP_LOG,
    rec: { ts: 1800000000 + i, uid: `Chostile${i}`, 'id.orig_h': '192.0.2.1', 'id.orig_p': 1, 'id.resp_h': '192.0.2.2', 'id.resp_p': 80, method: 'GET', host: `hostile${i}.test`, uri: s, user_agent: s },
  }));
}

/** [query, the fewest records it must find] */
export const FILTERS: [string, number][] = [
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
  ['http.user_agent:' + 'a'.repeat(2000), 1],
  ['"ünïcødé"', 1],
  ['"DROP TABLE"', 1],
  ['"x\'; DROP"', 1],
  ['\\*', 0],
  ['"-"', 0],
];

export const AGGREGATIONS: string[] = [
  '| count',
  'log:dns | count',
  'log:dns | count by dns.query',
  'log:dns | top 1000 dns.answers',
  '| count by log',
  'id.resp_h:10.0.0.0/8 | count by conn.proto',
  // Counted from the observables index alone (query/index.ts countObservables): a record with two
  // matching values (dns.answers) counts once.
  'id.resp_h:10.0.0.0/8 | count',
  'dns.query:*.com | count',
  'dns.answers:* | count',
  'id.resp_h:[10.0.0.0 TO 10.255.255.255] | count',
  'user_agent:Mozilla* | count',
  '| count by id.resp_p',
  '| count by capture',
  'http.method:* | values http.method',
  '| values dns.qtype_name 1000',
];

