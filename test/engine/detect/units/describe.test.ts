/** describeFile against libmagic (the `file` command) on built samples of the types it names. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFile } from '../../../../src/engine/analyzers/files/describe.js';

const dir = mkdtempSync(join(tmpdir(), 'capdex-describe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function libmagic(b: Buffer): string {
  const p = join(dir, 'sample');
  writeFileSync(p, b);
  return execFileSync('file', ['-b', p], { encoding: 'utf8' }).trim();
}

const SAMPLES: Record<string, Buffer> = {
  pdf: Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'),
  gif: Buffer.from('474946383961100020000000', 'hex'),
  png: Buffer.from('89504e470d0a1a0a0000000d49484452000000100000002008060000001f15c489', 'hex'),
  gzip: Buffer.from('1f8b0800000000000003', 'hex'),
  elf: readFileSync(process.execPath).subarray(0, 4096),
};

for (const [name, b] of Object.entries(SAMPLES)) {
  test(`${name}: our description is how libmagic's begins`, () => {
    const ours = describeFile(b, undefined);
    assert.notEqual(ours, 'data');
    assert.ok(libmagic(b).startsWith(ours), `"${ours}" vs "${libmagic(b)}"`);
  });
}

test('a PE header cut short, garbage and empty input never throw', () => {
  assert.equal(describeFile(Buffer.from('MZ'), undefined), 'MS-DOS executable');
  const bad = Buffer.alloc(0x80);
  bad.write('MZ');
  bad.writeUInt32LE(0xfffffff0, 0x3c);
  assert.equal(describeFile(bad, undefined), 'MS-DOS executable');
  assert.equal(describeFile(Buffer.alloc(0), undefined), 'data');
  assert.equal(describeFile(Buffer.from('\x7fELF', 'latin1'), undefined).startsWith('ELF'), true);
  assert.equal(describeFile(Buffer.from('hello'), 'text/plain'), 'ASCII text');
});
