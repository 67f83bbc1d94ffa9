/**
 * Restart safety with real processes: `capdex serve` (SQLite) killed with SIGKILL while it analyses
 * an upload, then started again on the same data dir, analyses it exactly once (the job done after
 * two claims, the store holding exactly the records the engine makes, one capture); and the same
 * scaled out: `capdex serve --pg --no-worker` plus `capdex worker --pg`, the worker killed mid-job
 * and a new one started (its sweep finds the dead worker's job once the heartbeat is stale).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SERVICE_ENGINE } from '../helpers.js';
import { analyze } from '../../src/engine/pipeline.js';
import type { Job } from '../../src/jobs/jobs.js';
import { STALE_AFTER_S } from '../../src/jobs/pgboss-queue.js';
import { openStore } from '../../src/store/store.js';
import { bigCapture } from '../jobs/big-capture.js';
import { testServer, type TestServer } from '../store/pg-server.js';

let dir: string;
let big: { path: string; bytes: number };
/** Records the engine makes of the big capture: what the store must hold after the restart, no more. */
let engineRecords = 0;
let engineConns = 0;
const children = new Set<ChildProcessWithoutNullStreams>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-restart-'));
  big = bigCapture(dir);
  await analyze(big.path, { write(schema) { engineRecords++; if (schema.path === 'conn') engineConns++; } }, { engine: SERVICE_ENGINE });
  assert.ok(engineRecords > 10_000);
});
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `capdex ARGS` and waits for the stdout line matching `ready`; returns the child and the match. */
async function capdex(args: string[], ready: RegExp): Promise<{ child: ChildProcessWithoutNullStreams; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT });
  children.add(child);
  let out = '';
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`capdex ${args[0]} did not start: ${out}`)), 120_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = ready.exec(out);
      if (m) { clearTimeout(t); resolve(m); }
    });
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`capdex ${args[0]} exited ${code}: ${out}`)); });
  });
  return { child, match };
}

async function kill9(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function jobOf(base: string, id: string): Promise<Job> {
  return ((await (await fetch(`${base}/api/captures/${id}`)).json()) as { job: Job }).job;
}

/** Polls until `until` holds for the capture's job. */
async function waitJob(base: string, id: string, until: (j: Job) => boolean, what: string, timeoutMs = 240_000): Promise<Job> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const j = await jobOf(base, id);
    if (until(j)) return j;
    if (Date.now() > end) throw new Error(`${what}: still ${j.status} (${j.progress.stage}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function upload(base: string): Promise<string> {
  const r = await fetch(`${base}/api/captures?name=big.pcap`, { method: 'POST', body: readFileSync(big.path), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(r.status, 201);
  return ((await r.json()) as { id: string }).id;
}

const SERVING = /serving (http:\/\/127\.0\.0\.1:\d+)/;

test('capdex serve killed with SIGKILL mid-job: started again on the same data, the capture is analysed exactly once', { timeout: 600_000 }, async () => {
  const data = join(dir, 'data');
  const first = await capdex(['serve', '--port', '0', '--data', data], SERVING);
  const id = await upload(first.match[1]);
  const running = await waitJob(first.match[1], id, (j) => j.status === 'running' || j.status === 'done', 'before the kill');
  assert.equal(running.status, 'running', 'the job finished before the server could be killed: the capture is too small for this machine');
  await kill9(first.child);

  const second = await capdex(['serve', '--port', '0', '--data', data], SERVING);
  const base = second.match[1];
  const done = await waitJob(base, id, (j) => j.status === 'done' || j.status === 'failed', 'after the restart');
  assert.equal(done.status, 'done', done.error);
  assert.equal(done.attempts, 2, 'one claim before the kill, one after');
  assert.equal(done.progress.records, engineRecords);
  const list = (await (await fetch(`${base}/api/captures`)).json()) as { captures: { id: string; recordCount: number }[]; pending: Job[] };
  assert.deepEqual(list.captures.map((c) => [c.id, c.recordCount]), [[id, engineRecords]]);
  assert.deepEqual(list.pending, []);
  await kill9(second.child);
  // The store file itself, read after the last process died: the records once, nothing half-written.
  const store = await openStore({ sqlite: join(data, 'capdex.db') });
  try {
    assert.equal((await store.captures()).length, 1);
    assert.equal((await store.capture(id))?.recordCount, engineRecords);
    assert.equal((await store.records(id, 'conn', { limit: engineConns + 1 })).length, engineConns);
  } finally {
    await store.close();
  }
});

let pgServer: TestServer | undefined;
after(async () => { await pgServer?.release(); });

test('scaled out: the worker process killed with SIGKILL mid-job, a new worker runs the job again, exactly once', { timeout: 600_000 }, async () => {
  pgServer = await testServer();
  const url = await pgServer.database();
  const blobs = join(dir, 'shared-blobs');
  const api = await capdex(['serve', '--port', '0', '--pg', url, '--blobs', blobs, '--no-worker'], SERVING);
  const base = api.match[1];
  const WORKING = /worker running/;
  const worker = await capdex(['worker', '--pg', url, '--blobs', blobs], WORKING);
  const id = await upload(base);
  const running = await waitJob(base, id, (j) => j.status === 'running' || j.status === 'done', 'before the kill');
  assert.equal(running.status, 'running', 'the job finished before the worker could be killed');
  await kill9(worker.child);
  const t0 = Date.now();
  // Nobody works on it now: the API still says running (the row is the dead worker's until the sweep).
  assert.equal((await jobOf(base, id)).status, 'running');

  const worker2 = await capdex(['worker', '--pg', url, '--blobs', blobs], WORKING);
  const done = await waitJob(base, id, (j) => j.status === 'done' || j.status === 'failed', 'after the new worker');
  assert.equal(done.status, 'done', done.error);
  assert.ok(Date.now() - t0 >= STALE_AFTER_S * 1000 - 2000, 'queued again only once the heartbeat was stale');
  assert.equal(done.attempts, 2);
  assert.equal(done.progress.records, engineRecords);
  const list = (await (await fetch(`${base}/api/captures`)).json()) as { captures: { id: string; recordCount: number }[]; pending: Job[] };
  assert.deepEqual(list.captures.map((c) => [c.id, c.recordCount]), [[id, engineRecords]]);
  assert.deepEqual(list.pending, []);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /^capdex_jobs\{status="done"\} 1$/m);
  assert.match(metrics, /^capdex_store_captures 1$/m);
  // Both stop cleanly on SIGTERM (pg-boss's timers and pools closed, nothing left holding the process).
  for (const c of [worker2.child, api.child]) {
    const exited = new Promise<number | null>((res) => c.once('exit', res));
    c.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});
