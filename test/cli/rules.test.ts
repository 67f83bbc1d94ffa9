/**
 * `capdex rules check` end to end: the built CLI (dist/, built by scripts/test.sh; run
 * `npx tsc -p tsconfig.json` first when running this file alone) spawned as a user would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const FIXTURE = join(ROOT, 'test', 'engine', 'detect', 'rules', 'fixtures', 'suricata-docs.rules');

function capdex(args: string[]): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}

test('rules check: a clean file prints the counts and exits 0', () => {
  const r = capdex(['rules', 'check', FIXTURE]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), '45 rules loaded, 0 failed, 2 disabled');
});

test('rules check: errors as file:line:col: reason, unsupported keywords counted, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-rules-cli-'));
  const file = join(dir, 'mixed.rules');
  writeFileSync(file, [
    'alert tcp any any -> any any (msg:"ok"; content:"a"; sid:1;)',
    '# alert tcp any any -> any any (msg:"off"; sid:2;)',
    'alert tcp any any -> any any (msg:"bad"; content:"abc"; depth:1; sid:3;)',
    'alert http any any -> any any (msg:"u1"; app-layer-event:http.x; sid:4;)',
    'alert http any any -> any any (msg:"u2"; app-layer-event:http.y; lua:x.lua; sid:5;)',
  ].join('\n'));
  const r = capdex(['rules', 'check', file, join(dir, 'missing.rules')]);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines, [
    `${file}:3:57: depth 1 is smaller than the content (3 bytes)`,
    `${join(dir, 'missing.rules')}: cannot read: ENOENT`,
    '1 rules loaded, 2 failed, 1 disabled',
    'unsupported keywords (rules not loaded because of them):',
    '  app-layer-event:http.x: 1',
    '  lua: 1',
    '2 keyword uses in unloaded rules',
  ]);
});

test('rules check: --var changes what a variable means', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-rules-cli-'));
  const file = join(dir, 'v.rules');
  writeFileSync(file, 'alert tcp $MY_NET any -> any any (msg:"v"; sid:1;)\n');
  assert.equal(capdex(['rules', 'check', file]).code, 1);
  const r = capdex(['rules', 'check', '--var', 'MY_NET=[10.0.0.0/8]', file]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /1 rules loaded, 0 failed/);
});
