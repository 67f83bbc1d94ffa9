/**
 * `capdex analyze` end to end: the built CLI (dist/, built by scripts/test.sh; run
 * `npx tsc -p tsconfig.json` first when running this file alone) spawned as a user would.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, pcap } from '../helpers.js';
import { CONN_LOG } from '../../src/engine/logs/conn-log.js';
import { WEIRD_LOG } from '../../src/engine/logs/weird-log.js';
import { TUNNEL_LOG } from '../../src/engine/logs/tunnel-log.js';
import type { LogSchema } from '../../src/engine/logs/schema.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const SCHEMAS: Record<string, LogSchema> = { conn: CONN_LOG, weird: WEIRD_LOG, tunnel: TUNNEL_LOG };
/** Has conn, weird and tunnel records (GRE, VXLAN, GTP-U, Geneve, ... and a few anomalies). */
const MIXED = pcap('mixed-arkime-synthetic-many-protocols.pcap');

interface Run { code: number | null; stdout: string; stderr: string }

function capdex(args: string[], stdinFile?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const fd = stdinFile ? openSync(stdinFile, 'r') : undefined;
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: [fd ?? 'ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (fd !== undefined) closeSync(fd);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let outNo = 0;
const out = () => join(dir, `out${++outNo}`);
before(() => {
  assert.ok(existsSync(MAIN), `${MAIN} missing: build first (npx tsc -p tsconfig.json)`);
  dir = mkdtempSync(join(tmpdir(), 'capdex-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function jsonLines(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), `${path}: last line unterminated`);
  return text.slice(0, -1).split('\n').map((l, i) => {
    try {
      const v = JSON.parse(l) as unknown;
      assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${path}:${i + 1} is not an object`);
      return v as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not JSON: ${(e as Error).message}: ${l.slice(0, 200)}`);
    }
  });
}

test('JSON (default): conn.log, weird.log and tunnel.log of valid JSON lines, fields from the schemas', async () => {
  const o = out();
  const r = await capdex(['analyze', MIXED, '--out', o]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const logs = readdirSync(o).sort();
  // conn, weird and tunnel are always written; application logs (dns, http...) may join them.
  for (const l of ['conn.log', 'tunnel.log', 'weird.log']) assert.ok(logs.includes(l), `${l} missing: ${logs.join(', ')}`);
  // Alerts of the bundled rules go to eve.json (EVE documents, not Zeek rows).
  assert.ok(logs.every((l) => l.endsWith('.log') || l === 'eve.json'), logs.join(', '));
  for (const l of logs.filter((f) => f.endsWith('.log'))) {
    const recs = jsonLines(join(o, l));
    for (const rec of recs) assert.equal(typeof rec.ts, 'number', `${l}: ts`);
  }
  for (const [path, schema] of Object.entries(SCHEMAS)) {
    const recs = jsonLines(join(o, `${path}.log`));
    assert.ok(recs.length > 0, `${path}.log is empty`);
    const known = new Set(schema.fields.map((f) => f.name));
    for (const rec of recs) {
      for (const k of Object.keys(rec)) assert.ok(known.has(k), `${path}.log: unknown field ${k}`);
    }
  }
  const conns = jsonLines(join(o, 'conn.log'));
  for (const c of conns) {
    assert.match(String(c.uid), /^C[0-9A-Za-z]{17}$/);
    assert.ok(['tcp', 'udp', 'icmp', 'sctp', 'unknown_transport'].includes(String(c.proto)), String(c.proto));
  }
  // The summary goes to stderr and names the logs.
  assert.match(r.stderr, /conn\.log \d+/);
});

test('JSON: a simple HTTP capture gives its one connection', async () => {
  const o = out();
  const r = await capdex(['analyze', pcap('http-get-simple.pcap'), '--out', o, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', '--quiet prints nothing');
  const conns = jsonLines(join(o, 'conn.log'));
  assert.equal(conns.length, 1);
  assert.equal(conns[0].proto, 'tcp');
  assert.equal(conns[0].conn_state, 'SF');
  assert.equal(conns[0]['id.resp_p'], 80);
  assert.deepEqual(jsonLines(join(o, 'tunnel.log')), []);
});

test('--format tsv: Zeek headers, one column per field, #close trailer', async () => {
  const o = out();
  const r = await capdex(['analyze', MIXED, '--out', o, '--format', 'tsv', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const logs = readdirSync(o).filter((l) => l.endsWith('.log')).map((l) => l.slice(0, -4));
  for (const l of Object.keys(SCHEMAS)) assert.ok(logs.includes(l), `${l}.log missing`);
  for (const path of logs) {
    const schema = SCHEMAS[path] as LogSchema | undefined;
    const lines = readFileSync(join(o, `${path}.log`), 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'file ends with a newline');
    assert.equal(lines[0], '#separator \\x09');
    assert.equal(lines[1], '#set_separator\t,');
    assert.equal(lines[2], '#empty_field\t(empty)');
    assert.equal(lines[3], '#unset_field\t-');
    assert.equal(lines[4], `#path\t${path}`);
    assert.match(lines[5], /^#open\t\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    const fields = lines[6].split('\t');
    const types = lines[7].split('\t');
    assert.equal(fields.shift(), '#fields');
    assert.equal(types.shift(), '#types');
    assert.equal(types.length, fields.length, `${path}.log: #types and #fields disagree`);
    if (schema) {
      assert.deepEqual(fields, schema.fields.map((f) => f.name));
      assert.deepEqual(types, schema.fields.map((f) => f.type));
    }
    assert.match(lines[lines.length - 1], /^#close\t\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    const rows = lines.slice(8, -1);
    if (schema) assert.ok(rows.length > 0, `${path}.log has no rows`);
    for (const row of rows) {
      assert.ok(!row.startsWith('#'), `${path}.log: stray header line ${row}`);
      const cols = row.split('\t');
      assert.equal(cols.length, fields.length, `${path}.log: ${cols.length} columns for ${fields.length} fields: ${row}`);
      assert.ok(cols.every((c) => c !== ''), `${path}.log: empty column (should be - or (empty)): ${row}`);
      if (fields.includes('ts')) assert.match(cols[fields.indexOf('ts')], /^\d+\.\d{6}$/);
    }
  }
});

test('--format tsv: a log without records still has its header and #close', async () => {
  const o = out();
  const r = await capdex(['analyze', pcap('http-get-simple.pcap'), '--out', o, '-f', 'tsv', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(join(o, 'tunnel.log'), 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 9);
  assert.equal(lines[4], '#path\ttunnel');
  assert.ok(lines[6].startsWith('#fields\tts\tuid\t'));
  assert.match(lines[8], /^#close\t/);
});

test('TSV and JSON carry the same conn records', async () => {
  const oj = out(), ot = out();
  await capdex(['analyze', MIXED, '--out', oj, '--quiet']);
  await capdex(['analyze', MIXED, '--out', ot, '--format', 'tsv', '--quiet']);
  const json = jsonLines(join(oj, 'conn.log'));
  const tsv = readFileSync(join(ot, 'conn.log'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(tsv.length, json.length);
  const fields = CONN_LOG.fields.map((f) => f.name);
  json.forEach((rec, i) => {
    const cols = tsv[i].split('\t');
    assert.equal(cols[fields.indexOf('uid')], rec.uid);
    assert.equal(cols[fields.indexOf('orig_pkts')], String(rec.orig_pkts));
    assert.equal(cols[fields.indexOf('id.orig_h')], rec['id.orig_h']);
  });
});

test('"-" reads standard input: same logs as reading the file', async () => {
  const fromFile = out(), fromStdin = out();
  const a = await capdex(['analyze', MIXED, '--out', fromFile, '--quiet']);
  const b = await capdex(['analyze', '-', '--out', fromStdin, '--quiet'], MIXED);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const logs = readdirSync(fromFile).sort();
  assert.deepEqual(readdirSync(fromStdin).sort(), logs);
  for (const path of logs) {
    assert.equal(readFileSync(join(fromStdin, path), 'utf8'), readFileSync(join(fromFile, path), 'utf8'), path);
  }
});

test("a gzip'd capture on standard input", async () => {
  const gz = join(dir, 'http.pcap.gz');
  writeFileSync(gz, gzipSync(readFileSync(pcap('http-get-simple.pcap'))));
  const o = out();
  const r = await capdex(['analyze', '-', '--out', o, '--quiet'], gz);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonLines(join(o, 'conn.log')).length, 1);
});

function oneLine(stderr: string): string {
  const lines = stderr.split('\n');
  assert.equal(lines.pop(), '', `stderr ends with a newline: ${JSON.stringify(stderr)}`);
  assert.equal(lines.length, 1, `exactly one line on stderr, got: ${JSON.stringify(stderr)}`);
  return lines[0];
}

test('a zip file: non-zero exit, one line saying it is a zip archive', async () => {
  const zip = join(dir, 'capture.pcap'); // the name lies; the content decides
  writeFileSync(zip, Buffer.concat([
    Buffer.from('504b0304140000000000000000000000000000000000000000000500000068656c6c6f', 'hex'),
    Buffer.from('504b01021400140000000000000000000000000000000000000000000500000000000000000000000000000068656c6c6f', 'hex'),
    Buffer.from('504b0506000000000100010033000000230000000000', 'hex'),
  ]));
  const r = await capdex(['analyze', zip, '--out', out()]);
  assert.notEqual(r.code, 0);
  assert.equal(oneLine(r.stderr), `capdex: ${zip}: not a packet capture: this is a zip archive`);
});

test('a text file: non-zero exit, one line saying it is text', async () => {
  const txt = join(dir, 'notes.pcapng');
  writeFileSync(txt, 'these are my notes about the capture\nnothing else\n');
  const r = await capdex(['analyze', txt, '--out', out()]);
  assert.notEqual(r.code, 0);
  assert.equal(oneLine(r.stderr), `capdex: ${txt}: not a packet capture: this is text`);
});

test('text on standard input: one line naming standard input', async () => {
  const txt = join(dir, 'notes.txt');
  writeFileSync(txt, '<!DOCTYPE html>\n<html><body>not a capture</body></html>\n');
  const r = await capdex(['analyze', '-', '--out', out()], txt);
  assert.notEqual(r.code, 0);
  assert.equal(oneLine(r.stderr), 'capdex: standard input: not a packet capture: this is an HTML document');
});

test('a missing file: non-zero exit, one clear line', async () => {
  const missing = join(dir, 'no-such-capture.pcap');
  const r = await capdex(['analyze', missing, '--out', out()]);
  assert.notEqual(r.code, 0);
  assert.equal(oneLine(r.stderr), `capdex: ${missing}: no such file`);
});

test('usage errors: no --out, unknown format', async () => {
  const a = await capdex(['analyze', MIXED]);
  assert.notEqual(a.code, 0);
  assert.match(a.stderr, /--out/);
  const b = await capdex(['analyze', MIXED, '--out', out(), '--format', 'xml']);
  assert.notEqual(b.code, 0);
  assert.match(b.stderr, /json, tsv|json.*tsv/);
});
