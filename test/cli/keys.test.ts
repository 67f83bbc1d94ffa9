/**
 * `capdex keys` and the access flags of `capdex serve` as a user runs them (child processes):
 * a key made by the CLI in the server's data directory uploads to `serve --require-key`, an
 * anonymous upload is refused, `--rate-limit N` answers 429 after N reads.
 * (test/api/access.test.ts covers list/revoke and the API side in depth.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap } from '../helpers.js';

const MAIN = join(ROOT, 'src/cli/main.ts');

function capdex(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('capdex serve --require-key --rate-limit 3 with a key from capdex keys add --data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-keys-'));
  const data = join(dir, 'data');
  const added = await capdex(['keys', 'add', 'uploader', '--data', data]);
  assert.equal(added.code, 0, added.stderr);
  const secret = added.stdout.trim();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--data', data, '--require-key', '--rate-limit', '3'], { cwd: ROOT });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 60_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) { clearTimeout(t); resolve(m[1]); }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const body = readFileSync(pcap('dns-tcp.pcap'));
    const anonymous = await fetch(`${url}/api/captures`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'KEY_REQUIRED');
    const keyed = await fetch(`${url}/api/captures?visibility=private`, {
      method: 'POST', body, headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${secret}` },
    });
    const up = (await keyed.json()) as { job: { visibility: string; submitter: string } };
    assert.equal(keyed.status, 201, JSON.stringify(up));
    assert.equal(up.job.visibility, 'private');
    assert.match(up.job.submitter, /^key_[0-9a-f]{12}$/);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${url}/api/captures`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  } finally {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('capdex keys: one store location at a time, a name required, revoke of an unknown id fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-keys-'));
  try {
    const both = await capdex(['keys', 'list', '--data', dir, '--db', join(dir, 'x.db')]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /one of --data, --db, --pg/);
    const blank = await capdex(['keys', 'add', '  ', '--data', dir]);
    assert.equal(blank.code, 1);
    assert.match(blank.stderr, /needs a name/);
    const unknown = await capdex(['keys', 'revoke', 'key_000000000000', '--data', dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no active key key_000000000000/);
    const list = await capdex(['keys', 'list', '--data', dir]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
