/**
 * RetroHunts over a real store and blob folder, with the worker replaced (the constructor's spawn
 * hook) by one that reports a first capture and then never finishes: what the store holds while
 * the hunt runs, after the server stops in the middle of it (the hunt reads as interrupted, its
 * first result kept), and from a new RetroHunts on the same store (a restart). The real worker's
 * matches are covered end to end in test/api/intel.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openService, type Service } from '../../src/service.js';
import { RetroHunts, type HuntTask } from '../../src/jobs/retro-hunt.js';
import type { Viewer } from '../../src/store/store.js';
import { pcap } from '../helpers.js';

const KEY: Viewer = { keyId: 'key_0000000000c1' };
const RULES = 'alert http any any -> any any (msg:"HUNT x"; http.host; content:"x"; sid:7100001; rev:1;)';
let dir: string;
let svc: Service;
const ids: string[] = [];

/** Posts the first capture's alerts, then hangs (a long capture) until terminated. */
const hanging = (task: HuntTask): Worker => new Worker(`
  const { parentPort, workerData } = require('node:worker_threads');
  parentPort.postMessage({ type: 'capture', captureId: workerData.captures[0].id, alerts: [{ sid: 7100001, msg: 'HUNT x', count: 2 }] });
  setInterval(() => {}, 1000);`, { eval: true, workerData: task });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-retro-hunt-'));
  svc = await openService({ dataDir: dir }, { worker: false });
  for (const f of ['malware-emotet.pcap', 'dns-tcp.pcap']) {
    const d = await svc.blobs.put(createReadStream(pcap(f)));
    await svc.store.importCapture({ id: d.sha256, md5: d.md5, sha1: d.sha1, size: d.size, name: f, visibility: 'public', format: 'pcap' }, async () => ({}));
    ids.push(d.sha256);
  }
});
after(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a hunt interrupted by the server stopping is kept as interrupted, with the results it had; a restarted server reads it', async () => {
  const hunts = new RetroHunts(svc.store, svc.blobs, hanging);
  const started = await hunts.start(RULES, {}, KEY);
  assert.equal(started.total, 2);
  for (let i = 0; i < 300 && (await svc.store.intel.hunts.get(started.id, KEY))?.done !== 1; i++) await new Promise((r) => setTimeout(r, 50));
  const running = await svc.store.intel.hunts.get(started.id, KEY);
  assert.equal(running?.status, 'running');
  assert.equal(running?.done, 1, 'the first capture\'s result is written as it arrives');
  assert.equal(running?.matches.length, 1);
  assert.equal((await hunts.get(started.id, KEY))?.status, 'running', 'served from memory while it runs');
  assert.equal(await hunts.get(started.id, { keyId: 'key_0000000000c2' }), undefined);

  await hunts.close();
  const stored = await svc.store.intel.hunts.get(started.id, KEY);
  assert.equal(stored?.status, 'failed');
  assert.match(stored?.error ?? '', /^interrupted: the server stopped/);
  assert.equal(stored?.matches.length, 1);
  assert.ok(ids.includes(stored!.matches[0].captureId));
  assert.deepEqual(stored!.matches[0].alerts, [{ sid: 7100001, msg: 'HUNT x', count: 2 }]);
  assert.ok(stored?.finishedAt !== undefined);

  const again = new RetroHunts(svc.store, svc.blobs, hanging);
  try {
    assert.deepEqual(await again.get(started.id, KEY), stored);
    assert.deepEqual((await again.list(KEY)).map((h) => [h.id, h.status, h.matches, h.errors]), [[started.id, 'failed', 1, 0]]);
    assert.deepEqual(await again.list({ keyId: 'key_0000000000c2' }), []);
  } finally {
    await again.close();
  }
});
