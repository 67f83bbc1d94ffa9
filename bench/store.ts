/**
 * `npm run bench:store`: how fast and how big the store is (issue 7's targets: ingest >= 200,000
 * records/s, a pivot p95 < 20 ms over 10 million records, database <= 10% of the capture bytes).
 *
 *   npm run bench:store -- [--records N] [--per-capture N] [--pivots K] [--size-mb M] [--file PCAP]
 *                          [--db DIR] [--skip-capture] [--skip-generated] [--reuse] [--results FILE]
 *
 * 1. Captures: mixed-arkime-synthetic-many-protocols.pcap and the bench capture (bench/build-capture.ts,
 *    default 128 MiB; --file for another): analysis alone (records to a counting sink) vs import
 *    (hash + analysis + store), the hashing pass alone, then the same records replayed from memory
 *    into a fresh store (store-only records/s), and the database size against the capture's bytes
 *    (after a WAL checkpoint).
 * 2. Generated records (bench/store-records.ts, deterministic): N records (default 1,000,000;
 *    --records 10000000 for the issue's 10 million) in captures of --per-capture records each;
 *    ingest records/s. --reuse keeps a generated store a previous run left in --db when it holds
 *    exactly N records, and times the pivots only (a 10M store takes an hour to generate here).
 * 3. Pivots over those N records: K pivots (default 1000) on values drawn from the generator's
 *    pools (ip, domain, ja3, user_agent), each timed alone: p50, p95, max of wall time, and p50, p95
 *    of this process's CPU time (steady on a loaded machine); plus the hottest address.
 * Each database's bytes are also given per table and index (dbBytesByObject), to say where they go.
 *
 * Everything runs in this process on the SQLite store in --db (default .bench/store, wiped first);
 * with --pg [URL] on PostgreSQL instead (bench/store-pg.ts; results to store-pg-latest.json).
 * Results go to bench/results/store-latest.json (--results to change).
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import Database from 'better-sqlite3';
import { DEFAULT_SRC, REPO_ROOT, buildBenchCapture } from './build-capture.js';
import { generateRecords, makePools, prng } from './store-records.js';
import { analyze } from '../src/engine/pipeline.js';
import type { LogRecord, LogSchema } from '../src/engine/logs/schema.js';
import { openStore, type ObservableType, type Store } from '../src/store/store.js';
import { hashFile, importCaptureFile } from '../src/cli/capture-import.js';
import { DEFAULT_PG_URL, ensurePgServer, freshPgStore, pgBytesByObject, pgDatabaseBytes, pgObservableRows } from './store-pg.js';

interface Args {
  records: number; perCapture: number; pivots: number; sizeMb: number; file?: string; db: string;
  skipCapture: boolean; skipGenerated: boolean; results: string; pg?: string;
  /** Keep a generated store that already holds `records` records: time the pivots only. */
  reuse: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    records: 1_000_000, perCapture: 1_000_000, pivots: 1000, sizeMb: 128, db: join(REPO_ROOT, '.bench', 'store'),
    skipCapture: false, skipGenerated: false, reuse: false, results: join(REPO_ROOT, 'bench', 'results', 'store-latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = (): string => argv[++i] ?? '';
    switch (argv[i]) {
      case '--records': a.records = Number(v()); break;
      case '--per-capture': a.perCapture = Number(v()); break;
      case '--pivots': a.pivots = Number(v()); break;
      case '--size-mb': a.sizeMb = Number(v()); break;
      case '--file': a.file = resolve(v()); break;
      case '--db': a.db = resolve(v()); break;
      case '--results': a.results = resolve(v()); break;
      case '--skip-capture': a.skipCapture = true; break;
      case '--skip-generated': a.skipGenerated = true; break;
      case '--reuse': a.reuse = true; break;
      case '--pg': a.pg = argv[i + 1]?.startsWith('postgres') ? v() : DEFAULT_PG_URL;
        if (!argv.includes('--results')) a.results = join(REPO_ROOT, 'bench', 'results', 'store-pg-latest.json'); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return a;
}

const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;
/** CPU seconds (user + system) of this process since `c0`: steadier than wall time on a shared machine. */
const cpuSeconds = (c0: NodeJS.CpuUsage): number => { const d = process.cpuUsage(c0); return (d.user + d.system) / 1e6; };
const log = (m: string): void => { process.stderr.write(m + '\n'); };

function dbBytes(path: string): number {
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  let n = 0;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) n += statSync(path + suffix).size;
  return n;
}

/** Where the bytes are: pages of each table and index (SQLite's dbstat), largest first, above 1% of the file. */
function sqliteBytesByObject(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
    const total = rows.reduce((a, r) => a + r.bytes, 0);
    return Object.fromEntries(rows.filter((r) => r.bytes >= total / 100).map((r) => [r.name, r.bytes]));
  } finally {
    db.close();
  }
}

/** Rows of the observables table: one per value, capture, log and field (the references they hold are `observables`). */
async function observableRows(path: string): Promise<number> {
  if (pgUrl) return pgObservableRows(path);
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM observables').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const bytesByObject = (path: string): Promise<Record<string, number>> =>
  pgUrl ? pgBytesByObject(path) : Promise.resolve(sqliteBytesByObject(path));

const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
const showBytes = (by: Record<string, number>): string => Object.entries(by).map(([k, v]) => `${k} ${mib(v)}`).join(', ');

let pgUrl: string | undefined;

async function freshStore(dir: string, name: string): Promise<{ store: Store; path: string }> {
  if (pgUrl) return freshPgStore(pgUrl, name);
  const path = join(dir, name, 'capdex.db');
  rmSync(join(dir, name), { recursive: true, force: true });
  return { store: await openStore({ sqlite: path }), path };
}

async function benchCapture(args: Args, file: string, label: string): Promise<Record<string, unknown>> {
  // Analysis alone, keeping the records for the replay below.
  const kept: [LogSchema, LogRecord][] = [];
  let t0 = process.hrtime.bigint();
  let c0 = process.cpuUsage();
  await analyze(file, { write: (s, r) => { kept.push([s, r]); } });
  const analyzeS = seconds(t0);
  const analyzeCpu = cpuSeconds(c0);
  t0 = process.hrtime.bigint();
  const digest = await hashFile(file);
  const hashS = seconds(t0);

  const { store, path } = await freshStore(args.db, `capture-${label}`);
  c0 = process.cpuUsage();
  const imp = await importCaptureFile(store, file);
  const importCpu = cpuSeconds(c0);
  await store.close();
  const bytes = pgUrl ? await pgDatabaseBytes(path) : dbBytes(path);
  const byObject = await bytesByObject(path);
  const obsRows = await observableRows(path);

  // The same records straight from memory: what storing costs without the analysis.
  const replay = await freshStore(args.db, `replay-${label}`);
  t0 = process.hrtime.bigint();
  c0 = process.cpuUsage();
  await replay.store.importCapture({ id: digest.sha256, md5: digest.md5, sha1: digest.sha1, size: digest.size, name: label },
    async (sink) => { for (const [s, r] of kept) sink.write(s, r); });
  const storeS = seconds(t0);
  const storeCpu = cpuSeconds(c0);
  await replay.store.close();

  const out = {
    file, captureBytes: digest.size, records: kept.length, observables: imp.observables, observableRows: obsRows,
    analyzeSeconds: analyzeS, hashSeconds: hashS, importSeconds: imp.hashSeconds + imp.importSeconds,
    importOverAnalyze: (imp.hashSeconds + imp.importSeconds) / analyzeS,
    storeOnlySeconds: storeS, storeOnlyRecordsPerSec: kept.length / storeS,
    cpu: { analyzeSeconds: analyzeCpu, importSeconds: importCpu, importOverAnalyze: importCpu / analyzeCpu, storeOnlySeconds: storeCpu, storeOnlyRecordsPerCpuSec: kept.length / storeCpu },
    dbBytes: bytes, dbOverCapture: bytes / digest.size, dbBytesByObject: byObject,
  };
  log(`${label}: ${kept.length} records, ${imp.observables} observable references in ${obsRows} rows; analyse ${analyzeS.toFixed(2)} s, hash ${hashS.toFixed(2)} s, import (hash+analyse+store) ${out.importSeconds.toFixed(2)} s` +
    ` = ${out.importOverAnalyze.toFixed(2)}x analysis; store alone ${Math.round(out.storeOnlyRecordsPerSec)} records/s;` +
    ` CPU: analyse ${analyzeCpu.toFixed(2)} s, import ${importCpu.toFixed(2)} s (${(importCpu / analyzeCpu).toFixed(2)}x), store alone ${Math.round(kept.length / storeCpu)} records per CPU s;` +
    ` db ${(bytes / 2 ** 20).toFixed(1)} MiB = ${(100 * out.dbOverCapture).toFixed(1)}% of ${(digest.size / 2 ** 20).toFixed(1)} MiB (MiB: ${showBytes(byObject)})`);
  return out;
}

/** The generated SQLite store a previous run left in --db, when it holds exactly --records records. */
async function keptGeneratedStore(args: Args): Promise<{ store: Store; path: string } | undefined> {
  const path = join(args.db, 'generated', 'capdex.db');
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true });
  const n = (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;
  db.close();
  return n === args.records ? { store: await openStore({ sqlite: path }), path } : undefined;
}

async function benchGenerated(args: Args): Promise<Record<string, unknown>> {
  const pools = makePools();
  const kept = args.reuse && !pgUrl ? await keptGeneratedStore(args) : undefined;
  const { store, path } = kept ?? await freshStore(args.db, 'generated');
  let t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let done = kept ? args.records : 0;
  let observables = 0;
  if (kept) log(`  reusing ${path}: ${args.records} records already there (ingest not timed)`);
  for (let c = 0; done < args.records; c++) {
    const n = Math.min(args.perCapture, args.records - done);
    const id = c.toString(16).padStart(64, '0');
    const r = await store.importCapture({ id, md5: id.slice(0, 32), sha1: id.slice(0, 40), size: 0, name: `generated-${c}` },
      async (sink) => { generateRecords(sink, pools, done, n); });
    observables += r.observables;
    done += n;
    log(`  generated ${done} records, ${Math.round(done / seconds(t0))} records/s so far`);
  }
  const ingestS = seconds(t0);
  const ingestCpu = cpuSeconds(c0);
  // Generation alone, to say how much of that time was the generator's.
  t0 = process.hrtime.bigint();
  let sunk = 0;
  generateRecords({ write: () => { sunk++; } }, pools, 0, Math.min(args.records, 1_000_000));
  const genPerRecord = seconds(t0) / sunk;

  const r = prng(99);
  const kinds: [ObservableType, string[]][] = [['ip', pools.servers], ['domain', pools.domains], ['ja3', pools.ja3], ['user_agent', pools.agents]];
  const times: number[] = [];
  // CPU milliseconds of each pivot too: on a loaded machine wall time is mostly waiting for a core.
  const cpuTimes: number[] = [];
  let hits = 0;
  for (let i = 0; i < args.pivots; i++) {
    const [type, pool] = kinds[i % kinds.length];
    // Values the generator's skew favours as often as the tail: sample the same skew.
    const value = pool[Math.floor(pool.length * r() * r() * r())];
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    hits += (await store.pivot(type, value)).length;
    times.push(seconds(t) * 1000);
    cpuTimes.push(cpuSeconds(c) * 1000);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const pctOf = (list: number[], p: number): number => list[Math.min(list.length - 1, Math.floor(p * list.length))];
  const pct = (p: number): number => pctOf(times, p);
  t0 = process.hrtime.bigint();
  const hot = await store.pivot('ip', pools.clients[0]);
  const hotMs = seconds(t0) * 1000;
  await store.close();
  const bytes = pgUrl ? await pgDatabaseBytes(path) : dbBytes(path);
  const byObject = await bytesByObject(path);
  const obsRows = await observableRows(path);
  const out = {
    records: args.records, perCapture: args.perCapture, reused: kept !== undefined, observables, observableRows: obsRows,
    // A reused store was not ingested by this run: no ingest figures.
    ingestSeconds: kept ? null : ingestS, recordsPerSec: kept ? null : args.records / ingestS,
    ingestCpuSeconds: kept ? null : ingestCpu, recordsPerCpuSec: kept ? null : args.records / ingestCpu,
    generatorSecondsPerMillion: genPerRecord * 1e6,
    pivots: args.pivots, pivotHitsAvg: hits / args.pivots, pivotP50Ms: pct(0.5), pivotP95Ms: pct(0.95), pivotMaxMs: times[times.length - 1],
    pivotCpuP50Ms: pctOf(cpuTimes, 0.5), pivotCpuP95Ms: pctOf(cpuTimes, 0.95),
    hotPivotMs: hotMs, hotPivotHits: hot.length, dbBytes: bytes, dbBytesPerRecord: bytes / args.records, dbBytesByObject: byObject,
  };
  const ingest = kept ? 'reused, ingest not timed' : `in ${ingestS.toFixed(1)} s = ${Math.round(args.records / ingestS)} records/s (${Math.round(args.records / ingestCpu)} per CPU s)`;
  log(`generated: ${args.records} records (${observables} observable references in ${obsRows} rows) ${ingest}` +
    ` (generator ${out.generatorSecondsPerMillion.toFixed(2)} s per million of that); pivots p50 ${out.pivotP50Ms.toFixed(2)} ms,` +
    ` p95 ${out.pivotP95Ms.toFixed(2)} ms, max ${out.pivotMaxMs.toFixed(2)} ms (avg ${out.pivotHitsAvg.toFixed(1)} hits; CPU p50 ${out.pivotCpuP50Ms.toFixed(2)} ms, p95 ${out.pivotCpuP95Ms.toFixed(2)} ms);` +
    ` hot address ${hotMs.toFixed(2)} ms; db ${(bytes / 2 ** 30).toFixed(2)} GiB (${Math.round(out.dbBytesPerRecord)} B/record; MiB: ${showBytes(byObject)})`);
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.db, { recursive: true });
  pgUrl = args.pg;
  if (pgUrl) await ensurePgServer(pgUrl);
  const results: Record<string, unknown> = {
    date: new Date().toISOString(), cpus: cpus().length, loadavgBefore: loadavg()[0], args,
    targets: { recordsPerSec: 200_000, pivotP95Ms: 20, dbOverCapture: 0.1 },
  };
  if (!args.skipCapture) {
    results.mixed = await benchCapture(args, join(DEFAULT_SRC, 'mixed-arkime-synthetic-many-protocols.pcap'), 'mixed');
    const file = args.file ?? buildBenchCapture({ sizeMb: args.sizeMb, log }).path;
    results.benchCapture = await benchCapture(args, file, 'bench');
  }
  if (!args.skipGenerated) results.generated = await benchGenerated(args);
  results.loadavgAfter = loadavg()[0];
  mkdirSync(join(args.results, '..'), { recursive: true });
  writeFileSync(args.results, JSON.stringify(results, null, 2) + '\n');
  log(`results: ${args.results}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:store: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
