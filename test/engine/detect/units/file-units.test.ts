/** File units from the files framework: file.data, file.name and the file facts, any protocol. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pcap, run } from '../../../helpers.js';
import { RecordingInspector, followTcp, record, text } from './recorder.js';

const FILE = new Set(['file']);

test('http-pe-exe-download: the (cut short) PE download as a to_client file unit, bytes as tshark reassembled them', async () => {
  const file = pcap('http-pe-exe-download.pcap');
  const { inspector, sink } = await record(file, FILE);
  const units = inspector.of('file');
  assert.equal(units.length, 1);
  const u = units[0];
  const [f] = sink.get('files');
  assert.equal(u.isOrig, false);
  assert.equal(text(u, 'file.name'), f.filename);
  assert.equal(text(u, 'file.name'), 'phn34ycjtghm.exe');
  const data = Buffer.from(u.buffers['file.data'] as Uint8Array);
  assert.equal(data.subarray(0, 2).toString('latin1'), 'MZ');
  assert.equal(data.length, f.seen_bytes);
  const server = followTcp(file, 0, true);
  const bodyStart = server.indexOf('\r\n\r\n') + 4;
  assert.ok(data.equals(server.subarray(bodyStart, bodyStart + data.length)), 'file.data = the response body tshark reassembled');
  assert.equal(u.facts?.size, f.seen_bytes);
  assert.equal(u.facts?.mime, 'application/x-dosexec');
  assert.equal(u.facts?.md5, undefined, 'bytes are missing: no hashes, as files.log');
  assert.equal(u.txId, 1);
  // The conn of the unit is the connection's.
  const rec = inspector.units.find((r) => r.unit === u)!;
  assert.equal(rec.conn.uid, f.uid);
});

test('http-get-simple: a body without a file name is named by its request path; hashes as files.log and tshark', async () => {
  const file = pcap('http-get-simple.pcap');
  const { inspector, sink } = await record(file, FILE);
  const [u] = inspector.of('file');
  const [f] = sink.get('files');
  assert.equal(text(u, 'file.name'), '/');
  assert.equal(u.facts?.md5, f.md5);
  assert.equal(u.facts?.sha1, f.sha1);
  assert.equal(u.facts?.sha256, f.sha256);
  const server = followTcp(file, 0, true);
  const body = server.subarray(server.indexOf('\r\n\r\n') + 4);
  assert.equal(u.facts?.md5, createHash('md5').update(body).digest('hex'));
  assert.ok(Buffer.from(u.buffers['file.data'] as Uint8Array).equals(body));
  assert.equal(f.mime_type, 'text/html');
  assert.equal(u.facts?.magic, 'HTML document, ASCII text');
});

test('smtp-zip-attachment: the attachment is a to_server file unit named as in the mail', async () => {
  const { inspector, sink } = await record(pcap('smtp-zip-attachment.pcap'), FILE);
  const zip = sink.get('files').find((r) => r.mime_type === 'application/zip')!;
  assert.ok(zip);
  const u = inspector.of('file').find((x) => x.facts?.sha256 === zip.sha256)!;
  assert.ok(u);
  assert.equal(u.isOrig, true);
  assert.equal(text(u, 'file.name'), zip.filename);
  assert.equal(text(u, 'file.data')!.slice(0, 4), 'PK\x03\x04');
  assert.equal(createHash('sha256').update(u.buffers['file.data'] as Uint8Array).digest('hex'), zip.sha256);
});

test('TLS certificates are not file units', async () => {
  const { inspector } = await record(pcap('tls12-openssl.pcap'), FILE);
  assert.equal(inspector.of('file').length, 0);
});

test('no inspector wanting anything: the files framework hands over nothing', async () => {
  const inspector = new RecordingInspector(new Set());
  const { sink } = await run(pcap('http-pe-exe-download.pcap'), { inspector });
  assert.equal(sink.get('files').length, 1);
  assert.ok(inspector.wantsCalls > 0);
  assert.equal(inspector.inspectCalls, 0);
});

test('facts.magic reads as libmagic does (the `file` command is the oracle)', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'capdex-magic-'));
  try {
    for (const name of ['http-pe-exe-download.pcap', 'smtp-zip-attachment.pcap', 'http-get-simple.pcap']) {
      const { inspector } = await record(pcap(name), FILE);
      for (const u of inspector.of('file')) {
        const p = join(dir, 'f');
        writeFileSync(p, u.buffers['file.data'] as Uint8Array);
        const libmagic = execFileSync('file', ['-b', p], { encoding: 'utf8' }).trim();
        const ours = String(u.facts?.magic);
        assert.ok(libmagic.startsWith(ours), `${name}: "${ours}" should begin "${libmagic}"`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bytes held for detection are counted over all open files and released when each ends', async () => {
  const { FileManager } = await import('../../../../src/engine/analyzers/files/file-manager.js');
  const { MemorySink } = await import('../../../../src/engine/logs/file-sink.js');
  const { LIMITS } = await import('../../../../src/engine/support/limits.js');
  const units: Array<{ proto: string; buffers: Record<string, unknown> }> = [];
  const conn = { uid: 'C1', origH: '10.0.0.1', origP: 1, respH: '10.0.0.2', respP: 80, transport: 'tcp' as const, communityId: '1:x' };
  const ctx = { conn, inspecting: (p: string) => p === 'file', inspect: (u: any) => { units.push(u); } };
  const m = new FileManager({ sink: new MemorySink(), now: () => 1 });
  const files = m.forConn(conn, ctx);
  const a = files.begin({ source: 'HTTP', isOrig: false }), b = files.begin({ source: 'HTTP', isOrig: true });
  a.data(Buffer.alloc(1000, 1), 0, 1000);
  b.data(Buffer.alloc(300, 2), 0, 300);
  assert.equal(m.held, 1300);
  a.data(Buffer.alloc(LIMITS.inspectFileBytes, 3), 0, LIMITS.inspectFileBytes);
  assert.equal(m.held, LIMITS.inspectFileBytes + 300, 'one file holds at most inspectFileBytes');
  a.end();
  assert.equal(m.held, 300);
  b.gap(10);
  b.data(Buffer.alloc(50, 4), 0, 50);
  b.end();
  assert.equal(m.held, 0);
  assert.equal(units.length, 2);
  assert.equal((units[1].buffers['file.data'] as Uint8Array).length, 300, 'nothing after a gap is kept');
});
