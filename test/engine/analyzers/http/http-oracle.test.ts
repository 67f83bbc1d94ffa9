/**
 * http.log and files.log against tshark on the shared captures: per transaction the request
 * method, Host, URI and User-Agent and the response status must match tshark's HTTP dissector,
 * and every file we hashed must be one of the objects `tshark --export-objects http` writes.
 *
 * Deliberate differences, each checked below:
 * - uri: Zeek logs the request target percent-decoded (unescape_URI), tshark shows it raw; the
 *   tshark value is decoded with the same function before comparing.
 * - Files with missing bytes (captures cut before the body ends: http-pe-*, malware-emotet's
 *   DLLs, the two-VLAN page) get no hashes in files.log (Zeek's hash analyzers stop at a gap),
 *   while tshark does not export them at all; both sides skip them.
 * - tshark's "http" object export includes HTTP/2 bodies (http2-cleartext-nghttp2); we do not
 *   analyse HTTP/2, so that capture is left out of the file comparison (and has no http.log).
 * - tshark is run with http.desegment_body off so that responses whose body the capture cut
 *   short are still dissected as responses (Zeek logs them too).
 * - multipart bodies (http-post-upload): Zeek files each MIME part separately, tshark exports
 *   the whole body; our part files must be found inside the multipart body tshark exported.
 * - Bodies are compared decoded: tshark exports the Content-Encoding-decoded body as Zeek hands
 *   it to the files framework, so the hashes agree (http-gzip-content-encoding).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcap, run } from '../../../helpers.js';
import { HTTP_ANALYZER } from '../../../../src/engine/analyzers/http/index.js';
import { logText, unescapeUri } from '../../../../src/engine/analyzers/http/wire-text.js';

const CAPTURES = [
  'http-chunked-xff.pcap', 'http-get-simple.pcap', 'http-gzip-content-encoding.pcap', 'http-ipv6.pcap',
  'http-pe-download-disguised-as-png.pcap', 'http-pe-exe-download.pcap', 'http-post-upload.pcap',
  'link-sll-http-log4j-exploit.pcap', 'link-sll2-http.pcap', 'link-radiotap-80211-http.pcap', 'link-nflog.pcap',
  'link-vlan-8021q-two-vlans.pcap', 'malware-aurora-exploit.pcapng', 'malware-cryptowall4-c2.pcapng',
  'malware-emotet.pcap', 'malware-trickbot.pcap', 'attack-http-sql-injection.pcap',
  'http2-cleartext-nghttp2.pcap', 'container-pcapng-4-interfaces-steam.pcapng', 'mixed-arkime-synthetic-many-protocols.pcap',
  'ntlm-synthetic.pcap',
];

function tshark(file: string, filter: string, fields: string[]): string[][] {
  // Bodies not desegmented: a response whose body the capture cut short still counts.
  const out = execFileSync('tshark', ['-r', pcap(file), '-o', 'http.desegment_body:FALSE', '-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=l',
    ...fields.flatMap((f) => ['-e', f])], { encoding: 'latin1', maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

const sorted = (a: string[]) => [...a].sort();

for (const file of CAPTURES) {
  test(`http.log matches tshark: ${file}`, async () => {
    const { sink } = await run(pcap(file), { analyzers: [HTTP_ANALYZER] });
    const http = sink.get('http');
    // One tuple per transaction: the request (client port, method, host, uri decoded like
    // Zeek, user agent) with the status of the last response tshark pairs with it
    // (http.request_in) and its last 1xx code: Zeek's status_code and info_code (a 101
    // Switching Protocols is both, as in Zeek).
    const final = new Map<string, string>(), info = new Map<string, string>();
    for (const [code, reqIn] of tshark(file, 'http.response', ['http.response.code', 'http.request_in'])) {
      final.set(reqIn, code);
      if (Number(code) < 200) info.set(reqIn, code);
    }
    const theirs = tshark(file, 'http.request', ['frame.number', 'tcp.srcport', 'http.request.method', 'http.host', 'http.request.uri', 'http.user_agent'])
      .map(([fr, p, m, h, u, ua]) => [p, m, h, logText(unescapeUri(u)), ua, final.get(fr) ?? '', info.get(fr) ?? ''].join('|'));
    const ours = http.filter((r) => r.method !== undefined)
      .map((r) => [r['id.orig_p'], r.method, r.host ?? '', r.uri, r.user_agent ?? '', r.status_code ?? '', r.info_code ?? ''].join('|'));
    assert.deepEqual(sorted(ours), sorted(theirs), 'transactions');
    // Responses tshark could not pair with a request must be ours without a method.
    const unpaired = tshark(file, 'http.response && !http.request_in', ['tcp.dstport', 'http.response.code']).map(([p, c]) => `${p}|${c}`);
    assert.deepEqual(sorted(http.filter((r) => r.method === undefined).map((r) => `${r['id.orig_p']}|${r.status_code}`)), sorted(unpaired), 'responses without request');
    if (file.startsWith('http2-')) assert.equal(http.length, 0, 'HTTP/2 prior knowledge is not HTTP/1.x');
  });
}

test('files.log hashes are the objects tshark exports', async () => {
  // tshark's http export also holds HTTP/2 streams' bodies; HTTP/2 is not analysed here.
  for (const file of CAPTURES.filter((f) => !f.startsWith('http2-'))) {
    const dir = mkdtempSync(join(tmpdir(), 'capdex-http-export-'));
    const ex = mkdtempSync(join(tmpdir(), 'capdex-http-extract-'));
    try {
      execFileSync('tshark', ['-r', pcap(file), '--export-objects', `http,${dir}`], { stdio: 'ignore' });
      const exported = new Map<string, Buffer>();
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (!statSync(p).isFile()) continue;
        const b = readFileSync(p);
        exported.set(createHash('sha256').update(b).digest('hex'), b);
      }
      const { sink } = await run(pcap(file), { analyzers: [HTTP_ANALYZER], extractDir: ex });
      const files = sink.get('files');
      // Parts of multipart bodies: Zeek (and we) file each part, tshark exports the whole body.
      const partFuids = new Set(sink.get('http').filter((r) => r.method === 'POST').flatMap((r) => (r.orig_fuids as string[] | undefined) ?? []));
      const multipart = (b: Buffer) => b.subarray(0, 2).toString('latin1') === '--';
      const complete = files.filter((f) => f.missing_bytes === 0);
      for (const f of complete) {
        if (exported.has(String(f.sha256))) continue;
        assert.ok(partFuids.has(String(f.fuid)), `${file}: ${f.fuid} sha256 ${f.sha256} not exported by tshark`);
        const part = readFileSync(join(ex, String(f.extracted)));
        assert.ok([...exported.values()].some((b) => multipart(b) && b.includes(part)), `${file}: part ${f.fuid} is in a multipart body tshark exported`);
      }
      for (const f of files.filter((x) => Number(x.missing_bytes) > 0)) assert.equal(f.sha256, undefined, `${file}: incomplete file without hashes`);
      // Every exported object is one of our complete files (or a multipart body we split).
      const ours = new Set(complete.map((f) => String(f.sha256)));
      for (const [h, b] of exported) assert.ok(ours.has(h) || multipart(b), `${file}: tshark object ${h} missing from files.log`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(ex, { recursive: true, force: true });
    }
  }
});

test('multipart/form-data upload: each part with content is a file named by its Content-Disposition', async () => {
  const { sink } = await run(pcap('http-post-upload.pcap'), { analyzers: [HTTP_ANALYZER] });
  const post = sink.get('http').find((r) => r.method === 'POST')!;
  assert.equal(post.request_body_len, 449); // the whole body, as Zeek counts it
  assert.deepEqual(post.orig_filenames, ['123.doc(5).exe']); // the empty parts make no file
  const [fuid] = post.orig_fuids as string[];
  const f = sink.get('files').find((x) => x.fuid === fuid)!;
  assert.equal(f.sha256, createHash('sha256').update('123456').digest('hex'));
  assert.equal(f.mime_type, undefined); // 6 bytes: too short for text/plain, as in Zeek
});

test('files.log records carry Zeek\'s fields for an HTTP download', async () => {
  const { sink } = await run(pcap('http-pe-exe-download.pcap'), { analyzers: [HTTP_ANALYZER] });
  const [f] = sink.get('files');
  const [h] = sink.get('http');
  assert.equal(f.source, 'HTTP');
  assert.equal(f.depth, 1);
  assert.equal(f.is_orig, false);
  assert.equal(f.mime_type, 'application/x-dosexec'); // Content-Type claimed something else
  assert.equal(f.filename, 'phn34ycjtghm.exe');
  assert.equal(f.total_bytes, 679008);
  assert.equal(Number(f.seen_bytes) + Number(f.missing_bytes), 679008);
  assert.match(String(f.fuid), /^F[0-9A-Za-z]{17}$/);
  assert.deepEqual(h.resp_fuids, [f.fuid]);
  assert.deepEqual(h.resp_mime_types, ['application/x-dosexec']);
  assert.deepEqual(h.resp_filenames, ['phn34ycjtghm.exe']);
  assert.equal(f.uid, h.uid);
  // Deterministic: the same capture gives the same fuids.
  const again = await run(pcap('http-pe-exe-download.pcap'), { analyzers: [HTTP_ANALYZER] });
  assert.equal(again.sink.get('files')[0].fuid, f.fuid);
});
