/** `capdex label add|rm|ls` spawned as a user runs it, on a SQLite file in a temp directory; `label:` search sees the labels. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'capdex-cli-label-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DB = join(dir, 'capdex.db');

function capdex(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args, '--db', DB], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('capdex label add / ls / rm, and label: searches', async () => {
  const imp = await capdex(['import', pcap('malware-trickbot.pcap')]);
  assert.equal(imp.code, 0, imp.stderr);
  const id = imp.stdout.slice(0, 64);
  const add = await capdex(['label', 'add', id.slice(0, 12), 'family', 'TrickBot']);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /^added: lbl_[0-9a-f]{16} {2}family:trickbot/);
  assert.match((await capdex(['label', 'add', id, 'family', 'trickbot'])).stdout, /^already there/);
  assert.equal((await capdex(['label', 'add', id, 'category', 'c2'])).code, 0);
  const bad = await capdex(['label', 'add', id, 'colour', 'red']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /kind must be one of/);
  assert.equal((await capdex(['label', 'add', 'ffffffffffff', 'family', 'x'])).code, 2);

  const ls = await capdex(['label', 'ls', id, '--json']);
  const labels = ls.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; kind: string; value: string; keyId: null });
  assert.deepEqual(labels.map((l) => `${l.kind}:${l.value}`).sort(), ['category:c2', 'family:trickbot']);
  assert.ok(labels.every((l) => l.keyId === null));

  const search = await capdex(['search', 'label:trickbot | count by capture', '--json']);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout, new RegExp(id));

  assert.equal((await capdex(['label', 'rm', id, 'category', 'C2'])).code, 0);
  const byId = labels.find((l) => l.kind === 'family')!.id;
  assert.equal((await capdex(['label', 'rm', id, byId])).code, 0);
  assert.equal((await capdex(['label', 'rm', id, byId])).code, 2);
  assert.equal((await capdex(['label', 'ls', id])).stdout, '');
});
