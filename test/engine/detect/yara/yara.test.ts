/**
 * YARA on files (--yara): rules compiled with YARA-X, run over each file's first bytes; matches in
 * files.log yara_matches and as EVE alerts (gid 3). Real capture: http-pe-exe-download.pcap, whose
 * response is a Windows PE (tshark reassembles the same MZ body).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap, run } from '../../../helpers.js';
import { YaraRuleError, loadYaraRules } from '../../../../src/engine/detect/yara/yara-rules.js';
import { YARA_GID, YaraFileScanner, yaraSid } from '../../../../src/engine/detect/yara/yara-scanner.js';
import { followTcp } from '../units/recorder.js';

const dir = mkdtempSync(join(tmpdir(), 'capdex-yara-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ruleFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const MZ = ruleFile('mz.yar', `
rule MZ_header : pe {
  meta:
    description = "DOS/PE executable"
    severity = 1
  strings:
    $mz = { 4D 5A }
  condition:
    $mz at 0
}
`);
const PDF = ruleFile('pdf.yar', 'rule PDF_header { meta: sid = 9000001 strings: $p = "%PDF-" condition: $p at 0 }\n');

test('a rule matching the MZ header: files.log yara_matches and an EVE alert in the file\'s direction', async () => {
  const file = pcap('http-pe-exe-download.pcap');
  // The oracle: the body tshark reassembled starts with MZ.
  const server = followTcp(file, 0, true);
  assert.equal(server.subarray(server.indexOf('\r\n\r\n') + 4, server.indexOf('\r\n\r\n') + 6).toString('latin1'), 'MZ');
  const scanner = new YaraFileScanner(await loadYaraRules([MZ, PDF]));
  const { sink } = await run(file, { fileScanner: scanner });
  const [f] = sink.get('files');
  assert.deepEqual(f.yara_matches, ['MZ_header']);
  const alerts = sink.get('eve');
  assert.equal(alerts.length, 1);
  const a = alerts[0] as Record<string, any>;
  assert.equal(a.event_type, 'alert');
  assert.equal(a.alert.gid, YARA_GID);
  assert.equal(a.alert.signature, 'YARA MZ_header');
  assert.equal(a.alert.signature_id, yaraSid('MZ_header'));
  assert.equal(a.alert.severity, 1);
  assert.deepEqual(a.alert.metadata, { yara_tags: ['pe'] });
  assert.equal(a.uid, f.uid);
  assert.equal(a.src_ip, f['id.resp_h'], 'the server sent the file');
  assert.equal(a.dest_ip, f['id.orig_h']);
  assert.equal(a.direction, 'to_client');
  assert.equal(a.app_proto, 'http');
  assert.equal(a.proto, 'TCP');
  assert.equal(a.fileinfo.filename, f.filename);
  assert.equal(a.fileinfo.fuid, f.fuid);
  assert.equal(a.fileinfo.size, f.seen_bytes);
  assert.match(a.fileinfo.magic, /^PE32 executable .*for MS Windows$/);
  assert.equal(scanner.scanned, 1);
});

test('a rule that does not match: no yara_matches, no alert', async () => {
  const scanner = new YaraFileScanner(await loadYaraRules([PDF]));
  const { sink } = await run(pcap('http-pe-exe-download.pcap'), { fileScanner: scanner });
  assert.equal(sink.get('files')[0].yara_matches, undefined);
  assert.equal(sink.get('eve').length, 0);
  assert.equal(scanner.scanned, 1);
  assert.equal(scanner.matched, 0);
});

test('the sid meta becomes the signature_id; certificates are not scanned', async () => {
  const any = ruleFile('any.yar', 'rule Any_file { meta: sid = 4242 rev = 3 condition: filesize > 0 }\n');
  const scanner = new YaraFileScanner(await loadYaraRules([any]));
  const { sink } = await run(pcap('tls12-openssl.pcap'), { fileScanner: scanner });
  assert.equal(scanner.scanned, 0, 'X.509 certificates are not files to scan');
  assert.equal(sink.get('eve').length, 0);
  const r2 = await run(pcap('http-get-simple.pcap'), { fileScanner: scanner });
  const [a] = r2.sink.get('eve') as Array<Record<string, any>>;
  assert.equal(a.alert.signature_id, 4242);
  assert.equal(a.alert.rev, 3);
});

test('a rule file that does not compile is an error naming the file; the other files are not needed', async () => {
  const bad = ruleFile('bad.yar', 'rule bad { condition: $x }\n');
  await assert.rejects(loadYaraRules([bad]), (e: Error) => e instanceof YaraRuleError && e.message.startsWith(bad) && /unknown pattern/.test(e.message));
  await assert.rejects(loadYaraRules([join(dir, 'missing.yar')]), (e: Error) => e instanceof YaraRuleError && /cannot read/.test(e.message));
});

test('capdex analyze --yara FILE: files.log and eve.json, a bad file exits 2', () => {
  const out = join(dir, 'cli-out');
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'analyze', ...args], { cwd: ROOT, encoding: 'utf8' });
  const r = cli([pcap('http-pe-exe-download.pcap'), '--out', out, '--yara', MZ, '--yara', PDF, '--no-default-rules', '--no-progress', '-q']);
  assert.equal(r.status, 0, r.stderr);
  const files = readFileSync(join(out, 'files.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(files[0].yara_matches, ['MZ_header']);
  const eve = readFileSync(join(out, 'eve.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(eve.map((e) => e.alert.signature), ['YARA MZ_header']);
  const bad = cli([pcap('http-get-simple.pcap'), '--out', join(dir, 'cli-bad'), '--yara', join(dir, 'nope.yar'), '--no-progress', '-q']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /nope\.yar: cannot read YARA rules/);
});
