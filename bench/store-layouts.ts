/**
 * How small could the store's records be, and at what CPU cost? Issue 7 asks a database of at most
 * 10% of the capture's bytes and an ingest of 200,000 records/s; today's SQLite layout (one row per
 * record holding its JSON document, four indexes, one FTS5 row per record) is ~88% of the bench
 * capture and ingests ~7k records per CPU second. This measures, on a capture's real records,
 * the record bytes of the candidate layouts, so the redesign starts from figures, not guesses:
 *
 * - `json rows`: the documents as stored today (the JSON line of each record, no indexes);
 * - `row blocks`: each log's records in blocks of --block records, JSON lines compressed together
 *   (deflate levels 1 and 6, brotli qualities 1 and 4);
 * - `column blocks`: the same blocks split per field (one value list per field), each compressed
 *   (brotli quality 4): a column layout's bytes, before any dictionary or integer encoding.
 *
 * For each: bytes, share of the capture, and encode CPU per record (compression only), plus decode
 * CPU per record for the row blocks (what a log page or a pivot pays to read a block back).
 *
 * Then SQLite's own insert cost per record (in memory, one transaction, the same records): one row
 * per record bare, with today's four records indexes, and with an FTS5 row per record, against one
 * row per compressed block with one FTS5 row per block: where 200,000 records/s can come from.
 *
 *   node --import tsx bench/store-layouts.ts CAPTURE [--block 256]
 *
 * Runs `capdex analyze` (dist/ build) into a temporary folder and reads the JSON logs it wrote.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

interface Layout { name: string; bytes: number; encodeUs: number; decodeUs?: number }

function args(argv: string[]): { capture: string; block: number } {
  let capture = '';
  let block = 256;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--block') block = Number(argv[++i]);
    else capture = resolve(argv[i]!);
  }
  if (capture === '' || !(block > 0)) throw new Error('usage: store-layouts.ts CAPTURE [--block N]');
  return { capture, block };
}

/** Each log's JSON lines, as `capdex analyze` wrote them. */
function readLogs(dir: string): Map<string, string[]> {
  const logs = new Map<string, string[]>();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.log') && name !== 'eve.json') continue;
    const lines = readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l !== '');
    if (lines.length > 0) logs.set(name, lines);
  }
  return logs;
}

function blocksOf<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function cpuUs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return d.user + d.system;
}

const brotli = (b: Buffer): Buffer => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });

function measure(logs: Map<string, string[]>, block: number, records: number): Layout[] {
  const blocks = [...logs.values()].flatMap((lines) => blocksOf(lines, block));
  const jsonBytes = blocks.reduce((s, b) => s + b.reduce((t, l) => t + Buffer.byteLength(l), 0), 0);
  const out: Layout[] = [{ name: 'json rows (today\'s documents)', bytes: jsonBytes, encodeUs: 0 }];

  for (const [name, compress, decompress] of [
    ['row blocks, deflate 1', (b: Buffer) => deflateRawSync(b, { level: 1 }), inflateRawSync],
    ['row blocks, deflate 6', (b: Buffer) => deflateRawSync(b, { level: 6 }), inflateRawSync],
    ['row blocks, brotli 1', (b: Buffer) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }), brotliDecompressSync],
    ['row blocks, brotli 4', brotli, brotliDecompressSync],
  ] as const) {
    const packed: Buffer[] = [];
    const encodeUs = cpuUs(() => { for (const b of blocks) packed.push(compress(Buffer.from(b.join('\n')))); });
    const decodeUs = cpuUs(() => { for (const p of packed) decompress(p); });
    out.push({ name, bytes: packed.reduce((s, p) => s + p.length, 0), encodeUs: encodeUs / records, decodeUs: decodeUs / records });
  }

  let columnBytes = 0;
  const columnUs = cpuUs(() => {
    for (const b of blocks) {
      const columns = new Map<string, string[]>();
      b.forEach((line, row) => {
        const rec = JSON.parse(line) as Record<string, unknown>;
        for (const [k, v] of Object.entries(rec)) {
          let col = columns.get(k);
          if (!col) columns.set(k, (col = new Array<string>(b.length).fill('')));
          col[row] = JSON.stringify(v);
        }
      });
      for (const col of columns.values()) columnBytes += brotli(Buffer.from(col.join('\n'))).length;
    }
  });
  out.push({ name: 'column blocks, brotli 4 (incl. JSON.parse)', bytes: columnBytes, encodeUs: columnUs / records });
  return out;
}

const RECORDS_TABLE = 'CREATE TABLE records (id INTEGER PRIMARY KEY, capture_key INTEGER NOT NULL, log TEXT NOT NULL, ts REAL, uid TEXT, community_id TEXT, doc TEXT NOT NULL);';
const RECORDS_INDEXES = `CREATE INDEX records_capture_log_ts ON records(capture_key, log, ts);
  CREATE INDEX records_uid ON records(uid) WHERE uid IS NOT NULL;
  CREATE INDEX records_community_id ON records(community_id) WHERE community_id IS NOT NULL;
  CREATE INDEX records_log ON records(log);`;
const FTS_TABLE = "CREATE VIRTUAL TABLE records_fts USING fts5(text, content='', contentless_delete=1);";

/** µs of CPU per record to insert the records into a fresh in-memory SQLite, one transaction. */
function sqliteInsertUs(logs: Map<string, string[]>, block: number, records: number): { name: string; us: number }[] {
  const rows: [string, number | null, string | null, string | null, string][] = [];
  for (const [log, lines] of logs) {
    for (const line of lines) {
      const rec = JSON.parse(line) as Record<string, unknown>;
      rows.push([log, typeof rec.ts === 'number' ? rec.ts : null, typeof rec.uid === 'string' ? rec.uid : null,
        typeof rec.community_id === 'string' ? rec.community_id : null, line]);
    }
  }
  const perRecord = (ddl: string, fts: boolean): number => {
    const db = new Database(':memory:');
    db.exec(ddl);
    const insert = db.prepare('INSERT INTO records (capture_key, log, ts, uid, community_id, doc) VALUES (1, ?, ?, ?, ?, ?)');
    const insertText = fts ? db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)') : undefined;
    const us = cpuUs(() => db.transaction(() => {
      for (const r of rows) {
        const id = insert.run(r).lastInsertRowid;
        insertText?.run(id, r[4]);
      }
    })());
    db.close();
    return us / records;
  };
  const perBlock = (): number => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE record_blocks (id INTEGER PRIMARY KEY, capture_key INTEGER NOT NULL, log TEXT NOT NULL, first_ts REAL, last_ts REAL, docs BLOB NOT NULL);' + FTS_TABLE);
    const insert = db.prepare('INSERT INTO record_blocks (capture_key, log, first_ts, last_ts, docs) VALUES (1, ?, ?, ?, ?)');
    const insertText = db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)');
    const us = cpuUs(() => db.transaction(() => {
      for (const [log, lines] of logs) {
        for (const b of blocksOf(lines, block)) {
          const text = b.join('\n');
          const id = insert.run(log, null, null, deflateRawSync(Buffer.from(text), { level: 1 })).lastInsertRowid;
          insertText.run(id, text);
        }
      }
    })());
    db.close();
    return us / records;
  };
  return [
    { name: 'row per record, no index', us: perRecord(RECORDS_TABLE, false) },
    { name: 'row per record, 4 indexes (today)', us: perRecord(RECORDS_TABLE + RECORDS_INDEXES, false) },
    { name: 'row per record, 4 indexes + FTS5 row (today)', us: perRecord(RECORDS_TABLE + RECORDS_INDEXES + FTS_TABLE, true) },
    { name: `row per block of ${block} (deflate 1) + FTS5 row per block`, us: perBlock() },
  ];
}

function main(): void {
  const { capture, block } = args(process.argv.slice(2));
  const captureBytes = statSync(capture).size;
  const dir = mkdtempSync(join(tmpdir(), 'capdex-layouts-'));
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), 'analyze', capture, '--out', dir, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const logs = readLogs(dir);
    const records = [...logs.values()].reduce((s, l) => s + l.length, 0);
    console.log(`${capture}: ${captureBytes.toLocaleString('en')} bytes, ${records.toLocaleString('en')} records in ${logs.size} logs, blocks of ${block}`);
    console.log('layout'.padEnd(46) + 'bytes'.padStart(12) + '  of capture' + '  encode µs/rec' + '  decode µs/rec');
    for (const l of measure(logs, block, records)) {
      console.log(l.name.padEnd(46) + l.bytes.toLocaleString('en').padStart(12) + `${((100 * l.bytes) / captureBytes).toFixed(1)}%`.padStart(12)
        + l.encodeUs.toFixed(2).padStart(15) + (l.decodeUs === undefined ? '' : l.decodeUs.toFixed(2).padStart(16)));
    }
    console.log('\nSQLite insert, in memory'.padEnd(61) + 'CPU µs/record  records/CPU s');
    for (const { name, us } of sqliteInsertUs(logs, block, records)) {
      console.log(name.padEnd(60) + us.toFixed(2).padStart(14) + Math.round(1e6 / us).toLocaleString('en').padStart(15));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
