/** `capdex serve` as a child process: prints its address, answers on 127.0.0.1, stops on SIGTERM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcap, ROOT } from '../helpers.js';

/**
 * Starts `capdex serve --port 0 ...extra` on a fresh data folder, from the sources or (`built`) as
 * `npm run build` made it (dist/cli/main.js: one bundle, lazy parts in chunks); `stop` sends
 * SIGTERM and returns the exit code.
 */
async function startServe(extra: string[] = [], built = false): Promise<{ url: string; stop: () => Promise<number | null>; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-serve-'));
  const main = built ? [join(ROOT, 'dist/cli/main.js')] : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  const child = spawn(process.execPath, [...main, 'serve', '--port', '0', '--data', join(dir, 'data'), ...extra], { cwd: ROOT });
  const cleanup = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
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
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { url, cleanup, stop: () => { child.kill('SIGTERM'); return exited; } };
  } catch (e) {
    cleanup();
    throw e;
  }
}

test('capdex serve --port 0: serves /healthz on 127.0.0.1 and exits on SIGTERM', async () => {
  const server = await startServe();
  try {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    assert.equal(await server.stop(), 0);
  } finally {
    server.cleanup();
  }
});

test('the built capdex serve analyses an upload: its worker threads start from the bundle\'s chunks', async () => {
  // The analysis worker is a bundle of its own (scripts/bundle-cli.mjs), sharing main.js's chunks.
  assert.match(readFileSync(join(ROOT, 'dist/jobs/analysis-worker.js'), 'utf8'), /^\/\/ Bundled by scripts\/bundle-cli\.mjs/);
  const server = await startServe([], true);
  try {
    const up = await fetch(`${server.url}/api/captures`, {
      method: 'POST', body: readFileSync(pcap('dns-tcp.pcap')), headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(up.status, 201);
    const { id } = (await up.json()) as { id: string };
    let status = '';
    for (let i = 0; i < 600 && status !== 'done' && status !== 'failed'; i++) {
      const body = (await (await fetch(`${server.url}/api/captures/${id}`)).json()) as { job: { status: string; error?: string } | null };
      status = body.job?.status ?? '';
      assert.notEqual(status, 'failed', body.job?.error);
      if (status !== 'done') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'done');
    const page = (await (await fetch(`${server.url}/api/captures/${id}/logs/dns?limit=5`)).json()) as { records: unknown[] };
    assert.ok(page.records.length > 0, 'dns records');
    assert.equal(await server.stop(), 0);
  } finally {
    server.cleanup();
  }
});

test('capdex serve --response-cache-mb 0 answers every read afresh; by default a repeated read is a cache hit', async () => {
  for (const [extra, cached] of [[[], true], [['--response-cache-mb', '0'], false]] as const) {
    const server = await startServe([...extra]);
    try {
      const first = await fetch(`${server.url}/api/captures?limit=5`);
      assert.equal(first.status, 200);
      await first.arrayBuffer();
      const second = await fetch(`${server.url}/api/captures?limit=5`);
      assert.equal(second.status, 200);
      await second.arrayBuffer();
      assert.equal(second.headers.get('x-capdex-cache') === 'hit', cached, `cache hit with ${extra.join(' ') || 'the default'}`);
      assert.equal(await server.stop(), 0);
    } finally {
      server.cleanup();
    }
  }
});

test('capdex serve refuses a bad --port with a message', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', '--port', 'eighty'], { cwd: ROOT });
  let err = '';
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(err, /--port must be a whole number/);
});
