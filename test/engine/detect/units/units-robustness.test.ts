/**
 * Unit building on hostile input: seeded mutations of the captures the units come from (and the
 * shared bad-* captures) run with an inspector that wants every protocol. No run may throw, and
 * every unit must be well-formed and within its named limits.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PCAPS, allCaptures, run } from '../../../helpers.js';
import { loadCorpus } from '../../../robustness/harness.js';
import { makeCase } from '../../../robustness/mutate.js';
import { NotACaptureError } from '../../../../src/engine/capture/source.js';
import type { InspectionUnit } from '../../../../src/engine/detect/inspection.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import { RecordingInspector } from './recorder.js';

const SOURCES = ['http-get-simple.pcap', 'http-post-upload.pcap', 'http-gzip-content-encoding.pcap', 'http-chunked-xff.pcap',
  'dns-tcp.pcap', 'dns-many-record-types.pcap', 'tls12-openssl.pcap', 'tls13.pcap', 'ssh2.pcap', 'smtp-starttls.pcap',
  'smtp-zip-attachment.pcap', 'ftp-login.pcap', 'http-pe-exe-download.pcap', 'sip.pcap', 'kerberos-login.pcap'];
const MUTATIONS = 4;
const SEED = 20261202;

const dir = mkdtempSync(join(tmpdir(), 'capdex-units-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function checkUnit(u: InspectionUnit, where: string): void {
  assert.equal(typeof u.proto, 'string', where);
  assert.equal(typeof u.isOrig, 'boolean', where);
  for (const [name, v] of Object.entries(u.buffers)) {
    const list = v instanceof Uint8Array ? [v] : v;
    assert.ok(Array.isArray(list) || v instanceof Uint8Array, `${where}: ${name} is bytes`);
    if (!(v instanceof Uint8Array)) assert.ok(list.length <= LIMITS.inspectMaxValues, `${where}: ${name} has ${list.length} values`);
    for (const b of list) {
      assert.ok(b instanceof Uint8Array, `${where}: ${name} holds bytes`);
      if (name === 'http.request_body' || name === 'http.response_body') assert.ok(b.length <= LIMITS.inspectHttpBodyBytes, `${where}: ${name} too long`);
      if (name === 'file.data') assert.ok(b.length <= Math.max(LIMITS.inspectFileBytes, LIMITS.inspectHttpBodyBytes), `${where}: file.data too long`);
    }
  }
}

async function runWithUnits(file: string, where: string): Promise<number> {
  const inspector = new RecordingInspector();
  try {
    await run(file, { inspector });
  } catch (e) {
    if (e instanceof NotACaptureError) return 0;
    throw new Error(`${where}: ${(e as Error).stack}`);
  }
  for (const r of inspector.units) checkUnit(r.unit, where);
  return inspector.units.length;
}

test('the shared bad-* captures: units are built without error', async () => {
  for (const name of allCaptures().filter((n) => n.startsWith('bad-'))) await runWithUnits(join(PCAPS, name), name);
});

test(`${MUTATIONS} seeded mutations of each unit source capture: no exception, units well-formed and bounded`, async () => {
  const corpus = loadCorpus(PCAPS);
  let units = 0;
  for (const capture of SOURCES) {
    for (let i = 0; i < MUTATIONS; i++) {
      const c = makeCase(corpus, capture, SEED, i);
      const file = join(dir, 'case.pcap');
      writeFileSync(file, c.buf);
      units += await runWithUnits(file, `${c.id} (${c.ops.join(',')})`);
    }
  }
  assert.ok(units > 0, 'mutated captures still yield units');
});
