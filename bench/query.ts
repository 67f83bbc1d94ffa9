/**
 * How fast compiled searches run on the SQLite store (issue 7: "a field search with aggregation
 * over 10 million records under 1 s").
 *
 *   node --import tsx bench/query.ts [--records N] [--db FILE] [--runs K] [--results FILE] [--viewer anonymous|KEY_ID]
 *
 * Fills a SQLite store (through Store.importCapture, captures of 1,000,000 records) with N
 * deterministic generated records (bench/store-records.ts; default 1,000,000; --records 10000000
 * for the figure) unless --db already holds N records, then runs each query of QUERIES K
 * times (default 5) through compileQuery + better-sqlite3 and reports the median and worst time
 * and the rows/groups returned. The values asked for come from the generator's pools, so they
 * are there; hot values (the skew's head) are the worst case for the index.
 *
 * --viewer compiles every query as that viewer sees the store (src/store/visibility.ts): the
 * generated captures are private and have no submitter, so every record is hidden from it, and
 * each candidate row pays the hidden-capture check: aggregations then show that check's cost
 * (same rows examined, all filtered out); row queries scan to the end instead of stopping at 100.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generateRecords, makePools } from './store-records.js';
import { openStore } from '../src/store/store.js';
import { compileQuery } from '../src/store/query/index.js';
import type { Viewer } from '../src/store/store.js';
import { REPO_ROOT } from './build-capture.js';

interface Args { records: number; db: string; runs: number; results: string; viewer?: Viewer }

function parseArgs(argv: string[]): Args {
  const a: Args = {
    records: 1_000_000, db: resolve(REPO_ROOT, '.bench/query/query.db'), runs: 5,
    results: resolve(REPO_ROOT, 'bench/results/query-latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--records': a.records = Number(v); i++; break;
      case '--db': a.db = resolve(v); i++; break;
      case '--runs': a.runs = Number(v); i++; break;
      case '--results': a.results = resolve(v); i++; break;
      case '--viewer': a.viewer = v === 'anonymous' ? {} : { keyId: v }; i++; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

const PER_CAPTURE = 1_000_000;

async function fill(args: Args): Promise<void> {
  if (existsSync(args.db)) {
    const db = new Database(args.db, { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;
    db.close();
    if (n === args.records) return;
    throw new Error(`${args.db} holds ${n} records, not ${args.records}: remove it or pass --db`);
  }
  mkdirSync(dirname(args.db), { recursive: true });
  const store = await openStore({ sqlite: args.db });
  const pools = makePools();
  const t0 = performance.now();
  for (let done = 0, c = 0; done < args.records; c++) {
    const n = Math.min(PER_CAPTURE, args.records - done);
    const id = c.toString(16).padStart(64, 'b');
    await store.importCapture({ id, md5: id.slice(0, 32), sha1: id.slice(0, 40), size: 0, name: `generated-${c}` },
      async (sink) => { generateRecords(sink, pools, done, n); });
    done += n;
    console.error(`  ${done} records stored (${Math.round(done / ((performance.now() - t0) / 1000))}/s)`);
  }
  await store.close();
}

function queries(): string[] {
  const p = makePools();
  return [
    `dns.query:${p.domains[0]}`,
    `dns.query:${p.domains[0]} | count by id.orig_h`,
    `dns.query:*.duckdns.org | count`,
    `dns.query:*.duckdns.org | top 10 id.resp_h`,
    `dns.query:www.a*`,
    `id.resp_h:${p.servers[1]}`,
    `id.resp_h:${p.servers[1]} | count by log`,
    `id.orig_h:10.1.2.0/24 | count by id.resp_p`,
    `id.resp_h:2001:db8:1::/48 | count`,
    `ssl.ja3:${p.ja3[0]} | top 10 ssl.server_name`,
    `http.user_agent:"${p.agents[0]}" AND NOT id.orig_h:10.0.0.0/16 | count`,
    `uid:CAAAAAAAAAAAAAAAAA`,
    `Chrome | count`,
    `log:ssl | count`,
    `resp_bytes:>1999000 | count`,
    `log:dns | top 10 dns.query`,
  ];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await fill(args);
  const db = new Database(args.db, { readonly: true });
  db.pragma('cache_size = -262144'); // 256 MiB, as a long-running server's connection would have warm
  const out: Record<string, unknown>[] = [];
  for (const q of queries()) {
    const c = compileQuery(q, 'sqlite', { limit: 100 }, args.viewer);
    if (!c.ok) throw new Error(`${q}: ${c.error.message}`);
    const stmt = db.prepare(c.query.sql);
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < args.runs; i++) {
      const t = performance.now();
      const r = stmt.all(...c.query.params) as { count?: number }[];
      times.push(performance.now() - t);
      rows = c.query.kind === 'aggregation' && r.length === 1 && r[0].count !== undefined && !('key' in r[0]) ? r[0].count : r.length;
    }
    times.sort((a, b) => a - b);
    const row = { query: q, medianMs: +times[times.length >> 1].toFixed(2), worstMs: +times[times.length - 1].toFixed(2), rows };
    out.push(row);
    console.log(`${row.medianMs.toFixed(1).padStart(9)} ms median ${row.worstMs.toFixed(1).padStart(9)} ms worst  ${String(rows).padStart(8)}  ${q.length > 90 ? q.slice(0, 90) + '…' : q}`);
  }
  db.close();
  mkdirSync(dirname(args.results), { recursive: true });
  writeFileSync(args.results, JSON.stringify({ records: args.records, runs: args.runs, viewer: args.viewer ?? 'local admin', when: new Date().toISOString(), queries: out }, null, 2) + '\n');
}

await main();
