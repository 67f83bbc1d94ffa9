/**
 * FTP data channels: the control connection's PASV/PORT announces the data connection
 * (ctx.expect); that connection gets service ftp-data and its file lands in files.log. The
 * file's SHA-256 is checked against the object tshark exports (--export-objects ftp-data).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcap, run } from '../../../helpers.js';

test('a STOR over a passive data channel: ftp-data service, the file in files.log as tshark exports it', async () => {
  const { sink } = await run(pcap('ftp-data-transfer.pcapng'));
  const data = sink.get('conn').filter((c) => c.service === 'ftp-data');
  assert.equal(data.length, 1);
  assert.equal(data[0]['id.resp_p'], 49166); // PASV reply (172,16,16,121,192,14)
  const files = sink.get('files').filter((f) => f.source === 'FTP_DATA');
  assert.equal(files.length, 1);
  assert.equal(files[0].uid, data[0].uid);
  assert.equal(files[0].seen_bytes, 19832);
  assert.equal(files[0].mime_type, 'text/plain');

  const dir = mkdtempSync(join(tmpdir(), 'capdex-ftpdata-'));
  execFileSync('tshark', ['-r', pcap('ftp-data-transfer.pcapng'), '-q', '--export-objects', `ftp-data,${dir}`], { stdio: 'ignore' });
  const exported = readdirSync(dir).map((f) => createHash('sha256').update(readFileSync(join(dir, f))).digest('hex'));
  assert.deepEqual(exported, [files[0].sha256]);
});

test('data channels that are announced but never used leave no trace', async () => {
  const { sink } = await run(pcap('ftp-data-transfer.pcapng'));
  // Four PASV replies, one transfer: the three unused expectations expire silently.
  assert.equal(sink.get('ftp').filter((r) => r.command === 'PASV').length, 4);
  assert.equal(sink.get('files').filter((f) => f.source === 'FTP_DATA').length, 1);
});

test('the transfer command in ftp.log carries the data channel file: fuid and mime_type join files.log', async () => {
  const { sink } = await run(pcap('ftp-data-transfer.pcapng'));
  const [file] = sink.get('files').filter((f) => f.source === 'FTP_DATA');
  const stor = sink.get('ftp').filter((r) => r.command === 'STOR');
  assert.equal(stor.length, 1);
  assert.equal(stor[0].fuid, file.fuid);
  assert.equal(stor[0].mime_type, file.mime_type);
  // Only the transfer command gets them: the PASV records before it don't.
  assert.ok(sink.get('ftp').filter((r) => r.command !== 'STOR').every((r) => r.fuid === undefined && r.mime_type === undefined));
});
