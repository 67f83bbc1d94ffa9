/** HTTP inspection units on real captures, buffers cross-checked against tshark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap } from '../../../helpers.js';
import { RecordingInspector, record, text, tshark } from './recorder.js';
import { run } from '../../../helpers.js';
import { normalizeUri } from '../../../../src/engine/analyzers/http/inspection.js';

const HTTP = new Set(['http']);

test('http-get-simple: request and response units with Suricata buffers, uri/host/user_agent as tshark', async () => {
  const file = pcap('http-get-simple.pcap');
  const { inspector } = await record(file, HTTP);
  const reqs = inspector.of('http', true);
  const resps = inspector.of('http', false);
  assert.equal(reqs.length, 1, 'one request unit (no body)');
  const [uri, host, ua] = tshark(file, 'http.request', 'http.request.uri', 'http.host', 'http.user_agent')[0].split('\t');
  const r = reqs[0];
  assert.equal(text(r, 'http.uri'), uri);
  assert.equal(text(r, 'http.uri.raw'), uri);
  assert.equal(text(r, 'http.host'), host.toLowerCase());
  assert.equal(text(r, 'http.user_agent'), ua);
  assert.equal(text(r, 'http.method'), 'GET');
  assert.equal(text(r, 'http.protocol'), 'HTTP/1.1');
  assert.equal(text(r, 'http.request_line'), 'GET / HTTP/1.1');
  assert.equal(text(r, 'http.accept'), '*/*');
  assert.equal(text(r, 'http.header'), `User-Agent: ${ua}\r\nHost: ${host}\r\nAccept: */*\r\n`);
  assert.equal(text(r, 'http.header.raw'), `User-Agent: ${ua}\r\nHost: ${host}\r\nAccept: */*\r\n\r\n`);
  assert.equal(text(r, 'http.header_names'), '\r\nUser-Agent\r\nHost\r\nAccept\r\n\r\n');
  assert.equal(r.txId, 1);
  // Response: header unit at header completion, then the body unit (response_body = file.data).
  assert.equal(resps.length, 2);
  const [code, phrase, server, ctype, clen] = tshark(file, 'http.response', 'http.response.code', 'http.response.phrase', 'http.server', 'http.content_type', 'http.content_length_header')[0].split('\t');
  const h = resps[0];
  assert.equal(text(h, 'http.stat_code'), code);
  assert.equal(text(h, 'http.stat_msg'), phrase);
  assert.equal(text(h, 'http.response_line'), `HTTP/1.1 ${code} ${phrase}`);
  assert.equal(text(h, 'http.server'), server);
  assert.equal(text(h, 'http.content_type'), ctype);
  assert.equal(text(h, 'http.content_len'), clen);
  assert.equal(h.facts?.stat_code, Number(code));
  assert.equal(text(h, 'http.uri'), uri, 'the transaction\'s request buffers travel with the response');
  assert.equal(h.buffers['http.response_body'], undefined);
  const body = resps[1];
  assert.equal(body.buffers['http.response_body']?.length, Number(clen));
  assert.equal(body.buffers['file.data'], body.buffers['http.response_body']);
  assert.match(text(body, 'http.response_body')!, /^<!DOCTYPE|^<html/i);
});

test('http-post-upload: request body unit holds the multipart body', async () => {
  const file = pcap('http-post-upload.pcap');
  const { inspector } = await record(file, HTTP);
  const reqs = inspector.of('http', true);
  const head = reqs.find((u) => text(u, 'http.method') === 'POST')!;
  assert.ok(head);
  const [uri, clen] = tshark(file, 'http.request.method == "POST"', 'http.request.uri', 'http.content_length_header')[0].split('\t');
  assert.equal(text(head, 'http.uri.raw'), uri);
  assert.equal(text(head, 'http.content_len'), clen);
  assert.match(text(head, 'http.content_type')!, /^multipart\/form-data; boundary=/);
  const body = reqs.find((u) => u.buffers['http.request_body'] !== undefined)!;
  assert.equal(body.txId, head.txId);
  assert.equal(body.buffers['http.request_body']!.length, Number(clen));
  assert.equal(text(body, 'http.uri.raw'), uri);
  const boundary = /boundary=(.*)$/.exec(text(head, 'http.content_type')!)![1];
  assert.ok(text(body, 'http.request_body')!.startsWith(`--${boundary}`));
});

test('http-gzip-content-encoding: response_body is the decoded body', async () => {
  const file = pcap('http-gzip-content-encoding.pcap');
  const { inspector } = await record(file, HTTP);
  const body = inspector.of('http', false).find((u) => u.buffers['http.response_body'] !== undefined)!;
  assert.ok(body);
  const decoded = text(body, 'http.response_body')!;
  assert.match(decoded, /<cross-domain-policy>/);
  // tshark decodes the gzip body too (it prints newlines as \n).
  const [oracle, clen, enc] = tshark(file, 'http.response', 'http.file_data', 'http.content_length_header', 'http.content_encoding')[0].split('\t');
  assert.equal(enc, 'gzip');
  assert.equal(decoded.replace(/\n/g, '\\n'), oracle);
  assert.ok(decoded.length > Number(clen), 'longer than the encoded body');
  assert.equal(text(body, 'http.uri'), '/crossdomain.xml');
});

test('no inspector wanting http: no units, parsers keep no raw headers', async () => {
  const inspector = new RecordingInspector(new Set());
  await run(pcap('http-get-simple.pcap'), { inspector });
  assert.ok(inspector.wantsCalls > 0, 'analyzers asked');
  assert.equal(inspector.inspectCalls, 0);
});

test('normalizeUri: percent-decoding and dot segments in the path, query kept, absolute form reduced to the path', () => {
  assert.equal(normalizeUri('/a/%41b/../c/./d?x=%41#f'), '/a/c/d?x=%41#f');
  assert.equal(normalizeUri('http://Example.com:81/x/../y'), '/y');
  assert.equal(normalizeUri('/../../etc/passwd'), '/etc/passwd');
  assert.equal(normalizeUri('/a/b/..'), '/a/');
  assert.equal(normalizeUri('/bad%zz%4'), '/bad%zz%4');
  assert.equal(normalizeUri('*'), '*');
});

test('built request: host without port and lower-cased, Cookie kept out of http.header, repeated headers merged, absolute URI', async () => {
  const { ACK, FIN, PSH, SYN, buildPcap, writeTemp } = await import('../../../support/build-pcap.js');
  const C = '10.1.1.1', S = '10.2.2.2';
  const frames: Parameters<typeof buildPcap>[0] = [];
  let ts = 1, cs = 1001, ss = 5001;
  const c = (flags: number, payload = '') => { frames.push({ ts: ts += 0.01, src: C, dst: S, proto: 'tcp', sport: 41000, dport: 80, flags, seq: cs, ack: ss, payload: Buffer.from(payload, 'latin1') }); cs += payload.length; };
  const s = (flags: number, payload = '') => { frames.push({ ts: ts += 0.01, src: S, dst: C, proto: 'tcp', sport: 80, dport: 41000, flags, seq: ss, ack: cs, payload: Buffer.from(payload, 'latin1') }); ss += payload.length; };
  frames.push({ ts, src: C, dst: S, proto: 'tcp', sport: 41000, dport: 80, flags: SYN, seq: 1000, ack: 0 });
  frames.push({ ts: ts += 0.01, src: S, dst: C, proto: 'tcp', sport: 80, dport: 41000, flags: SYN | ACK, seq: 5000, ack: 1001 });
  c(ACK);
  c(ACK | PSH, 'GET /a/%41/../b?q=%41 HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\nCookie: s=1\r\nX-A: 1\r\nX-A:  2 \r\nUser-Agent: t\r\n\r\n');
  c(ACK | PSH, 'GET http://Proxy.Example/x HTTP/1.1\r\nHost: other\r\n\r\n');
  s(ACK | PSH, 'HTTP/1.1 302 Found\r\nLocation: /b\r\nSet-Cookie: k=v\r\nContent-Length: 0\r\n\r\n');
  s(ACK | PSH, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  c(ACK | FIN); cs++;
  s(ACK | FIN);
  const { inspector } = await record(writeTemp(buildPcap(frames)), HTTP);
  const [r1, r2] = inspector.of('http', true);
  assert.equal(text(r1, 'http.uri'), '/a/b?q=%41', '%41 decoded, then A/.. removed; the query stays raw');
  assert.equal(text(r1, 'http.uri.raw'), '/a/%41/../b?q=%41');
  assert.equal(text(r1, 'http.host'), 'www.example.com');
  assert.equal(text(r1, 'http.host.raw'), 'WWW.Example.COM:8080');
  assert.equal(text(r1, 'http.cookie'), 's=1');
  assert.equal(text(r1, 'http.header'), 'Host: WWW.Example.COM:8080\r\nX-A: 1, 2\r\nUser-Agent: t\r\n');
  assert.equal(text(r1, 'http.header_names'), '\r\nHost\r\nCookie\r\nX-A\r\nUser-Agent\r\n\r\n');
  assert.equal(text(r2, 'http.host'), 'proxy.example', 'the absolute URI\'s host wins over Host');
  assert.equal(text(r2, 'http.uri'), '/x');
  assert.equal(r2.txId, 2);
  const [h1] = inspector.of('http', false);
  assert.equal(text(h1, 'http.stat_code'), '302');
  assert.equal(text(h1, 'http.location'), '/b');
  assert.equal(text(h1, 'http.cookie'), 'k=v');
  assert.equal(text(h1, 'http.header'), 'Location: /b\r\nContent-Length: 0\r\n');
  assert.equal(h1.txId, 1);
  assert.equal(text(h1, 'http.uri'), '/a/b?q=%41');
});
