/**
 * The query language knows every log the engine writes: each `export const X: LogSchema = {`
 * under src/engine is in LOG_SCHEMAS, so `notice.msg` or a new protocol's fields resolve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../helpers.js';
import { LOG_SCHEMAS, storedLogName } from '../../../src/store/query/log-catalog.js';
import { LOG_NAMES } from '../../../src/store/query/fields.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

test('every LogSchema declared under src/engine is in the query catalog', async () => {
  const declared: { file: string; name: string }[] = [];
  for (const file of tsFiles(join(ROOT, 'src', 'engine'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/export const (\w+): LogSchema = \{/g)) declared.push({ file, name: m[1] });
  }
  assert.ok(declared.length >= 25, `found only ${declared.length} schemas: the scan is broken`);
  const missing: string[] = [];
  for (const d of declared) {
    const mod = (await import(pathToFileURL(d.file).href)) as Record<string, unknown>;
    if (!LOG_SCHEMAS.includes(mod[d.name] as never)) missing.push(`${d.name} (${relative(ROOT, d.file)})`);
  }
  assert.deepEqual(missing, [], 'add these to src/store/query/log-catalog.ts');
});

test('log names are unique and EVE is stored as alert', () => {
  assert.equal(new Set(LOG_NAMES).size, LOG_SCHEMAS.length);
  assert.ok(LOG_NAMES.includes('alert') && !LOG_NAMES.includes('eve'));
  assert.ok(LOG_SCHEMAS.some((s) => storedLogName(s) === 'alert' && s.path === 'eve'));
});
