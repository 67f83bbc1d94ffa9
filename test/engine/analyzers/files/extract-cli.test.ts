/** `capdex analyze --extract-files DIR`: HTTP bodies land in DIR named by their SHA256. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap } from '../../../helpers.js';

test('--extract-files writes each complete file once, content-addressed, and files.log says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-cli-extract-'));
  try {
    const out = join(dir, 'logs'), ex = join(dir, 'extracted');
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'analyze', pcap('link-radiotap-80211-http.pcap'),
      '-o', out, '--extract-files', ex, '-q', '--no-progress'], { cwd: ROOT, stdio: 'ignore' });
    const files = readFileSync(join(out, 'files.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(files.length, 6);
    const names = readdirSync(ex).sort();
    assert.deepEqual(names, [...new Set(files.map((f) => String(f.extracted)))].sort()); // duplicates stored once
    for (const n of names) assert.equal(createHash('sha256').update(readFileSync(join(ex, n))).digest('hex'), n);
    for (const f of files) assert.equal(f.extracted_size, f.seen_bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
