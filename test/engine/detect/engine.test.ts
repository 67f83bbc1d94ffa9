/**
 * The detection engine on real and built captures: app-layer rules (checked against tshark),
 * stream rules (direction, content split across segments, no duplicate alerts), flowbits across
 * packets, thresholds, and hostile rules that must not hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../helpers.js';
import { parseRules } from '../../../src/engine/detect/rules/parser.js';
import type { Rule } from '../../../src/engine/detect/rules/rule.js';
import type { LogRecord } from '../../../src/engine/logs/schema.js';
import { ACK, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../support/build-pcap.js';

function rules(text: string): Rule[] {
  const r = parseRules(text, { file: 'test.rules' });
  assert.deepEqual(r.errors, [], 'test rules parse');
  assert.equal(r.unsupported.size, 0, `unsupported keywords: ${[...r.unsupported.keys()].join(', ')}`);
  return r.rules;
}

async function alerts(capture: string, ruleText: string, analyzers?: []): Promise<{ eve: LogRecord[]; conn: LogRecord[]; stats: { alerts: number } }> {
  const { sink, result } = await run(capture, { rules: rules(ruleText), ...(analyzers ? { analyzers } : {}) });
  return { eve: sink.get('eve'), conn: sink.get('conn'), stats: result.stats };
}

const sids = (eve: LogRecord[]): number[] => eve.map((e) => (e.alert as { signature_id: number }).signature_id);

function tshark(file: string, ...args: string[]): string[] {
  return execFileSync('tshark', ['-r', file, ...args], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

test('an http.uri rule alerts on http-get-simple.pcap; the alert carries tshark\'s URI and joins conn.log', async () => {
  const file = pcap('http-get-simple.pcap');
  const { eve, conn } = await alerts(file, 'alert http any any -> any any (msg:"GET on the wire"; flow:established,to_server; http.method; content:"GET"; http.uri; content:"/"; startswith; sid:1000001; rev:3;)');
  assert.equal(eve.length, 1);
  const a = eve[0];
  const [uri] = tshark(file, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri');
  assert.equal((a.http as Record<string, unknown>).url, uri);
  assert.equal((a.http as Record<string, unknown>).http_method, 'GET');
  const [src, sport, dst, dport] = tshark(file, '-Y', 'http.request', '-T', 'fields', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport')[0].split('\t');
  assert.deepEqual([a.src_ip, a.src_port, a.dest_ip, a.dest_port], [src, Number(sport), dst, Number(dport)]);
  assert.equal(a.event_type, 'alert');
  assert.equal(a.proto, 'TCP');
  assert.equal(a.app_proto, 'http');
  assert.equal(a.direction, 'to_server');
  assert.match(a.timestamp as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
  const c = conn.find((r) => r.uid === a.uid);
  assert.ok(c, 'alert uid is a conn.log uid');
  assert.equal(a.community_id, c!.community_id);
  assert.deepEqual(a.alert, { action: 'allowed', gid: 1, signature_id: 1000001, rev: 3, signature: 'GET on the wire', category: '', severity: 3 });
});

test('stream rules honour flow:to_server / to_client and report the direction of the bytes', async () => {
  const file = pcap('http-get-simple.pcap');
  const { eve } = await alerts(file, [
    'alert tcp any any -> any any (msg:"request line"; flow:established,to_server; content:"GET /"; sid:11;)',
    'alert tcp any any -> any any (msg:"request line, wrong way"; flow:established,to_client; content:"GET /"; sid:12;)',
    'alert tcp any any -> any any (msg:"status line"; flow:established,to_client; content:"HTTP/1.1 403"; sid:13;)',
    'alert tcp any any -> any any (msg:"status line, wrong way"; flow:to_server; content:"HTTP/1.1 403"; sid:14;)',
  ].join('\n'), []);
  assert.deepEqual(sids(eve).sort(), [11, 13]);
  const toClient = eve.find((e) => sids([e])[0] === 13)!;
  const [server] = tshark(file, '-Y', 'http.response', '-T', 'fields', '-e', 'ip.src');
  assert.equal(toClient.src_ip, server);
  assert.equal(toClient.direction, 'to_client');
  assert.ok(Number(toClient.pcap_cnt) > 0);
});

/** A TCP connection carrying `segments` from client to server after a handshake (seq numbers right). */
function tcpCapture(segments: Buffer[], opts: { order?: number[] } = {}): string {
  const c = { src: '10.1.1.1', dst: '10.2.2.2', sport: 40000, dport: 7777 };
  const frames: FrameSpec[] = [
    { ts: 1, proto: 'tcp', src: c.src, dst: c.dst, sport: c.sport, dport: c.dport, flags: SYN, seq: 100 },
    { ts: 1.1, proto: 'tcp', src: c.dst, dst: c.src, sport: c.dport, dport: c.sport, flags: SYN | ACK, seq: 500, ack: 101 },
    { ts: 1.2, proto: 'tcp', src: c.src, dst: c.dst, sport: c.sport, dport: c.dport, flags: ACK, seq: 101, ack: 501 },
  ];
  let seq = 101;
  const data: FrameSpec[] = segments.map((p) => {
    const f: FrameSpec = { ts: 0, proto: 'tcp', src: c.src, dst: c.dst, sport: c.sport, dport: c.dport, flags: ACK | PSH, seq, ack: 501, payload: p };
    seq += p.length;
    return f;
  });
  const order = opts.order ?? data.map((_, i) => i);
  order.forEach((i, k) => frames.push({ ...data[i], ts: 2 + k * 0.1 }));
  frames.push({ ts: 9, proto: 'tcp', src: c.dst, dst: c.src, sport: c.dport, dport: c.sport, flags: ACK, seq: 501, ack: seq });
  return writeTemp(buildPcap(frames), 'split.pcap');
}

const SPLIT_RULE = 'alert tcp any any -> any 7777 (msg:"split content"; flow:established,to_server; content:"EVIL-PATTERN"; sid:21;)';

test('content split across two TCP segments matches once (also out of order), never again on the same bytes', async () => {
  const segs = [Buffer.from('hello there EVIL-'), Buffer.from('PATTERN and more'), Buffer.from(' trailing bytes, no pattern')];
  const inOrder = await alerts(tcpCapture(segs), SPLIT_RULE, []);
  assert.deepEqual(sids(inOrder.eve), [21]);
  const swapped = await alerts(tcpCapture(segs, { order: [1, 0, 2] }), SPLIT_RULE, []);
  assert.deepEqual(sids(swapped.eve), [21]);
  // Once per chunk at most (as Suricata alerts once per packet), and a later chunk whose window
  // still holds the first match alerts again only on a new occurrence.
  const twice = await alerts(tcpCapture([Buffer.from('EVIL-PAT'), Buffer.from('TERN EVIL-PATTERN'), Buffer.from('x'), Buffer.from('y EVIL-PATTERN')]), SPLIT_RULE, []);
  assert.deepEqual(sids(twice.eve), [21, 21]);
  // An occurrence that starts after the one alerted on and straddles the next boundary alerts too.
  const straddling = await alerts(tcpCapture([Buffer.from('EVIL-PATTERN then EVIL-PAT'), Buffer.from('TERN'), Buffer.from(' and EVIL-PATTERN')]), SPLIT_RULE, []);
  assert.deepEqual(sids(straddling.eve), [21, 21, 21]);
  // A single segment without the pattern: nothing.
  const none = await alerts(tcpCapture([Buffer.from('EVIL-'), Buffer.from('PATTERX')]), SPLIT_RULE, []);
  assert.equal(none.eve.length, 0);
});

test('content split after a stream\'s first few bytes (fewer than the pattern before the split) matches', async () => {
  const { eve } = await alerts(tcpCapture([Buffer.from('EV'), Buffer.from('IL-PATTERN and more')]), SPLIT_RULE, []);
  assert.deepEqual(sids(eve), [21]);
  const three = await alerts(tcpCapture([Buffer.from('E'), Buffer.from('VIL'), Buffer.from('-PATTERN')]), SPLIT_RULE, []);
  assert.deepEqual(sids(three.eve), [21]);
});

test('content split across segments matches wherever the stream\'s retained bytes move in their buffer', async () => {
  // Segments of different sizes, each but the first starting with the end of the pattern and each
  // but the last ending with its start: the splits fall before, at and after moves of the retained
  // tail, and every chunk that alerts also starts the next split.
  const sizes = [700, 1460, 1460, 1460, 1460, 1460, 1460, 333, 1460, 1460, 2900, 1460, 1460, 1460, 1460, 1460, 1460, 1460, 1000, 1460];
  const segs = sizes.map((n, i) => {
    const head = i === 0 ? '' : 'PATTERN';
    const tail = i === sizes.length - 1 ? '' : 'EVIL-';
    return Buffer.from(head + 'x'.repeat(n - head.length - tail.length) + tail);
  });
  const { eve } = await alerts(tcpCapture(segs), SPLIT_RULE, []);
  assert.deepEqual(sids(eve), new Array(sizes.length - 1).fill(21));
});

/** UDP datagrams from one client to one server port, one per payload. */
function udpCapture(payloads: string[], client = '10.1.1.1', sport = 5000): FrameSpec[] {
  return payloads.map((p, i) => ({ ts: 1 + i, proto: 'udp', src: client, dst: '10.9.9.9', sport, dport: 9999, payload: Buffer.from(p) }));
}

test('flowbits: a bit set by one packet is seen by the next packet of the same connection only', async () => {
  const frames = [...udpCapture(['LOGIN user', 'DATA one']), ...udpCapture(['DATA two'], '10.1.1.2', 6000)];
  const { eve } = await alerts(writeTemp(buildPcap(frames), 'bits.pcap'), [
    // The tester comes first in the file: the engine still runs setters before testers.
    'alert udp any any -> any 9999 (msg:"data after login"; content:"DATA"; flowbits:isset,logged_in; sid:32;)',
    'alert udp any any -> any 9999 (msg:"login"; content:"LOGIN"; flowbits:set,logged_in; flowbits:noalert; sid:31;)',
    'alert udp any any -> any 9999 (msg:"data without login"; content:"DATA"; flowbits:isnotset,logged_in; sid:33;)',
  ].join('\n'));
  assert.deepEqual(sids(eve), [32, 33]);
  assert.equal(eve[0].src_ip, '10.1.1.1');
  assert.equal(eve[1].src_ip, '10.1.1.2');
});

test('threshold and detection_filter count matches per source in capture time', async () => {
  const frames = udpCapture(Array.from({ length: 10 }, (_, i) => `PING ${i}`));
  const file = writeTemp(buildPcap(frames), 'thresh.pcap');
  const { eve } = await alerts(file, [
    'alert udp any any -> any any (msg:"limit"; content:"PING"; threshold:type limit, track by_src, count 2, seconds 60; sid:41;)',
    'alert udp any any -> any any (msg:"every third"; content:"PING"; threshold:type threshold, track by_src, count 3, seconds 60; sid:42;)',
    'alert udp any any -> any any (msg:"both"; content:"PING"; threshold:type both, track by_dst, count 4, seconds 60; sid:43;)',
    'alert udp any any -> any any (msg:"rate"; content:"PING"; detection_filter:track by_src, count 7, seconds 60; sid:44;)',
    // 10 packets one second apart, 3-second windows: limit 1 per window.
    'alert udp any any -> any any (msg:"short window"; content:"PING"; threshold:type limit, track by_src, count 1, seconds 3; sid:45;)',
  ].join('\n'));
  const count = (sid: number) => sids(eve).filter((s) => s === sid).length;
  assert.equal(count(41), 2);
  assert.equal(count(42), 3);
  assert.equal(count(43), 1);
  assert.equal(count(44), 3);
  assert.equal(count(45), 3);
});

test('hostile rules: 10,000 pathological pcre rules on a long run of "a" finish within their step budgets, no alert', async () => {
  const text = Array.from({ length: 10_000 }, (_, i) => `alert udp any any -> any any (msg:"evil ${i}"; pcre:"/(a+)+$/"; sid:${100000 + i};)`).join('\n');
  const payload = 'a'.repeat(1200) + 'b';
  const file = writeTemp(buildPcap(udpCapture(Array.from({ length: 5 }, () => payload))), 'evil.pcap');
  const { sink, result } = await run(file, { rules: rules(text), analyzers: [] });
  assert.equal(sink.get('eve').length, 0);
  assert.equal(result.stats.packets, 5);
  assert.equal(result.stats.alerts, 0);
});

test('no rules: no EVE records and no detection state', async () => {
  const { sink, result } = await run(pcap('http-get-simple.pcap'), { rules: [] });
  assert.equal(sink.get('eve').length, 0);
  assert.equal(result.stats.alerts, 0);
});

test('anchored stream content (depth) counts from the start of the segment\'s data, as in a packet', async () => {
  const { eve } = await alerts(pcap('ftp-login.pcap'), 'alert tcp any any -> any 21 (msg:"PASS at line start"; flow:established,to_server; content:"PASS "; depth:5; sid:51;)', []);
  assert.deepEqual(sids(eve), [51]);
  const [pass] = tshark(pcap('ftp-login.pcap'), '-Y', 'ftp.request.command == "PASS"', '-T', 'fields', '-e', 'frame.number');
  assert.equal(eve[0].pcap_cnt, Number(pass));
});

test('an app-layer rule on raw stream bytes (alert http ... content) sees the first request of the connection', async () => {
  const { eve } = await alerts(pcap('http-get-simple.pcap'), 'alert http any any -> any any (msg:"raw GET"; flow:to_server; content:"GET / HTTP/1.1"; sid:61;)');
  assert.deepEqual(sids(eve), [61]);
  assert.equal(eve[0].app_proto, 'http');
});

test('file.data: an http rule sees the HTTP body, any other rule the files framework\'s file unit, each body alerts once', async () => {
  const { eve } = await alerts(pcap('http-pe-exe-download.pcap'), [
    'alert tcp any any -> any any (msg:"file MZ"; file.data; content:"MZ"; startswith; sid:71;)',
    'alert http any any -> any any (msg:"http MZ"; file.data; content:"MZ"; startswith; sid:72;)',
  ].join('\n'));
  assert.deepEqual(sids(eve).sort(), [71, 72]);
  const file = eve.find((e) => sids([e])[0] === 71)!;
  const info = file.fileinfo as { filename: string; magic: string; size: number };
  assert.match(info.filename, /\.exe$/);
  assert.match(info.magic, /^PE32/);
  assert.ok(info.size > 0);
});
