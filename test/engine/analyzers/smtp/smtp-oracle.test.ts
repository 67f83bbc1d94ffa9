/**
 * SMTP through the whole engine on the shared captures, against tshark: the commands and
 * replies tshark decodes, and the attachments decoded independently from tshark's view of the
 * stream (`follow,tcp,raw`; `--export-objects imf` gives the whole message as .eml, not its
 * parts, so the parts are cut and base64-decoded here from the exported message).
 *
 * Deliberate differences from Zeek: an AUTH-only session (ntlm-synthetic) is logged because of
 * its auth_mechanism, where Zeek writes no smtp.log record without MAIL/RCPT; auth_* fields are
 * ours. Text entities exclude the CRLF before a delimiter (RFC 2046), as Zeek's MIME analyzer
 * does for base64 but not necessarily byte-for-byte for 7bit parts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcap, run } from '../../../helpers.js';
import { tsharkFields, tsharkFollow } from './mail-fakes.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The base64 part named `filename` of a raw message (test-side, naive but independent). */
function base64Part(msg: string, filename: string): Buffer {
  const at = msg.indexOf(`filename="${filename}"`);
  assert.ok(at > 0, `part ${filename} in the message`);
  const body = msg.indexOf('\r\n\r\n', at) + 4;
  const end = msg.indexOf('\r\n--', body);
  return Buffer.from(msg.slice(body, end < 0 ? undefined : end).replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
}

test('smtp-zip-attachment: smtp.log as tshark reads the dialogue, the ZIP in files.log with the exported sha256', async () => {
  const file = pcap('smtp-zip-attachment.pcap');
  const { sink } = await run(file);
  const [r, ...more] = sink.get('smtp');
  assert.equal(more.length, 0);
  const req = tsharkFields(file, 'smtp.req', ['smtp.req.command', 'smtp.req.parameter']);
  const helo = req.find((x) => x[0] === 'EHLO')!;
  assert.equal(r.helo, helo[1]);
  assert.equal(r.mailfrom, /<([^>]+)>/.exec(req.find((x) => x[0].startsWith('MAIL'))![1])![1]);
  assert.deepEqual(r.rcptto, ['xxxxxxxxx@xxxxxxx.com']);
  assert.equal(r.subject, 'zip test');
  assert.equal(r.user_agent, 'Mutt/1.5.20 (2009-12-10)');
  assert.equal(r.msg_id, '<20131217145016.GA29077@xxx.net>');
  assert.equal(r.last_reply, '250 Ok: queued as 5CF8324407F');
  assert.equal(r.tls, false);
  assert.deepEqual(r.path, ['64.236.64.225', '10.180.156.249', '127.0.0.1']);
  assert.equal(sink.get('conn')[0].service, 'smtp');

  const dir = mkdtempSync(join(tmpdir(), 'capdex-imf-'));
  execFileSync('tshark', ['-r', file, '--export-objects', `imf,${dir}`]);
  const eml = readFileSync(join(dir, readdirSync(dir)[0])).toString('latin1').replace(/\r?\n/g, '\r\n');
  const zip = base64Part(eml, 'a.zip');
  const files = sink.get('files').filter((f) => f.source === 'SMTP');
  assert.equal(files.length, 2);
  const z = files.find((f) => f.filename === 'a.zip')!;
  assert.equal(z.sha256, sha256(zip));
  assert.equal(z.mime_type, 'application/zip');
  assert.equal(z.seen_bytes, zip.length);
  assert.equal(z.depth, 3);
  const text = files.find((f) => f.mime_type === 'text/plain')!;
  assert.equal(text.seen_bytes, 'a zip test\r\n'.length);
  assert.deepEqual(r.fuids, files.map((f) => f.fuid));
});

test('smtp-starttls: tls=T in smtp.log, then ssl.log on the same connection', async () => {
  const file = pcap('smtp-starttls.pcap');
  const { sink } = await run(file);
  const [r] = sink.get('smtp');
  assert.equal(r.tls, true);
  assert.equal(r.last_reply, '220 2.0.0 Ready to start TLS');
  const ssl = sink.get('ssl');
  assert.equal(ssl.length, 1);
  assert.equal(ssl[0].uid, r.uid);
  const ver = tsharkFields(file, 'tls.handshake.type == 2', ['tls.handshake.version'])[0][0];
  assert.equal(ver, '0x0301');
  assert.equal(ssl[0].version, 'TLSv10');
  assert.equal(sink.get('conn')[0].service, 'smtp,ssl');
});

test('malware-emotet: the spam session on 587, AUTH LOGIN user, the attachment as far as captured', async () => {
  const file = pcap('malware-emotet.pcap');
  const { sink } = await run(file);
  const [r] = sink.get('smtp');
  assert.equal(r['id.resp_p'], 587);
  assert.equal(r.mailfrom, 'raulparedes@wanadoo.fr');
  assert.deepEqual(r.rcptto, ['mitzy.torres@2080.cl']);
  assert.equal(r.auth_mechanism, 'LOGIN');
  assert.equal(r.username, 'raulparedes@wanadoo.fr');
  assert.equal(r.password, undefined);
  assert.equal(r.auth_success, true);
  const follow = tsharkFollow(file, Number(tsharkFields(file, 'tcp.port == 587 && tcp.flags.syn == 1 && tcp.flags.ack == 0', ['tcp.stream'])[0][0]));
  const client = follow.orig.toString('latin1');
  // The capture ends inside the attachment: what was seen decodes to what files.log hashed.
  const xlsm = base64Part(client.slice(client.indexOf('DATA\r\n')), 'documentaci\u00c3\u00b3n_455.xlsm');
  const f = sink.get('files').find((x) => x.source === 'SMTP' && String(x.filename).endsWith('.xlsm'))!;
  assert.equal(f.filename, 'documentación_455.xlsm');
  assert.equal(f.seen_bytes, xlsm.length);
  assert.equal(f.sha256, sha256(xlsm));
});

test('ntlm-synthetic and mixed-arkime: every SMTP connection tshark sees has a record', async () => {
  for (const name of ['ntlm-synthetic.pcap', 'mixed-arkime-synthetic-many-protocols.pcap']) {
    const file = pcap(name);
    const { sink } = await run(file);
    const tsharkConns = new Set(tsharkFields(file, 'smtp.req.command == "EHLO"', ['tcp.srcport']).map((x) => Number(x[0])));
    const ours = new Set(sink.get('smtp').map((r) => r['id.orig_p'] as number));
    for (const p of tsharkConns) assert.ok(ours.has(p), `${name}: SMTP client port ${p}`);
  }
  const { sink } = await run(pcap('ntlm-synthetic.pcap'));
  const [r] = sink.get('smtp');
  assert.equal(r.auth_mechanism, 'NTLM');
  assert.equal(r.auth_success, true);
});
