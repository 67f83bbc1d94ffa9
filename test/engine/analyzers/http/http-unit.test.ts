/**
 * The HTTP analyzer driven directly with byte streams split at awkward places: chunked
 * framing, pipelining, content decoding, gaps, limits, CONNECT, 1xx, HEAD, resync.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { AnalyzerContext } from '../../../../src/engine/analyzers/analyzer.js';
import { FileManager } from '../../../../src/engine/analyzers/files/file-manager.js';
import { HttpAnalyzer } from '../../../../src/engine/analyzers/http/http-analyzer.js';
import { probeRequest, probeResponse } from '../../../../src/engine/analyzers/http/index.js';
import { MemorySink } from '../../../../src/engine/logs/file-sink.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';

function harness(opts = { capturePassword: false }) {
  const sink = new MemorySink();
  let now = 100;
  const weirds: string[] = [];
  const state = { confirmed: 0, violations: [] as string[] };
  const conn = { uid: 'CTest', origH: '10.0.0.1', origP: 40000, respH: '10.0.0.2', respP: 80, transport: 'tcp' as const, communityId: '' };
  const files = new FileManager({ sink, now: () => now });
  const ctx: AnalyzerContext = {
    conn,
    now: () => now,
    log: (schema, rec) => sink.write(schema, rec),
    connFields: () => ({ uid: conn.uid, 'id.orig_h': conn.origH, 'id.orig_p': conn.origP, 'id.resp_h': conn.respH, 'id.resp_p': conn.respP }),
    weird: (name) => { weirds.push(name); },
    confirm: () => { state.confirmed++; },
    inspecting: () => false,
    inspect: () => {},
    violation: (r) => { state.violations.push(r); },
    files: files.forConn(conn),
  };
  const a = new HttpAnalyzer(ctx, opts);
  const send = (isOrig: boolean, data: Buffer | string, pieces: number[] = []) => {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let off = 0;
    for (const n of pieces) { a.data(isOrig, b, off, n); off += n; now += 0.01; }
    if (off < b.length) a.data(isOrig, b, off, b.length - off);
  };
  return {
    a, sink, weirds, state, send,
    tick: (s: number) => { now += s; },
    finish: () => { a.done(); files.finish(); return { http: sink.get('http'), files: sink.get('files') }; },
  };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('chunked body split inside a chunk-size line, with trailers', () => {
  const h = harness();
  h.send(true, 'GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t/1\r\n\r\n');
  const resp = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0A\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n';
  const cut = resp.indexOf('1a;') + 1; // between "1" and "a"
  h.send(false, resp, [cut, 3, 20]);
  const { http, files } = h.finish();
  assert.equal(http.length, 1);
  assert.equal(http[0].status_code, 200);
  assert.equal(http[0].response_body_len, 36);
  assert.equal(files[0].sha256, sha256('abcdefghijklmnopqrstuvwxyz0123456789'));
  assert.equal(files[0].missing_bytes, 0);
  assert.equal(h.state.confirmed, 1);
});

test('every split point of a chunked response gives the same record', () => {
  const resp = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
  for (let cut = 1; cut < resp.length; cut++) {
    const h = harness();
    h.send(true, 'GET / HTTP/1.1\r\n\r\n');
    h.send(false, resp, [cut]);
    const { http, files } = h.finish();
    assert.equal(http[0].response_body_len, 11, `cut ${cut}`);
    assert.equal(files[0].sha256, sha256('hello world'), `cut ${cut}`);
  }
});

test('pipelined requests in one segment pair with their responses in order', () => {
  const h = harness();
  h.send(true, 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /3 HTTP/1.1\r\nHost: a\r\n\r\n');
  h.send(false, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\noneHTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\ntwoHTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
  const { http } = h.finish();
  assert.deepEqual(http.map((r) => [r.trans_depth, r.uri, r.status_code, r.response_body_len]), [
    [1, '/1', 200, 3], [2, '/2', 404, 3], [3, '/3', 200, 0], // HEAD: Content-Length but no body
  ]);
});

test('gzip, deflate and br bodies are decoded before the files framework sees them', () => {
  const body = Buffer.from('<html><body>' + 'x'.repeat(5000) + '</body></html>');
  for (const [name, enc] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['br', brotliCompressSync(body)]] as const) {
    const h = harness();
    h.send(true, 'GET / HTTP/1.1\r\n\r\n');
    h.send(false, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: ${name}\r\nContent-Length: ${enc.length}\r\n\r\n`), enc]), [70, 5, 9]);
    const { http, files } = h.finish();
    assert.equal(http[0].response_body_len, body.length, name);
    assert.equal(files[0].sha256, sha256(body), name);
    assert.equal(files[0].mime_type, 'text/html', name);
    assert.equal(files[0].total_bytes, undefined, name); // Content-Length is the encoded size
    assert.deepEqual(http[0].resp_mime_types, ['text/html']);
  }
});

test('a gap inside a Content-Length body: missing_bytes, no hashes, the next message still parses', () => {
  const h = harness();
  h.send(true, 'GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
  h.send(false, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' + 'a'.repeat(30));
  h.a.gap(false, 50);
  h.send(false, 'b'.repeat(20) + 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  const { http, files } = h.finish();
  assert.equal(http.length, 2);
  assert.equal(files[0].seen_bytes, 50);
  assert.equal(files[0].missing_bytes, 50);
  assert.equal(files[0].sha256, undefined);
  assert.equal(files[1].sha256, sha256('ok'));
  assert.equal(http[1].status_code, 200);
});

test('a gap past the end of a body resynchronises on the next status line', () => {
  const h = harness();
  h.send(true, 'GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
  h.send(false, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
  h.a.gap(false, 40); // the rest of the body and part of the next response header
  h.send(false, 'Server: x\r\n\r\nHTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n');
  const { http } = h.finish();
  assert.deepEqual(http.map((r) => r.status_code), [200, 500]);
});

test('a decompression bomb stops at the decoded-size limit', () => {
  const saved = LIMITS.httpMaxDecodedBodyBytes;
  (LIMITS as { httpMaxDecodedBodyBytes: number }).httpMaxDecodedBodyBytes = 1 << 20;
  try {
    const bomb = gzipSync(Buffer.alloc(16 << 20)); // 16 MiB of zeros in ~16 KiB
    const h = harness();
    h.send(true, 'GET /bomb HTTP/1.1\r\n\r\n');
    h.send(false, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`), bomb]));
    const { http, files } = h.finish();
    assert.equal(http[0].response_body_len, 1 << 20);
    assert.equal(files[0].seen_bytes, 1 << 20);
    assert.ok(h.weirds.includes('HTTP_decompression_limit'));
  } finally {
    (LIMITS as { httpMaxDecodedBodyBytes: number }).httpMaxDecodedBodyBytes = saved;
  }
});

test('100 Continue fills info_code; the final response completes the same transaction', () => {
  const h = harness();
  h.send(true, 'POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
  h.send(false, 'HTTP/1.1 100 Continue\r\n\r\n');
  h.send(true, 'data');
  h.send(false, 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
  const { http } = h.finish();
  assert.equal(http.length, 1);
  assert.equal(http[0].info_code, 100);
  assert.equal(http[0].info_msg, 'Continue');
  assert.equal(http[0].status_code, 201);
  assert.equal(http[0].request_body_len, 4);
});

test('CONNECT: parsing stops after the 2xx; 204/304 have no body; read-until-close bodies', () => {
  const h = harness();
  h.send(true, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  h.send(false, 'HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x02\x00binary');
  h.send(true, '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03');
  const { http } = h.finish();
  assert.equal(http.length, 1);
  assert.equal(http[0].method, 'CONNECT');
  assert.equal(http[0].uri, 'example.com:443');
  assert.deepEqual(h.weirds.filter((w) => w.startsWith('bad_HTTP')), []);

  const g = harness();
  g.send(true, 'GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.0\r\n\r\n');
  g.send(false, 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close');
  g.a.eof(false);
  const r = g.finish().http;
  assert.deepEqual(r.map((x) => [x.status_code, x.response_body_len]), [[204, 0], [304, 0], [200, 11]]);
});

test('Zeek fields: percent-decoded uri, Basic auth username only, proxied headers, filenames', () => {
  const h = harness();
  const auth = Buffer.from('alice:secret').toString('base64');
  h.send(true, `GET /a%20b%2Fc?q=%41%u0042 HTTP/1.1\r\nHost: h:8080\r\nReferer: http://r/\r\nOrigin: http://o\r\nAuthorization: Basic ${auth}\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n`);
  h.send(false, 'HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename="report.pdf"\r\nContent-Length: 8\r\n\r\n%PDF-1.4');
  const { http, files } = h.finish();
  const r = http[0];
  assert.equal(r.uri, '/a b/c?q=AB');
  assert.equal(r.host, 'h:8080');
  assert.equal(r.referrer, 'http://r/');
  assert.equal(r.origin, 'http://o');
  assert.equal(r.username, 'alice');
  assert.equal(r.password, undefined);
  assert.deepEqual(r.proxied, ['X-FORWARDED-FOR -> 1.2.3.4']);
  assert.deepEqual(r.resp_filenames, ['report.pdf']);
  assert.equal(files[0].filename, 'report.pdf');
  assert.equal(files[0].mime_type, 'application/pdf');
  assert.deepEqual(r.tags, []);

  const p = harness({ capturePassword: true });
  p.send(true, `GET / HTTP/1.1\r\nAuthorization: Basic ${auth}\r\n\r\n`);
  assert.equal(p.finish().http[0].password, 'secret');
});

test('not HTTP: a violation before confirmation; garbage after it is a weird', () => {
  const h = harness();
  h.send(true, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  assert.equal(h.state.violations.length, 1);
  assert.equal(h.finish().http.length, 0);

  const g = harness();
  g.send(true, 'GET / HTTP/1.1\r\n\r\n');
  g.send(false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  g.send(true, 'garbage line\r\nGET /next HTTP/1.1\r\n\r\n');
  const r = g.finish().http;
  assert.deepEqual(r.map((x) => x.uri), ['/', '/next']);
  assert.ok(g.weirds.includes('bad_HTTP_request'));
});

test('header lines and counts are bounded', () => {
  const h = harness();
  h.send(true, 'GET / HTTP/1.1\r\nX-Long: ' + 'a'.repeat(LIMITS.httpMaxLineBytes + 10));
  assert.ok(h.weirds.includes('HTTP_line_too_long'));
  const g = harness();
  let req = 'GET / HTTP/1.1\r\n';
  for (let i = 0; i < LIMITS.httpMaxHeaders + 5; i++) req += `X-${i}: v\r\n`;
  g.send(true, req + '\r\n');
  assert.ok(g.weirds.includes('HTTP_too_many_headers'));
  assert.equal(g.finish().http.length, 1);
});

test('probe: request lines on any method and target form, status lines, not HTTP/2', () => {
  const p = (s: string) => probeRequest(Buffer.from(s), 0, s.length);
  assert.equal(p('GET / HTTP/1.1\r\n'), 'yes');
  assert.equal(p('PROPFIND /dav/ HTTP/1.1\r\n'), 'yes');
  assert.equal(p('GET http://example.com/ HTTP/1.0\r\n'), 'yes');
  assert.equal(p('CONNECT example.com:443 HTTP/1.1\r\n'), 'yes');
  assert.equal(p('OPTIONS * HTTP/1.1\r\n'), 'yes');
  assert.equal(p('GE'), 'more');
  assert.equal(p('GET /index.html HTT'), 'more');
  assert.equal(p('PRI * HTTP/2.0\r\n'), 'no');
  assert.equal(p('GET / SIP/2.0\r\n'), 'no');
  assert.equal(p('HELO mail\r\n'), 'no');
  const r = (s: string) => probeResponse(Buffer.from(s), 0, s.length);
  assert.equal(r('HTTP/1.1 200 OK\r\n'), 'yes');
  assert.equal(r('HTTP/1.'), 'more');
  assert.equal(r('HTTP/2 200'), 'no');
  assert.equal(r('SSH-2.0-x'), 'no');
});

test('multipart/form-data: one file per part with content, at every split point', () => {
  const body = '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n--XyZ\r\n' +
    'Content-Disposition: form-data; name="f"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\nline1\r\n--Xy not a delimiter\r\n--XyZ\r\n' +
    'Content-Disposition: form-data; name="g"; filename*=UTF-8\'\'%C3%A9t%C3%A9.txt\r\n\r\nsecond part\r\n--XyZ--\r\nepilogue';
  const req = `POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${body.length}\r\n\r\n` + body;
  for (let cut = 1; cut < req.length; cut += 3) {
    const h = harness();
    h.send(true, req, [cut]);
    h.send(false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const { http, files } = h.finish();
    assert.equal(http[0].request_body_len, body.length, `cut ${cut}`);
    assert.deepEqual(http[0].orig_filenames, ['x.bin', 'été.txt'], `cut ${cut}`);
    assert.deepEqual(files.map((f) => f.sha256), [sha256('line1\r\n--Xy not a delimiter'), sha256('second part')], `cut ${cut}`);
    assert.deepEqual(http[0].orig_fuids, files.map((f) => f.fuid));
  }
});

test('never throws: mutated messages, random splits and gaps', () => {
  let seed = 12345;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const gz = gzipSync(Buffer.from('<html>' + 'z'.repeat(3000) + '</html>'));
  const samples = [
    Buffer.from('GET /a%41%u0042%zz% HTTP/1.1\r\nHost: h\r\nAuthorization: Basic !!!\r\n\r\nPOST /b HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n--b\r\n\r\n0123456789\r\n0\r\n\r\n'),
    Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n'), Buffer.from(gz.length.toString(16) + '\r\n'), gz, Buffer.from('\r\n0\r\n\r\n')]),
  ];
  for (let iter = 0; iter < 400; iter++) {
    const h = harness();
    for (let side = 0; side < 2; side++) {
      const b = Buffer.from(samples[side]);
      for (let k = rnd(6); k > 0; k--) b[rnd(b.length)] = rnd(256);
      let off = 0;
      while (off < b.length) {
        const n = 1 + rnd(40);
        if (rnd(20) === 0) h.a.gap(side === 0, n);
        else h.a.data(side === 0, b, off, Math.min(n, b.length - off));
        off += n;
      }
    }
    h.finish();
  }
});

test('transactions keep the raw start lines, target and header lists for detection', () => {
  const seen: import('../../../../src/engine/analyzers/http/transaction.js').HttpTransaction[] = [];
  const sink = new MemorySink();
  const conn = { uid: 'C1', origH: '1.1.1.1', origP: 1, respH: '2.2.2.2', respP: 80, transport: 'tcp' as const, communityId: '' };
  const ctx: AnalyzerContext = {
    conn, now: () => 1, log: (s, r) => sink.write(s, r), connFields: () => ({ uid: 'C1' }), weird: () => {}, confirm: () => {}, inspecting: () => false, inspect: () => {}, violation: () => {},
    files: new FileManager({ sink, now: () => 1 }).forConn(conn),
  };
  const a = new HttpAnalyzer(ctx, { capturePassword: false, onTransaction: (tx) => seen.push(tx) });
  const req = Buffer.from('GET /%2e%2e/x HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  continued\r\n\r\n');
  a.data(true, req, 0, req.length);
  const resp = Buffer.from('HTTP/1.1 200 OK\r\nServer: s\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: t\r\n\r\n');
  a.data(false, resp, 0, resp.length);
  a.done();
  assert.equal(seen.length, 1);
  assert.equal(seen[0].requestLine, 'GET /%2e%2e/x HTTP/1.1');
  assert.equal(seen[0].uriRaw, '/%2e%2e/x');
  assert.equal(seen[0].uri, '/../x');
  assert.deepEqual(seen[0].requestHeaders, [{ name: 'Host', value: 'h' }, { name: 'X-A', value: '1 continued' }]);
  assert.equal(seen[0].statusLine, 'HTTP/1.1 200 OK');
  assert.deepEqual(seen[0].responseHeaders.map((h) => h.name), ['Server', 'Transfer-Encoding']);
  assert.deepEqual(seen[0].responseTrailers, [{ name: 'X-T', value: 't' }]);
});

test('probe: extension methods need a complete HTTP/1.x request line', () => {
  const p = (s: string) => probeRequest(Buffer.from(s), 0, s.length);
  assert.equal(p('RPC_IN_DATA /rpc/rpcproxy.dll?x:6001 HTTP/1.1\r\n'), 'yes');
  assert.equal(p('RPC_IN_DATA /rpc/rpcproxy.dll?x:6001 HTTP/1.'), 'more');
  assert.equal(p('RPC_IN_DATA /rpc/rpcproxy.dll?x:6001 RTSP/1.0\r\n'), 'no');
  assert.equal(p('NICK alice\r\n'), 'no');
  assert.equal(p('USER a b c :d\r\n'), 'no');
  assert.equal(p('\x16\x03\x01\x02\x00'), 'no');
  assert.equal(p('A'.repeat(40) + ' / HTTP/1.1\r\n'), 'no');
});
