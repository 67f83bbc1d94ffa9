/**
 * `npm run bench:api`: the service as a user meets it. Starts `capdex serve` as a child process on
 * 127.0.0.1 over a fresh data dir (or `--pg URL`: an API process plus `capdex worker`, on a new database
 * of that server, dropped at the end), then:
 *  1. uploads a ~50 MB capture (bench/build-capture.ts: time-shifted copies of the shared
 *     captures) as a streamed raw body (node:http, as curl would): upload time and MB/s, next to
 *     writing the same bytes to a new file on this disk and syncing it (fdatasync; the median of
 *     DISK_RUNS), the "disk speed" the upload is held to: an upload answers only once its blob is
 *     synced too. (A plain copy, without the sync, is only page-cache speed: also printed.) The
 *     first upload meets a server that has never received one; the same capture is uploaded again
 *     once the job is done (answered from the existing analysis, but received, hashed, written and
 *     synced all the same): the upload speed of a server that has been up a while. Next to both, the
 *     same two uploads to a bare node:http server that only writes and syncs the body
 *     (BARE_SERVER_SOURCE): what HTTP on loopback plus the disk allow here;
 *  2. upload → first partial results (a log page answering partial: true with records) and
 *     upload → done (the job's status, polled);
 *  3. p50/p95/p99 and requests/s of the list, search and log endpoints with 50 concurrent clients
 *     (a Promise pool over node:http with a keep-alive agent, one socket per client), REQUESTS per
 *     endpoint, the share of them the response cache answered (src/api/response-cache.ts), and
 *     the CPU this process spent per request (the clients compete with the server for the cores). This starts once the server is
 *     idle after the job (settle()): its one-off work after a job (the capture's summary, the next
 *     job's worker started ahead) would otherwise land in the CPU per request of whichever
 *     endpoint happens to run first.
 *
 *   npm run bench:api -- [--size-mb 50] [--clients 50] [--requests 500] [--pg URL] [--out FILE] [--no-cache]
 *
 * The server runs from dist/ (the script builds first) when it exists, else from the sources via tsx.
 * Figures go to stdout and, as JSON, to bench/results/api-latest.json (api-nocache-latest.json with
 * --no-cache, which serves with the response cache off; or --out). The client runs
 * in this process and the server in another, so the latencies include HTTP on loopback; on a
 * shared 2-core machine both compete for CPU with whatever else runs (the load is printed).
 * The clients are plain node:http requests, not fetch: with fetch (undici's WHATWG layer) the 50
 * clients cost this process 0.5-1.8 ms of CPU per request, 2x the server's cached answer, on the
 * same two cores; node:http 0.11-0.33 ms (load ~12).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, createReadStream, existsSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { buildBenchCapture, REPO_ROOT } from './build-capture.js';

interface Args { sizeMb: number; clients: number; requests: number; pg?: string; out: string; noCache: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { sizeMb: 50, clients: 50, requests: 500, noCache: false, out: join(REPO_ROOT, 'bench', 'results', 'api-latest.json') };
  let outGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--size-mb': a.sizeMb = Number(v); i++; break;
      case '--clients': a.clients = Number(v); i++; break;
      case '--requests': a.requests = Number(v); i++; break;
      case '--pg': a.pg = v; i++; break;
      case '--out': a.out = resolve(v); outGiven = true; i++; break;
      // Every request then pays its full cost: the figures of a workload that never repeats a URL.
      case '--no-cache': a.noCache = true; break;
      default: throw new Error(`bench:api: unknown argument ${argv[i]}`);
    }
  }
  if (a.noCache && !outGiven) a.out = join(REPO_ROOT, 'bench', 'results', 'api-nocache-latest.json');
  return a;
}

const children: ChildProcess[] = [];

/** The compiled CLI (`npm run bench:api` builds first): workers from dist/ start without compiling TypeScript. */
const DIST_MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const CLI = existsSync(DIST_MAIN) ? [DIST_MAIN] : ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts')];

/** `capdex ARGS`; resolves with the first stdout match of `ready`. */
function capdex(args: string[], ready: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  return new Promise((res, rej) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = ready.exec(out);
      if (m) res(m);
    });
    child.on('exit', (code) => rej(new Error(`capdex ${args[0]} exited ${code}: ${out}`)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * After the job the server computes the capture's summary (2 s later: SUMMARY_WARM_DELAY_MS) and
 * starts the next job's worker (5 s later: PREWARM_AFTER_JOB_MS): the read phase waits at least
 * SETTLE_MIN_MS, then until the server used under SETTLE_IDLE_SHARE of a core over half a second
 * (at most SETTLE_MAX_MS: on a busy machine that may take a while).
 */
const SETTLE_MIN_MS = 6000;
const SETTLE_MAX_MS = 30_000;
const SETTLE_IDLE_SHARE = 0.05;

async function settle(pid: number | undefined): Promise<number> {
  const t0 = process.hrtime.bigint();
  await sleep(SETTLE_MIN_MS);
  while (ms(t0) < SETTLE_MAX_MS) {
    const c0 = cpuMsOf(pid);
    await sleep(500);
    const c1 = cpuMsOf(pid);
    if (c0 === undefined || c1 === undefined || c1 - c0 < 500 * SETTLE_IDLE_SHARE) break;
  }
  return ms(t0);
}
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * POSTs a file as a raw body the way curl does: file chunks piped into node:http. (fetch with a
 * web stream body cost the client 0.2-1.1 s of CPU per 50 MB, on the same two cores as the server.)
 */
function upload(url: string, path: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes) } }, (r) => {
      const parts: Buffer[] = [];
      r.on('data', (b: Buffer) => parts.push(b));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      r.on('error', rej);
    });
    req.on('error', rej);
    pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), req).catch(rej);
  });
}

/** Write-and-sync runs of the disk yardstick (the disk's speed varies run to run: 72-294 ms for 52 MB here). */
const DISK_RUNS = 3;

/**
 * ms to write `src`'s bytes to a new file in `dir` in 1 MiB writes and fdatasync it (`dd bs=1M
 * conv=fdatasync`): what an upload's own writing costs at the least; the median of DISK_RUNS.
 */
function diskWriteSyncMs(src: string, dir: string): number {
  const buf = Buffer.allocUnsafe(1 << 20);
  const runs: number[] = [];
  for (let i = 0; i < DISK_RUNS; i++) {
    const out = join(dir, `disk-${i}`);
    const t0 = process.hrtime.bigint();
    const inFd = openSync(src, 'r');
    const outFd = openSync(out, 'wx');
    for (let n; (n = readSync(inFd, buf, 0, buf.length, null)) > 0;) writeSync(outFd, buf, 0, n);
    fdatasyncSync(outFd);
    closeSync(outFd);
    closeSync(inFd);
    runs.push(ms(t0));
    rmSync(out);
  }
  return runs.sort((a, b) => a - b)[DISK_RUNS >> 1];
}

/**
 * The least any HTTP server on this machine can do with an upload: node:http piping the body into
 * a new file, synced (fdatasync) before it answers, with nothing else (no hashing, no framework, no
 * job). Over loopback, with the client on the same two cores, this is the disk speed an upload can
 * actually reach here; the disk alone (diskWriteSyncMs) is the bound without HTTP.
 */
const BARE_SERVER_SOURCE = `
const { createServer } = require('node:http');
const { createWriteStream, fdatasync, rmSync } = require('node:fs');
const { join } = require('node:path');
let n = 0;
const server = createServer((req, res) => {
  const path = join(process.argv[1], 'bare-' + n++);
  const out = createWriteStream(path);
  req.pipe(out);
  out.on('open', (fd) => out.on('finish', () => fdatasync(fd, () => { out.close(() => { rmSync(path); res.writeHead(201).end('{}'); }); })));
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

/** ms of two uploads of `path` to a bare server (BARE_SERVER_SOURCE) in a fresh process: its first, and the next. */
async function bareServerUploadsMs(path: string, bytes: number, dir: string): Promise<[number, number]> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER_SOURCE, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => { const m = /port (\d+)/.exec(b.toString()); if (m) resolve(m[1]); });
      child.once('exit', (code) => reject(new Error(`the bare server exited with code ${code}`)));
    });
    await sleep(1000);
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t0 = process.hrtime.bigint();
      const r = await upload(`http://127.0.0.1:${port}/`, path, bytes);
      if (r.status !== 201) throw new Error(`the bare server answered ${r.status}`);
      times.push(ms(t0));
      await sleep(500);
    }
    return [times[0], times[1]];
  } finally {
    child.kill();
  }
}

interface UploadFigures { ms: number; status: number; body: string; serverCpuMs?: number; eventLoopCpuMs?: number }

/** One raw-body upload of `path`, timed, with the server's CPU over it (all threads, and its event loop's share). */
async function timedUpload(base: string, pid: number | undefined, path: string, bytes: number): Promise<UploadFigures> {
  const cpu0 = cpuMsOf(pid);
  // The event loop's share: the rest is the hashing workers (and the job's start once submitted).
  const loop0 = cpuMsOf(pid, pid);
  const t0 = process.hrtime.bigint();
  const up = await upload(`${base}/api/captures?name=bench.pcap`, path, bytes);
  const took = ms(t0);
  const cpu1 = cpuMsOf(pid);
  const loop1 = cpuMsOf(pid, pid);
  return {
    ms: took, status: up.status, body: up.body,
    serverCpuMs: cpu0 !== undefined && cpu1 !== undefined ? Math.round(cpu1 - cpu0) : undefined,
    eventLoopCpuMs: loop0 !== undefined && loop1 !== undefined ? Math.round(loop1 - loop0) : undefined,
  };
}

interface EndpointFigures {
  path: string; requests: number; errors: number; rps: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number;
  /** Answers served from the response cache (x-capdex-cache: hit). */
  cacheHits: number;
  /** The server process's CPU time per request (user + system): what latency becomes on an idle machine, whatever else runs now. */
  serverCpuMsPerRequest?: number;
  /** This process's CPU time per request (the 50 clients): CPU the server could not have while they ran. */
  clientCpuMsPerRequest: number;
}

/**
 * CPU time (user + system, ms) a process (or one of its threads: the main thread's id is the
 * process's) has used so far, from /proc (Linux); undefined elsewhere.
 * Latencies on a shared 2-core machine swing with its load; the server's own CPU per request does not.
 */
function cpuMsOf(pid: number | undefined, thread?: number): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** One GET over `agent`: status, whether the response cache answered, the body read and dropped. */
function get(agent: Agent, url: string): Promise<{ status: number; cacheHit: boolean }> {
  return new Promise((res, rej) => {
    const req = request(url, { agent }, (r) => {
      r.on('data', () => {});
      r.on('end', () => res({ status: r.statusCode ?? 0, cacheHit: r.headers['x-capdex-cache'] === 'hit' }));
      r.on('error', rej);
    });
    req.on('error', rej);
    req.end();
  });
}

/** `total` GETs of `path` from `clients` concurrent loops, each on its own keep-alive socket; latency of each. */
async function hammer(base: string, path: string, clients: number, total: number): Promise<EndpointFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const lat: number[] = [];
  let errors = 0;
  let cacheHits = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < total) {
      next++;
      const t = process.hrtime.bigint();
      try {
        const r = await get(agent, base + path);
        lat.push(ms(t));
        if (r.status !== 200) errors++;
        if (r.cacheHit) cacheHits++;
      } catch {
        // A reset connection (the server closes idle keep-alive sockets) counts as an error, not a crash.
        errors++;
      }
    }
  }));
  const wall = ms(t0);
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  lat.sort((x, y) => x - y);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    path, requests: lat.length, errors, cacheHits, rps: Math.round(lat.length / (wall / 1000)),
    p50Ms: r2(percentile(lat, 50)), p95Ms: r2(percentile(lat, 95)), p99Ms: r2(percentile(lat, 99)), maxMs: r2(lat[lat.length - 1]),
    clientCpuMsPerRequest: r2((cpu.user + cpu.system) / 1000 / Math.max(1, lat.length)),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'capdex-bench-api-'));
  // Interrupted: the servers and the temp dir go too.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of children) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  // --pg: a database of its own on that server, dropped at the end (the same capture uploaded to a
  // store that has it already answers 200 with the existing analysis: nothing would be measured).
  const scratch = args.pg === undefined ? undefined : await scratchDatabase(args.pg);
  if (scratch) args.pg = scratch.url;
  try {
    const capture = buildBenchCapture({ sizeMb: args.sizeMb, out: join(dir, 'capture.pcap'), log: () => {} });
    const bytes = statSync(capture.path).size;
    process.stderr.write(`bench:api: capture ${(bytes / 1e6).toFixed(1)} MB, ${capture.packets} packets; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

    // --rate-limit 0: the 50 clients stand for 50 users; from one address they would meet the per-address limit.
    const serveArgs = args.pg
      ? ['serve', '--port', '0', '--rate-limit', '0', '--pg', args.pg, '--blobs', join(dir, 'blobs'), '--no-worker']
      : ['serve', '--port', '0', '--rate-limit', '0', '--data', join(dir, 'data')];
    if (args.noCache) serveArgs.push('--response-cache-mb', '0');
    const base = (await capdex(serveArgs, /serving (http:\/\/127\.0\.0\.1:\d+)/))[1];
    if (args.pg) await capdex(['worker', '--pg', args.pg, '--blobs', join(dir, 'blobs')], /worker running/);
    // A server that just started is still loading its waiting analysis worker (~0.8 s of CPU);
    // users meet one that has been up a moment.
    await sleep(3000);

    // The yardstick of "uploads at disk speed": the same bytes written to this disk and synced; and
    // copied file to file without a sync (page cache only, not the disk).
    const diskMs = diskWriteSyncMs(capture.path, dir);
    const [bareMs, bareAgainMs] = await bareServerUploadsMs(capture.path, bytes, dir);
    const c0 = process.hrtime.bigint();
    copyFileSync(capture.path, join(dir, 'copy.pcap'));
    const diskCopyMs = ms(c0);
    rmSync(join(dir, 'copy.pcap'));

    // 1. Upload, streamed from disk.
    const t0 = process.hrtime.bigint();
    const up = await timedUpload(base, children[0].pid, capture.path, bytes);
    const { id } = JSON.parse(up.body) as { id: string };
    if (up.status !== 201) throw new Error(`upload answered ${up.status}`);

    // 2. First partial results, then done.
    let firstPartialMs: number | undefined;
    let firstPartialLog: string | undefined;
    let doneMs: number;
    for (;;) {
      if (firstPartialMs === undefined) {
        for (const log of ['conn', 'dns', 'http', 'ssl', 'weird']) {
          const p = (await (await fetch(`${base}/api/captures/${id}/logs/${log}?limit=10`)).json()) as { partial: boolean; records: unknown[] };
          if (p.records.length > 0) { firstPartialMs = ms(t0); firstPartialLog = `${log}${p.partial ? ' (partial)' : ' (final)'}`; break; }
        }
      }
      const j = ((await (await fetch(`${base}/api/captures/${id}`)).json()) as { job: { status: string; error?: string } }).job;
      if (j.status === 'failed') throw new Error(`the job failed: ${j.error}`);
      if (j.status === 'done') { doneMs = ms(t0); break; }
      await sleep(firstPartialMs === undefined ? 20 : 200);
    }
    firstPartialMs ??= doneMs;

    // 3. Read endpoints under 50 concurrent clients, once the server's work after the job is over.
    const settledMs = await settle(children[0].pid);
    process.stderr.write(`bench:api: server settled ${Math.round(settledMs)} ms after the job\n`);
    // The same capture again, on a server that has received one: 200 with the existing analysis,
    // after the same receiving, hashing, writing and syncing (nothing else follows it).
    const again = await timedUpload(base, children[0].pid, capture.path, bytes);
    if (again.status !== 200) throw new Error(`the second upload answered ${again.status}`);
    await sleep(1000);
    const endpoints = [
      '/api/captures?limit=20',
      `/api/captures/${id}/logs/conn?limit=100`,
      `/api/captures/${id}/logs/dns?limit=100&sort=-ts`,
      '/api/search?q=' + encodeURIComponent('dns.query:*.com') + '&limit=50',
      '/api/search?q=' + encodeURIComponent('log:conn | count by conn.service'),
    ];
    process.stderr.write(`bench:api: upload ${Math.round(up.ms)} ms (again ${Math.round(again.ms)} ms), first results ${Math.round(firstPartialMs)} ms, done ${Math.round(doneMs)} ms; now ${args.clients} clients × ${args.requests} requests per endpoint\n`);
    const figures: EndpointFigures[] = [];
    for (const path of endpoints) {
      await hammer(base, path, 5, 50); // warm-up
      const cpu0 = cpuMsOf(children[0].pid);
      const f = await hammer(base, path, args.clients, args.requests);
      const cpu1 = cpuMsOf(children[0].pid);
      if (cpu0 !== undefined && cpu1 !== undefined) f.serverCpuMsPerRequest = Math.round(((cpu1 - cpu0) / f.requests) * 100) / 100;
      process.stderr.write(`bench:api: p95 ${f.p95Ms} ms ${path}\n`);
      figures.push(f);
    }

    const mbps = (took: number): number => Math.round((bytes / 1e6) / (took / 1000));
    const result = {
      date: new Date().toISOString(), backend: args.pg ? 'postgres' : 'sqlite', load: loadavg(), cpus: (await import('node:os')).cpus().length,
      capture: { bytes, packets: capture.packets },
      uploadMs: Math.round(up.ms), uploadMBps: mbps(up.ms),
      uploadServerCpuMs: up.serverCpuMs, uploadEventLoopCpuMs: up.eventLoopCpuMs,
      uploadAgainMs: Math.round(again.ms), uploadAgainMBps: mbps(again.ms),
      uploadAgainServerCpuMs: again.serverCpuMs, uploadAgainEventLoopCpuMs: again.eventLoopCpuMs,
      diskWriteSyncMs: Math.round(diskMs), diskWriteSyncMBps: mbps(diskMs),
      bareServerUploadMs: Math.round(bareMs), bareServerUploadMBps: mbps(bareMs),
      bareServerUploadAgainMs: Math.round(bareAgainMs), bareServerUploadAgainMBps: mbps(bareAgainMs),
      diskCopyMs: Math.round(diskCopyMs), diskCopyMBps: mbps(diskCopyMs),
      firstResultsMs: Math.round(firstPartialMs), firstResultsLog: firstPartialLog, doneMs: Math.round(doneMs),
      clients: args.clients, endpoints: figures,
    };
    mkdirSync(join(args.out, '..'), { recursive: true });
    writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
    const line = (s: string): boolean => process.stdout.write(s + '\n');
    line(`backend ${result.backend}, capture ${(bytes / 1e6).toFixed(1)} MB`);
    line(`upload            ${result.uploadMs} ms (${result.uploadMBps} MB/s, server CPU ${result.uploadServerCpuMs ?? '?'} ms, ${result.uploadEventLoopCpuMs ?? '?'} ms of it on the event loop)`);
    line(`upload again      ${result.uploadAgainMs} ms (${result.uploadAgainMBps} MB/s, server CPU ${result.uploadAgainServerCpuMs ?? '?'} ms, ${result.uploadAgainEventLoopCpuMs ?? '?'} ms on the event loop)`);
    line(`disk: write + fdatasync ${result.diskWriteSyncMs} ms (${result.diskWriteSyncMBps} MB/s); copy without sync (page cache) ${result.diskCopyMs} ms (${result.diskCopyMBps} MB/s)`);
    line(`bare node:http server writing + syncing the body: first upload ${result.bareServerUploadMs} ms (${result.bareServerUploadMBps} MB/s), again ${result.bareServerUploadAgainMs} ms (${result.bareServerUploadAgainMBps} MB/s)`);
    line(`upload → first results ${result.firstResultsMs} ms (${firstPartialLog})`);
    line(`upload → done     ${result.doneMs} ms`);
    line(`${args.clients} concurrent clients, ${args.requests} requests each:`);
    for (const f of figures) line(`  p50 ${String(f.p50Ms).padStart(7)} ms  p95 ${String(f.p95Ms).padStart(7)} ms  p99 ${String(f.p99Ms).padStart(7)} ms  ${String(f.rps).padStart(5)} req/s  ${f.errors} errors  ${Math.round((100 * f.cacheHits) / Math.max(1, f.requests))}% cached  server CPU ${f.serverCpuMsPerRequest ?? '?'} ms/req  client CPU ${f.clientCpuMsPerRequest} ms/req  ${f.path}`);
    line(`(figures in ${args.out})`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(500);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

/** A new empty database on the server of `url` (our own name, never input), and how to drop it. */
async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `capdex_bench_api_${process.pid}_${Date.now()}`;
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { url: u.href, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

await main();
