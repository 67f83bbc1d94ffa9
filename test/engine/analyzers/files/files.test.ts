/** The files framework: hashing, Zeek's MIME magic, byte accounting, extraction by content address. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileManager } from '../../../../src/engine/analyzers/files/file-manager.js';
import { sniffMime } from '../../../../src/engine/analyzers/files/magic.js';
import { MemorySink } from '../../../../src/engine/logs/file-sink.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import { NetworkSet } from '../../../../src/engine/support/networks.js';
import { pcap, run } from '../../../helpers.js';

const CONN = { uid: 'CAbc', origH: '10.0.0.1', origP: 1234, respH: '192.0.2.1', respP: 80 };
const sha = (alg: string, b: Buffer | string) => createHash(alg).update(b).digest('hex');

function manager(extractDir?: string) {
  const sink = new MemorySink();
  let now = 10;
  const m = new FileManager({ sink, now: () => now, extractDir, localNets: new NetworkSet(['10.0.0.0/8']) });
  return { m, sink, files: m.forConn(CONN), advance: (s: number) => { now += s; } };
}

test('hashes, sizes, duration, local_orig and the record shape', () => {
  const { files, sink, advance } = manager();
  const f = files.begin({ source: 'HTTP', isOrig: true, filename: 'a.txt', totalBytes: 11, depth: 2 });
  f.data(Buffer.from('xxhello'), 2, 5);
  advance(1.5);
  f.data(Buffer.from(' world'), 0, 6);
  f.end();
  f.end(); // idempotent
  const [r] = sink.get('files');
  assert.equal(sink.get('files').length, 1);
  assert.equal(r.md5, sha('md5', 'hello world'));
  assert.equal(r.sha1, sha('sha1', 'hello world'));
  assert.equal(r.sha256, sha('sha256', 'hello world'));
  assert.equal(r.seen_bytes, 11);
  assert.equal(r.total_bytes, 11);
  assert.equal(r.missing_bytes, 0);
  assert.equal(r.duration, 1.5);
  assert.equal(r.depth, 2);
  assert.equal(r.is_orig, true);
  assert.equal(r.local_orig, true); // sent by 10.0.0.1
  assert.equal(r.mime_type, 'text/plain');
  assert.equal(r.filename, 'a.txt');
  assert.equal(r.uid, 'CAbc');
  assert.deepEqual(r.analyzers, ['MD5', 'SHA1', 'SHA256']);
  assert.equal(r.timedout, false);
});

test('a gap or a short transfer: missing_bytes and no hashes', () => {
  const { files, sink } = manager();
  const f = files.begin({ source: 'HTTP', isOrig: false });
  f.data(Buffer.from('abc'), 0, 3);
  f.gap(10);
  f.data(Buffer.from('def'), 0, 3);
  f.end();
  const g = files.begin({ source: 'HTTP', isOrig: false, totalBytes: 100 });
  g.data(Buffer.from('MZ'), 0, 2);
  g.end();
  const [a, b] = sink.get('files');
  assert.equal(a.missing_bytes, 10);
  assert.equal(a.seen_bytes, 6);
  assert.equal(a.sha256, undefined);
  assert.equal(b.missing_bytes, 98);
  assert.equal(b.md5, undefined);
  assert.equal(b.mime_type, 'application/x-dosexec');
  assert.equal(b.local_orig, false); // sent by the responder, 192.0.2.1
});

test('timedout after the file timeout of silence', () => {
  const { files, sink, advance } = manager();
  const f = files.begin({ source: 'HTTP', isOrig: false });
  f.data(Buffer.from('a'), 0, 1);
  advance(LIMITS.fileTimeout + 1);
  f.data(Buffer.from('b'), 0, 1);
  f.end();
  assert.equal(sink.get('files')[0].timedout, true);
});

test('extraction: content-addressed by SHA256, same content stored once, gaps not extracted, cutoff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-extract-'));
  try {
    const { files, sink } = manager(dir);
    for (let i = 0; i < 2; i++) {
      const f = files.begin({ source: 'HTTP', isOrig: false, filename: '../../etc/passwd' });
      f.data(Buffer.from('same content'), 0, 12);
      f.end();
    }
    const g = files.begin({ source: 'HTTP', isOrig: false });
    g.data(Buffer.from('part'), 0, 4);
    g.gap(3);
    g.end();
    const saved = LIMITS.fileExtractMaxBytes;
    (LIMITS as { fileExtractMaxBytes: number }).fileExtractMaxBytes = 5;
    try {
      const h = files.begin({ source: 'HTTP', isOrig: false });
      h.data(Buffer.from('0123'), 0, 4);
      h.data(Buffer.from('456789'), 0, 6);
      h.end();
    } finally {
      (LIMITS as { fileExtractMaxBytes: number }).fileExtractMaxBytes = saved;
    }
    const recs = sink.get('files');
    assert.equal(recs[0].extracted, sha('sha256', 'same content'));
    assert.equal(recs[1].extracted, recs[0].extracted);
    assert.equal(recs[0].extracted_size, 12);
    assert.equal(recs[0].extracted_cutoff, false);
    assert.equal(recs[2].extracted, undefined);
    assert.equal(recs[3].extracted, sha('sha256', '01234'));
    assert.equal(recs[3].extracted_cutoff, true);
    assert.equal(recs[3].extracted_size, 5);
    assert.equal(recs[3].sha256, sha('sha256', '0123456789'));
    assert.ok((recs[0].analyzers as string[]).includes('EXTRACT'));
    // Only content addresses in the directory: no temporary files, nothing named by the traffic.
    assert.deepEqual(readdirSync(dir).sort(), [sha('sha256', '01234'), sha('sha256', 'same content')].sort());
    assert.equal(readFileSync(join(dir, sha('sha256', '01234')), 'latin1'), '01234');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extraction through the engine: --extract-files writes the HTTP bodies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-extract-'));
  try {
    const { sink } = await run(pcap('http-gzip-content-encoding.pcap'), { extractDir: dir });
    const [f] = sink.get('files');
    assert.equal(f.extracted, f.sha256);
    assert.equal(sha('sha256', readFileSync(join(dir, String(f.sha256)))), f.sha256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('MIME magic follows Zeek\'s signatures and strengths', () => {
  const m = (s: string | Buffer) => sniffMime(typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
  assert.equal(m('MZ\x90\x00\x03'), 'application/x-dosexec');
  assert.equal(m('\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00'), 'application/x-executable');
  assert.equal(m('\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x03\x00'), 'application/x-sharedlib');
  assert.equal(m('%PDF-1.7\n'), 'application/pdf');
  assert.equal(m('PK\x03\x04\x14\x00\x00\x00'), 'application/zip');
  assert.equal(m(gzipSync(Buffer.from('x'))), 'application/x-gzip');
  assert.equal(m('\x89PNG\r\n\x1a\n'), 'image/png');
  assert.equal(m('\xff\xd8\xff\xe0\x00\x10JFIF'), 'image/jpeg');
  assert.equal(m('GIF89a\x01\x00'), 'image/gif');
  assert.equal(m('\xca\xfe\xba\xbe\x00\x00\x00\x34'), 'application/x-java-applet');
  assert.equal(m('<!DOCTYPE html><html>'), 'text/html');
  assert.equal(m('\n  <!-- c --> <html lang="en">'), 'text/html');
  assert.equal(m('<?xml version="1.0"?><root/>'), 'application/xml');
  assert.equal(m('<?xml version="1.0"?>\n<rss version="2.0">'), 'text/rss');
  assert.equal(m('{"a": 1, "b": [2]}'), 'text/json');
  assert.equal(m('plain words and more'), 'text/plain');
  assert.equal(m('#!/bin/sh\necho hi'), 'text/x-shellscript');
  assert.equal(m('short'), undefined); // text/plain needs 10 printable bytes
  assert.equal(m('\x00\x01\x02\x03binary'), undefined);
});

test('a protocol-supplied mimeType is logged as is; a mimeHint is not', () => {
  const { files, sink } = manager();
  const a = files.begin({ source: 'SSL', isOrig: false, mimeType: 'application/x-x509-user-cert' });
  a.data(Buffer.from([0x30, 0x82, 0x01, 0x0a]), 0, 4);
  a.end();
  const b = files.begin({ source: 'HTTP', isOrig: false, mimeHint: 'image/png' });
  b.data(Buffer.from('MZ\x90\x00', 'latin1'), 0, 4);
  b.end();
  assert.equal(a.mimeType, 'application/x-x509-user-cert');
  assert.equal(b.mimeHint, 'image/png');
  assert.deepEqual(sink.get('files').map((r) => r.mime_type), ['application/x-x509-user-cert', 'application/x-dosexec']);
});

test('hashes of files larger than one hash stage, in segment-sized and large pieces, interleaved with others', () => {
  const { files, sink } = manager();
  const big = Buffer.alloc(200 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 0xff;
  const a = files.begin({ source: 'HTTP', isOrig: false, filename: 'a' });
  const b = files.begin({ source: 'HTTP', isOrig: false, filename: 'b' });
  b.data(big, 0, 1000);
  for (let p = 0; p < big.length; p += 1460) a.data(big, p, Math.min(1460, big.length - p));
  a.end(); // its stage may now serve another file: b's must stay its own
  const c = files.begin({ source: 'HTTP', isOrig: false, filename: 'c' });
  c.data(Buffer.from('overwrites any shared stage'), 0, 27);
  b.data(big, 1000, 99 * 1024); // one large piece after staged bytes
  b.data(big, 1000 + 99 * 1024, 3);
  c.end();
  b.end();
  const byName = new Map(sink.get('files').map((r) => [r.filename, r]));
  const bContent = big.subarray(0, 1000 + 99 * 1024 + 3);
  for (const [name, content] of [['a', big], ['b', bContent], ['c', Buffer.from('overwrites any shared stage')]] as const) {
    const r = byName.get(name)!;
    assert.equal(r.md5, sha('md5', content), name);
    assert.equal(r.sha1, sha('sha1', content), name);
    assert.equal(r.sha256, sha('sha256', content), name);
  }
});

test('an empty file has the hashes of no bytes; an unlogged file writes no record', () => {
  const { files, sink } = manager();
  const e = files.begin({ source: 'HTTP', isOrig: false, filename: 'empty' });
  e.end();
  const cert = files.begin({ source: 'SSL', isOrig: false, mimeType: 'application/x-x509-user-cert', logged: false });
  cert.data(Buffer.from('0\x82'), 0, 2);
  cert.end();
  const recs = sink.get('files');
  assert.equal(recs.length, 1);
  assert.equal(recs[0].md5, sha('md5', ''));
  assert.equal(recs[0].sha256, sha('sha256', ''));
});
