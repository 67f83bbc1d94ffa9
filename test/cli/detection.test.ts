/**
 * `capdex analyze` with detection rules, end to end (the built CLI in dist/; run
 * `npx tsc -p tsconfig.json` first when running this file alone): bundled rules by default,
 * --rules FILE (repeatable), --no-default-rules, eve.json whatever --format, the summary.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap } from '../helpers.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'capdex-detect-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function capdex(...args: string[]): { code: number | null; stderr: string; out: string } {
  const out = join(dir, `out${++n}`);
  const r = spawnSync(process.execPath, [MAIN, 'analyze', ...args, '--out', out, '--no-progress'], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, out };
}

function eve(out: string): Array<Record<string, any>> {
  return readFileSync(join(out, 'eve.json'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('bundled rules run by default: eve.json with the alert, the summary lists the signature', () => {
  const r = capdex(pcap('ftp-login.pcap'));
  assert.equal(r.code, 0, r.stderr);
  const alerts = eve(r.out);
  assert.ok(alerts.some((a) => a.alert.signature_id === 9100100), JSON.stringify(alerts.map((a) => a.alert.signature_id)));
  assert.match(r.stderr, /alerts\s+\d+ in eve\.json/);
  assert.match(r.stderr, /\[1:9100100\] CAPDEX FTP password sent in cleartext/);
  assert.match(r.stderr, /eve\.json \d+/);
});

test('--no-default-rules: no eve.json; --rules adds a file (repeatable), eve.json stays JSON with --format tsv', () => {
  const none = capdex(pcap('ftp-login.pcap'), '--no-default-rules');
  assert.equal(none.code, 0, none.stderr);
  assert.equal(existsSync(join(none.out, 'eve.json')), false);
  const a = join(dir, 'a.rules');
  const b = join(dir, 'b.rules');
  writeFileSync(a, 'alert tcp any any -> any 21 (msg:"user rule A"; flow:to_server; content:"USER "; sid:1000001;)\n');
  writeFileSync(b, 'alert tcp any 21 -> any any (msg:"user rule B"; flow:to_client; content:"230 "; sid:1000002;)\nalert tcp any any -> any any (msg:"broken"; content:"x"\n');
  const r = capdex(pcap('ftp-login.pcap'), '--no-default-rules', '--rules', a, '--rules', b, '--format', 'tsv');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(eve(r.out).map((x) => x.alert.signature_id).sort(), [1000001, 1000002]);
  // The broken rule is reported with its file and line, the others still run.
  assert.ok(r.stderr.includes(`${b}:2:`), r.stderr);
});

test('an unreadable rules file is an error (exit 2), nothing analysed', () => {
  const r = capdex(pcap('ftp-login.pcap'), '--rules', join(dir, 'missing.rules'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read rules file/);
});
