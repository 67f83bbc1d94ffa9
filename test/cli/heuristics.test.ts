/**
 * `capdex analyze` and the heuristics: notice.log by default, none with --no-heuristics, and
 * --intel lists (bad lines reported with file and line, unreadable files an error). Runs the
 * built CLI (dist/, built by scripts/test.sh; `npx tsc -p tsconfig.json` first when alone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap } from '../helpers.js';

function capdex(args: string[]): { code: number | null; stderr: string; out: string } {
  const out = mkdtempSync(join(tmpdir(), 'capdex-heur-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'analyze', '--out', out, '-q', '--no-progress', ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, out };
}

function notices(dir: string): Record<string, unknown>[] {
  const f = join(dir, 'notice.log');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

test('notice.log by default; --no-heuristics writes none', () => {
  const on = capdex([pcap('tls-self-signed-cert.pcap')]);
  assert.equal(on.code, 0, on.stderr);
  assert.deepEqual(notices(on.out).map((n) => n.note).sort(), ['Capdex::Self_Signed_Cert', 'Capdex::TLS_Bare_IP']);
  const off = capdex([pcap('tls-self-signed-cert.pcap'), '--no-heuristics']);
  assert.equal(off.code, 0, off.stderr);
  assert.equal(existsSync(join(off.out, 'notice.log')), false);
  assert.ok(existsSync(join(off.out, 'ssl.log')));
});

test('--intel: matches become Capdex::Intel_Match notices; bad lines are reported by file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-intel-'));
  const list = join(dir, 'bad.intel');
  writeFileSync(list, '#fields\tindicator\tindicator_type\tmeta.source\n185.98.87.185\tIntel::ADDR\tfeed-x\nwhat\tIntel::NOPE\tfeed-x\n');
  const r = capdex([pcap('http-pe-download-disguised-as-png.pcap'), '--intel', list]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /bad\.intel:3: unknown indicator_type "Intel::NOPE"/);
  const hits = notices(r.out).filter((n) => n.note === 'Capdex::Intel_Match');
  assert.equal(hits.length, 1);
  assert.equal(hits[0].dst, '185.98.87.185');
  assert.match(hits[0].sub as string, /feed-x/);
  const missing = capdex([pcap('http-pe-download-disguised-as-png.pcap'), '--intel', join(dir, 'nope.intel')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read intel file .*nope\.intel: ENOENT/);
});
