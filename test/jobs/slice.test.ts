/**
 * Per-flow slices in a worker thread (src/jobs/slice.ts): the file the worker writes is byte for
 * byte what sliceFlow (checked against tshark in test/engine/capture/slice.test.ts) produces on
 * this thread, for a pcap and a pcapng; more slices than run at once all finish; an unreadable
 * capture fails with its reason and leaves no file; an existing file is never overwritten; a slice
 * over its time limit is stopped and its file removed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowSelectorOf, sliceFlow, type FlowSelector } from '../../src/engine/capture/slice.js';
import { SLICES_RUNNING_MAX, SliceError, sliceInWorker } from '../../src/jobs/slice.js';
import { pcap, run } from '../helpers.js';

let dir: string;
let n = 0;
const out = (): string => join(dir, `slice-${n++}`);
before(() => { dir = mkdtempSync(join(tmpdir(), 'capdex-jobs-slice-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

async function onThisThread(file: string, sel: FlowSelector): Promise<{ bytes: Buffer; packets: number }> {
  const chunks: Buffer[] = [];
  const r = await sliceFlow(file, sel, (c) => chunks.push(Buffer.from(c)));
  return { bytes: Buffer.concat(chunks), packets: r.packets };
}

async function selectors(file: string): Promise<FlowSelector[]> {
  const conns = (await run(file)).sink.get('conn');
  return conns.map((c) => flowSelectorOf(c, conns)).filter((s): s is FlowSelector => s !== undefined);
}

test('the worker\'s slice equals sliceFlow\'s on this thread, pcap and pcapng', async () => {
  for (const name of ['http-pe-exe-download.pcap', 'frag-ipv4.pcapng']) {
    const file = pcap(name);
    const sels = await selectors(file);
    assert.ok(sels.length > 0, `${name} has connections`);
    for (const sel of sels.slice(0, 3)) {
      const path = out();
      const r = await sliceInWorker(file, sel, path);
      const want = await onThisThread(file, sel);
      assert.ok(r.packets > 0, `${name}: packets sliced`);
      assert.equal(r.packets, want.packets);
      assert.equal(r.format, name.endsWith('.pcapng') ? 'pcapng' : 'pcap');
      assert.deepEqual(readFileSync(path), want.bytes, `${name}: same bytes`);
    }
  }
});

test('more slices than run at once: every one finishes with its own packets', async () => {
  const file = pcap('http-pe-exe-download.pcap');
  const [sel] = await selectors(file);
  const want = await onThisThread(file, sel);
  const paths = Array.from({ length: SLICES_RUNNING_MAX + 3 }, out);
  const results = await Promise.all(paths.map((p) => sliceInWorker(file, sel, p)));
  for (const [i, r] of results.entries()) {
    assert.equal(r.packets, want.packets);
    assert.deepEqual(readFileSync(paths[i]), want.bytes);
  }
});

test('failures: an unreadable capture gives its reason and no file; an existing file is kept; the time limit stops a slice', async () => {
  const [sel] = await selectors(pcap('http-pe-exe-download.pcap'));
  const missing = out();
  await assert.rejects(sliceInWorker(join(dir, 'no-such.pcap'), sel, missing), (e: unknown) => e instanceof SliceError && /ENOENT|no such file/i.test(e.message));
  assert.equal(existsSync(missing), false);

  const text = join(dir, 'text.pcap');
  writeFileSync(text, 'this is not a capture at all, just some text\n'.repeat(20));
  const fromText = out();
  await assert.rejects(sliceInWorker(text, sel, fromText), SliceError);
  assert.equal(existsSync(fromText), false, 'no file left behind');

  const existing = out();
  writeFileSync(existing, 'keep me');
  await assert.rejects(sliceInWorker(pcap('http-pe-exe-download.pcap'), sel, existing), /EEXIST/);
  assert.equal(readFileSync(existing, 'utf8'), 'keep me');

  const slow = out();
  await assert.rejects(sliceInWorker(pcap('http-pe-exe-download.pcap'), sel, slow, 1), /more than/);
  assert.equal(existsSync(slow), false, 'a stopped slice leaves no file');
});
