/**
 * app-layer-event and only_frag/no_frag on real and built captures: the weirds our parsers raise
 * become Suricata's events (src/engine/detect/app-events.ts), on the side that sent the anomaly;
 * only_frag fires on exactly the frames where tshark completes an IP reassembly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../helpers.js';
import { parseRules } from '../../../src/engine/detect/rules/parser.js';
import { APP_EVENTS, KNOWN_APP_EVENTS } from '../../../src/engine/detect/app-events.js';
import { tcpSessionPcap } from '../analyzers/ssh/build-ssh.js';
import type { LogRecord } from '../../../src/engine/logs/schema.js';

const SURICATA_EVENT_RULES = [
  'alert dns any any -> any any (msg:"SURICATA DNS malformed request data"; flow:to_server; app-layer-event:dns.malformed_data; sid:2240002;)',
  'alert dns any any -> any any (msg:"SURICATA DNS malformed response data"; flow:to_client; app-layer-event:dns.malformed_data; sid:2240003;)',
  'alert http any any -> any any (msg:"SURICATA HTTP request field missing colon"; flow:established,to_server; app-layer-event:http.request_field_missing_colon; flowint:http.anomaly.count,+,1; sid:2221002;)',
  'alert http any any -> any any (msg:"SURICATA HTTP response field missing colon"; flow:established,to_client; app-layer-event:http.response_field_missing_colon; sid:2221020;)',
  'alert http any any -> any any (msg:"SURICATA HTTP invalid request chunk len"; flow:established,to_server; app-layer-event:http.invalid_request_chunk_len; sid:2221003;)',
  'alert smtp any any -> any any (msg:"SURICATA SMTP invalid reply"; flow:established,to_client; app-layer-event:smtp.invalid_reply; sid:2220000;)',
  'alert tls any any -> any any (msg:"SURICATA TLS invalid handshake message"; flow:established; app-layer-event:tls.invalid_handshake_message; sid:2230003;)',
].join('\n');

const FRAG_RULES = [
  'alert ip any any -> any any (msg:"rebuilt from fragments"; flow:only_frag; sid:1;)',
  'alert icmp any any -> any any (msg:"echo not from fragments"; flow:no_frag; itype:8; sid:2;)',
  'alert icmp any any -> any any (msg:"echo"; itype:8; sid:3;)',
].join('\n');

async function alerts(file: string, text: string): Promise<{ eve: LogRecord[]; weird: LogRecord[] }> {
  const parsed = parseRules(text, { file: 'test.rules' });
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.unsupported.size, 0, [...parsed.unsupported.keys()].join(', '));
  const { sink } = await run(file, { rules: parsed.rules });
  return { eve: sink.get('eve'), weird: sink.get('weird') };
}

const sid = (e: LogRecord): number => (e.alert as { signature_id: number }).signature_id;

test('app-layer-event: every mapped event loads; an event no weird raises is unsupported by name; a bad name is an error', () => {
  assert.ok(KNOWN_APP_EVENTS.size >= 25, `${KNOWN_APP_EVENTS.size} events`);
  for (const name of KNOWN_APP_EVENTS) {
    const r = parseRules(`alert ip any any -> any any (msg:"x"; app-layer-event:${name}; sid:1;)`, { file: 't' });
    assert.equal(r.rules.length, 1, name);
  }
  for (const m of APP_EVENTS.values()) assert.ok(['http', 'tls', 'dns', 'smtp'].includes(m.proto));
  const r = parseRules([
    'alert http any any -> any any (msg:"a"; app-layer-event:http.uri_delim_non_compliant; sid:1;)',
    'alert http any any -> any any (msg:"b"; app-layer-event:HTTP.Request_Field_Too_Long; sid:2;)',
    'alert http any any -> any any (msg:"c"; app-layer-event:"http.x y"; sid:3;)',
  ].join('\n'), { file: 't' });
  assert.deepEqual([...r.unsupported], [['app-layer-event:http.uri_delim_non_compliant', 1]]);
  assert.deepEqual(r.rules.map((x) => x.sid), [2]);
  assert.equal(r.errors.length, 1);
});

test('dns.malformed_data: the compression-loop message alerts once, on the side that sent it', async () => {
  const file = pcap('bad-dns-compression-loop.pcap');
  const [src, dst] = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst'], { encoding: 'utf8' }).trim().split('\t');
  const { eve, weird } = await alerts(file, SURICATA_EVENT_RULES);
  assert.ok(weird.some((w) => String(w.name).startsWith('DNS_')));
  assert.equal(eve.length, 1);
  const a = eve[0];
  // One packet: its sender is the connection's originator, so the event is to_server.
  assert.equal(sid(a), 2240002);
  assert.deepEqual([a.src_ip, a.dest_ip], [src, dst]);
  assert.equal(a.app_proto, 'dns');
  assert.equal(a.uid, weird[0].uid);
});

test('dns.malformed_data on fuzzed DNS: one alert per connection with a malformed-DNS weird, and tshark flags DNS there too', async () => {
  const file = pcap('bad-fuzz-bigendian-wireshark.pcap');
  const { eve, weird } = await alerts(file, SURICATA_EVENT_RULES);
  const malformed = new Set(weird.filter((w) => APP_EVENTS.get(String(w.name))?.proto === 'dns').map((w) => w.uid));
  assert.ok(eve.length >= 20, `${eve.length} alerts`);
  const perRule = new Set<string>();
  for (const a of eve) {
    assert.ok(malformed.has(a.uid), `alert on ${String(a.uid)} has a DNS weird`);
    const key = `${String(a.uid)} ${sid(a)}`;
    assert.ok(!perRule.has(key), `one alert per connection and rule: ${key}`);
    perRule.add(key);
  }
  // tshark as an independent parser: most alerting port-53 conversations hold a DNS packet it flags.
  // Expert severity 0x600000 and up: tshark's warnings and errors (PI_WARN, PI_ERROR).
  const rows = execFileSync('tshark', ['-r', file, '-Y', 'dns && (_ws.malformed || _ws.expert.severity >= 6291456)', '-T', 'fields', '-e', 'ip.src', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'udp.dstport'], { encoding: 'utf8', maxBuffer: 16 << 20 }).trim().split('\n');
  const pairs = new Set(rows.map((r) => r.split('\t').slice(0, 4)).map(([a, b, c, d]) => [`${a}:${b}`, `${c}:${d}`].sort().join(' ')));
  const on53 = eve.filter((a) => a.src_port === 53 || a.dest_port === 53);
  const agree = on53.filter((a) => pairs.has([`${String(a.src_ip)}:${String(a.src_port)}`, `${String(a.dest_ip)}:${String(a.dest_port)}`].sort().join(' ')));
  assert.ok(on53.length >= 10 && agree.length >= 0.8 * on53.length, `${agree.length} of ${on53.length} port-53 alerts agree with tshark`);
});

test('http events take the side from the packet: a header without colon in a request, then in a response', async () => {
  const req = tcpSessionPcap(50100, 80, [
    [true, Buffer.from('GET /a HTTP/1.1\r\nHost: example.com\r\nBrokenHeaderLine\r\n\r\n')],
    [false, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')],
  ]);
  const r1 = await alerts(req, SURICATA_EVENT_RULES);
  assert.ok(r1.weird.some((w) => w.name === 'HTTP_header_without_colon'));
  assert.deepEqual(r1.eve.map(sid), [2221002]);
  assert.equal(r1.eve[0].direction, 'to_server');
  assert.equal(r1.eve[0].app_proto, 'http');
  const resp = tcpSessionPcap(50101, 80, [
    [true, Buffer.from('GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n')],
    [false, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBrokenHeaderLine\r\n\r\nok')],
  ]);
  const r2 = await alerts(resp, SURICATA_EVENT_RULES);
  assert.deepEqual(r2.eve.map(sid), [2221020]);
  assert.equal(r2.eve[0].direction, 'to_client');
  const chunk = tcpSessionPcap(50102, 80, [
    [true, Buffer.from('POST /u HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n')],
  ]);
  assert.deepEqual((await alerts(chunk, SURICATA_EVENT_RULES)).eve.map(sid), [2221003]);
  // Well-formed HTTP raises none.
  assert.deepEqual((await alerts(pcap('http-get-simple.pcap'), SURICATA_EVENT_RULES)).eve, []);
});

test('smtp.invalid_reply and tls.invalid_handshake_message from the SMTP and TLS parsers', async () => {
  const smtp = tcpSessionPcap(50200, 25, [
    [false, Buffer.from('220 mail.example ESMTP\r\n')],
    [true, Buffer.from('EHLO client\r\n')],
    [false, Buffer.from('this is no reply\r\n')],
  ]);
  const s = await alerts(smtp, SURICATA_EVENT_RULES);
  assert.ok(s.weird.some((w) => w.name === 'smtp_bad_reply'), s.weird.map((w) => w.name).join(', '));
  assert.deepEqual(s.eve.map(sid), [2220000]);
  // A ClientHello whose session id claims 64 bytes (at most 32 are allowed).
  const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03]), Buffer.alloc(32), Buffer.from([0x40]), Buffer.alloc(10)]);
  const t = await alerts(tcpSessionPcap(50201, 443, [[true, hello]]), SURICATA_EVENT_RULES);
  assert.deepEqual(t.weird.map((w) => w.name), ['SSL_malformed_client_hello']);
  // The parser never confirmed TLS: the event itself says which protocol raised it.
  assert.deepEqual(t.eve.map(sid), [2230003]);
  assert.equal(t.eve[0].app_proto, 'tls');
});

function tsharkFrames(file: string, filter: string): number[] {
  return execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
}

for (const name of ['frag-ipv4.pcapng', 'frag-ipv6.pcapng', 'frag-ipv4-dns-udp.pcap']) {
  test(`only_frag fires on the frames where tshark reassembles a datagram (${name}); no_frag never does`, async () => {
    const file = pcap(name);
    const want = tsharkFrames(file, 'ip.reassembled.length || ipv6.reassembled.length');
    assert.ok(want.length > 0);
    const { eve } = await alerts(file, FRAG_RULES);
    const only = eve.filter((e) => sid(e) === 1).map((e) => e.pcap_cnt as number).sort((a, b) => a - b);
    assert.deepEqual(only, want);
    const noFrag = new Set(eve.filter((e) => sid(e) === 2).map((e) => e.pcap_cnt));
    const echo = eve.filter((e) => sid(e) === 3).map((e) => e.pcap_cnt);
    for (const f of echo) assert.equal(noFrag.has(f), !want.includes(f as number), `frame ${String(f)}`);
  });
}
