/**
 * Downloads end to end: a real server on 127.0.0.1 over a temp data dir, real worker threads
 * (which keep the extracted files in the blob store), shared captures with HTTP file transfers.
 * Checked with independent readers: Python's zipfile (password "infected") for the zips, sha256
 * of what comes back, capinfos and tshark for the per-flow slices. Also: traversal and header
 * injection attempts do nothing, and a private capture's downloads are 404 for anyone else.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { analyze } from '../../src/engine/pipeline.js';
import { MemorySink } from '../../src/engine/logs/file-sink.js';
import type { LogRecord } from '../../src/engine/logs/schema.js';
import type { Job } from '../../src/jobs/jobs.js';
import { SERVICE_ENGINE } from '../helpers.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
/**
 * Captures with HTTP file transfers: an exploit page and GIF (pcapng), a Java class over Linux SLL,
 * Emotet's zip and pages (and two PE downloads with missing bytes: listed, not kept).
 */
const PUBLIC = ['malware-aurora-exploit.pcapng', 'link-sll-http-log4j-exploit.pcap', 'malware-emotet.pcap'];
/** Uploaded privately: its files are in no public capture. */
const PRIVATE = 'malware-cryptowall4-c2.pcapng';

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;
const ids = new Map<string, string>();
const engine = new Map<string, MemorySink>();
let keySecret: string;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function waitDone(id: string, headers: Record<string, string> = {}): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const body = (await (await fetch(`${base}/api/captures/${id}`, { headers })).json()) as { job: Job };
    if (body.job?.status === 'done' || body.job?.status === 'failed') return body.job;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('job did not finish');
}

async function upload(file: string, query = '', headers: Record<string, string> = {}): Promise<string> {
  const r = await fetch(`${base}/api/captures?name=${file}${query}`, {
    method: 'POST', body: readFileSync(join(PCAPS, file)), headers: { 'content-type': 'application/octet-stream', ...headers },
  });
  assert.ok(r.status === 201 || r.status === 200, `upload ${file}: ${r.status} ${await r.clone().text()}`);
  const { id } = (await r.json()) as { id: string };
  const job = await waitDone(id, headers);
  assert.equal(job.status, 'done', job.error);
  return id;
}

async function expectError(r: Response, status: number, code: string): Promise<void> {
  const body = (await r.json()) as { error: { code: string } };
  assert.equal(r.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
}

/** A raw GET (fetch would normalise `..` out of the path before sending it). */
function rawGet(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Python's zipfile as the independent reader: {name: sha256 of the content} (pwd when given). */
function pythonZip(path: string, pwd?: string): { entries: Record<string, string>; encrypted: boolean[] } {
  const script = `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
pwd = sys.argv[2].encode() if len(sys.argv) > 2 else None
print(json.dumps({"entries": {i.filename: hashlib.sha256(z.read(i, pwd=pwd)).hexdigest() for i in z.infolist()},
                  "encrypted": [bool(i.flag_bits & 1) for i in z.infolist()]}))`;
  return JSON.parse(execFileSync('python3', ['-c', script, path, ...(pwd ? [pwd] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { entries: Record<string, string>; encrypted: boolean[] };
}

function pythonZipLines(path: string): Record<string, string[]> {
  const script = `
import zipfile, json, sys
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({n: z.read(n).decode("utf-8").splitlines() for n in z.namelist()}))`;
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] })) as Record<string, string[]>;
}

async function save(r: Response, name: string): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(await r.arrayBuffer()));
  return path;
}

const filesOf = (file: string): LogRecord[] => engine.get(file)!.get('files');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-downloads-'));
  svc = await openService({ dataDir: join(dir, 'data') });
  app = await buildApi(svc, { rateLimit: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  for (const f of [...PUBLIC, PRIVATE]) {
    const mem = new MemorySink();
    await analyze(join(PCAPS, f), mem, { engine: SERVICE_ENGINE });
    engine.set(f, mem);
  }
  for (const f of PUBLIC) ids.set(f, await upload(f));
  keySecret = (await svc.store.createKey('downloads test')).secret;
  ids.set(PRIVATE, await upload(PRIVATE, '&visibility=private', { authorization: `Bearer ${keySecret}` }));
});

after(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

test('GET /api/captures/{id}/files lists files.log as the engine wrote it; every complete file is downloadable', async () => {
  for (const f of PUBLIC) {
    const r = await fetch(`${base}/api/captures/${ids.get(f)}/files`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as { captureId: string; files: Record<string, unknown>[] };
    const got = body.files.map((x) => `${String(x.fuid)} ${String(x.uid)} ${String(x.sha256)} ${String(x.mime_type)} ${String(x.size)}`).sort();
    const want = filesOf(f).map((x) => `${String(x.fuid)} ${String(x.uid)} ${String(x.sha256)} ${String(x.mime_type)} ${String(x.seen_bytes)}`).sort();
    assert.deepEqual(got, want);
    assert.ok(got.length > 0, `${f} has files`);
    for (const x of body.files) assert.equal(x.downloadable, x.sha256 !== undefined && x.sha256 !== null, `${String(x.fuid)} kept`);
  }
});

test('GET /api/files/{sha256}: byte-identical to its hash, as an attachment named by the hash, nosniff', async () => {
  let n = 0;
  for (const f of PUBLIC) {
    for (const rec of filesOf(f)) {
      if (typeof rec.sha256 !== 'string') continue;
      const r = await fetch(`${base}/api/files/${rec.sha256.toUpperCase()}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/octet-stream');
      assert.equal(r.headers.get('content-disposition'), `attachment; filename="${rec.sha256}.bin"`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      const body = new Uint8Array(await r.arrayBuffer());
      assert.equal(sha256(body), rec.sha256);
      assert.equal(body.length, rec.seen_bytes);
      n++;
    }
  }
  assert.ok(n >= 3);
  await expectError(await fetch(`${base}/api/files/${'0'.repeat(64)}`), 404, 'FILE_NOT_FOUND');
  // A blob that is not an extracted file (the capture itself) is no file of any capture.
  await expectError(await fetch(`${base}/api/files/${ids.get(PUBLIC[0])}`), 404, 'FILE_NOT_FOUND');
});

test('files.zip: Python\'s zipfile opens it with "infected" only; entries <sha256>.<ext> hash to their names', async () => {
  for (const f of PUBLIC) {
    const r = await fetch(`${base}/api/captures/${ids.get(f)}/files.zip`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/zip');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="${ids.get(f)}-files.zip"`);
    const path = await save(r, `${f}-files.zip`);
    const z = pythonZip(path, 'infected');
    const want = [...new Set(filesOf(f).map((x) => x.sha256).filter((x): x is string => typeof x === 'string'))].sort();
    assert.deepEqual(Object.keys(z.entries).map((n) => n.split('.')[0]).sort(), want);
    for (const [name, hash] of Object.entries(z.entries)) {
      assert.match(name, /^[0-9a-f]{64}\.[a-z0-9]{1,8}$/);
      assert.equal(hash, name.split('.')[0], `${name} decrypts to its hash`);
    }
    assert.ok(want.length > 0 && z.encrypted.every(Boolean), 'every entry is encrypted');
    assert.throws(() => pythonZip(path), /password required/i);
    assert.throws(() => pythonZip(path, 'wrong'));
  }
  // Extensions come from the sniffed type, never the sender's name: Emotet's zip is .zip, its pages .html.
  const z = pythonZip(join(dir, `${PUBLIC[2]}-files.zip`), 'infected');
  for (const x of filesOf(PUBLIC[2])) {
    if (x.mime_type === 'application/zip') assert.ok(`${String(x.sha256)}.zip` in z.entries);
    if (x.mime_type === 'text/html') assert.ok(`${String(x.sha256)}.html` in z.entries);
  }
});

test('logs.zip: every log as Zeek JSON lines (conn.log, files.log, http.log, ...), each line parses, counts match', async () => {
  for (const f of PUBLIC) {
    const r = await fetch(`${base}/api/captures/${ids.get(f)}/logs.zip`);
    assert.equal(r.status, 200);
    const logs = pythonZipLines(await save(r, `${f}-logs.zip`));
    const mem = engine.get(f)!;
    for (const must of ['conn.log', 'files.log', 'http.log']) assert.ok(must in logs, `${f}: ${must} in ${Object.keys(logs).join(', ')}`);
    for (const [name, lines] of Object.entries(logs)) {
      assert.match(name, /^([a-z0-9_-]+\.log|eve\.json)$/);
      const path = name === 'eve.json' ? 'eve' : name.replace(/\.log$/, ''); // the engine's EVE schema; the store calls its log 'alert'
      for (const l of lines) assert.equal(typeof JSON.parse(l), 'object');
      assert.equal(lines.length, mem.get(path).length, `${f} ${name}`);
    }
    const conn = logs['conn.log'].map((l) => JSON.parse(l) as LogRecord);
    assert.deepEqual(conn.map((c) => c.uid).sort(), mem.get('conn').map((c) => c.uid).sort());
  }
});

test('per-flow pcap: orig_pkts + resp_pkts packets by capinfos, one tshark conversation, by uid and by community_id', async () => {
  for (const f of PUBLIC) {
    const id = ids.get(f)!;
    const conns = engine.get(f)!.get('conn').filter((c) => c.proto === 'tcp' && filesOf(f).some((x) => x.uid === c.uid));
    assert.ok(conns.length > 0);
    for (const c of conns) {
      const r = await fetch(`${base}/api/captures/${id}/pcap?uid=${String(c.uid)}`);
      assert.equal(r.status, 200);
      const ext = f.endsWith('.pcapng') ? 'pcapng' : 'pcap';
      assert.equal(r.headers.get('content-disposition'), `attachment; filename="${id}-${String(c.uid)}.${ext}"`);
      const path = await save(r, `${f}-${String(c.uid)}.${ext}`);
      const want = Number(c.orig_pkts) + Number(c.resp_pkts);
      const count = Number(execFileSync('capinfos', ['-T', '-r', '-c', path], { encoding: 'utf8' }).trim().split('\t')[1]);
      assert.equal(count, want, `${f} ${String(c.uid)}`);
      const conv = execFileSync('tshark', ['-r', path, '-q', '-z', 'conv,tcp'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('<->'));
      assert.equal(conv.length, 1);
      const [a, , b] = conv[0].trim().split(/\s+/);
      assert.deepEqual([a, b].sort(), [`${String(c['id.orig_h'])}:${String(c['id.orig_p'])}`, `${String(c['id.resp_h'])}:${String(c['id.resp_p'])}`].sort());
      if (typeof c.community_id === 'string') {
        const byCid = await fetch(`${base}/api/captures/${id}/pcap?community_id=${encodeURIComponent(c.community_id)}`);
        assert.equal(byCid.status, 200);
        assert.deepEqual(Buffer.from(await byCid.arrayBuffer()), readFileSync(path));
      }
    }
  }
  const id = ids.get(PUBLIC[0])!;
  await expectError(await fetch(`${base}/api/captures/${id}/pcap?uid=CAAAAAAAAAAAAAAAAA`), 404, 'UID_NOT_FOUND');
  await expectError(await fetch(`${base}/api/captures/${id}/pcap?community_id=${encodeURIComponent('1:AAAAAAAAAAAAAAAAAAAAAAAAAAA=')}`), 404, 'UID_NOT_FOUND');
  // Without a flow: the whole capture, as before.
  const whole = await fetch(`${base}/api/captures/${id}/pcap`);
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), readFileSync(join(PCAPS, PUBLIC[0])));
});

test('path traversal and header injection do nothing', async () => {
  const id = ids.get(PUBLIC[0])!;
  const attempts = [
    '/api/files/../../../../etc/passwd', '/api/files/..%2f..%2f..%2fetc%2fpasswd', '/api/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    `/api/files/${'a'.repeat(62)}%2f..`, `/api/captures/${id}/files/../../../etc/passwd`,
    `/api/captures/..%2f..%2fetc/files.zip`, `/api/captures/${id}/pcap?uid=..%2f..%2fetc%2fpasswd`,
    `/api/captures/${id}/pcap?uid=C1%0d%0aX-Injected:%201`, `/api/captures/${id}/pcap?community_id=1:%22%20OR%20x%0d%0aX-Injected:1`,
    `/api/captures/${id}/pcap?uid=C1%22%3B%20filename%3D%22evil.exe`,
  ];
  for (const path of attempts) {
    const r = await rawGet(path);
    assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
    assert.equal(r.headers['x-injected'], undefined);
    assert.equal(r.headers['content-disposition'], undefined, path);
    assert.doesNotMatch(r.body.toString('latin1'), /root:|evil\.exe"/);
  }
  // The files list carries traffic-made names in JSON only; no header holds one.
  const list = await fetch(`${base}/api/captures/${id}/files`);
  assert.equal(list.headers.get('content-disposition'), null);
});

test('a private capture\'s downloads are 404 for anonymous, there for its key', async () => {
  const id = ids.get(PRIVATE)!;
  const auth = { authorization: `Bearer ${keySecret}` };
  const file = filesOf(PRIVATE).find((x) => typeof x.sha256 === 'string')!;
  const conn = engine.get(PRIVATE)!.get('conn').find((c) => c.uid === file.uid)!;
  const paths = [`/api/captures/${id}/files`, `/api/captures/${id}/files.zip`, `/api/captures/${id}/logs.zip`, `/api/captures/${id}/pcap?uid=${String(conn.uid)}`];
  for (const p of paths) {
    await expectError(await fetch(base + p), 404, 'CAPTURE_NOT_FOUND');
    const mine = await fetch(base + p, { headers: auth });
    assert.equal(mine.status, 200, p);
    await mine.arrayBuffer();
  }
  await expectError(await fetch(`${base}/api/files/${String(file.sha256)}`), 404, 'FILE_NOT_FOUND');
  const mine = await fetch(`${base}/api/files/${String(file.sha256)}`, { headers: auth });
  assert.equal(sha256(new Uint8Array(await mine.arrayBuffer())), file.sha256);
});
