/**
 * The intelligence API end to end: a real server on 127.0.0.1 over a temp data dir (worker
 * threads, SQLite store), captures uploaded by the API (the worker computes their signatures),
 * API keys from the store. Labels, votes and comments need a key and follow the viewer rules;
 * similar ranks a noisy re-submission first; suggestions, archive, trends, drafts and exports
 * answer as documented; a private capture leaks through none of them; retro-hunts survive a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi } from '../../src/api/app.js';
import { pcap } from '../helpers.js';
import { writeNoisyCopy } from '../store/intel/noisy-capture.js';
import { parseRules } from '../../src/engine/detect/rules/parser.js';

let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;
let owner: string;
let other: string;
const ids: Record<string, string> = {};
/** `METHOD /path` of every request made, checked against the intel operations of /openapi.json at the end. */
const requests: string[] = [];

const auth = (secret?: string): Record<string, string> => (secret ? { authorization: `Bearer ${secret}` } : {});

async function call(method: string, path: string, opts: { key?: string; body?: unknown } = {}): Promise<{ status: number; body: any; res: Response }> {
  const headers: Record<string, string> = { ...auth(opts.key) };
  let body: string | undefined;
  if (opts.body !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(opts.body); }
  requests.push(`${method.toLowerCase()} ${path.split('?')[0]}`);
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* text bodies (csv, rules) stay text */ }
  return { status: res.status, body: parsed, res };
}

async function upload(file: string, name: string, query = '', key?: string): Promise<string> {
  const res = await fetch(`${base}/api/captures?name=${encodeURIComponent(name)}${query}`, {
    method: 'POST', body: readFileSync(file), headers: { 'content-type': 'application/octet-stream', ...auth(key) },
  });
  const up = (await res.json()) as { id: string };
  assert.ok(res.status === 201 || res.status === 200, JSON.stringify(up));
  for (let i = 0; i < 600; i++) {
    const r = await call('GET', `/api/captures/${up.id}`, { key });
    if (r.body.job?.status === 'done') return up.id;
    if (r.body.job?.status === 'failed') throw new Error(JSON.stringify(r.body.job));
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('job did not finish');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-intel-api-'));
  svc = await openService({ dataDir: dir });
  app = await buildApi(svc);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  owner = (await svc.store.createKey('owner')).secret;
  other = (await svc.store.createKey('other')).secret;
  const noisy = join(dir, 'emotet-again.pcap');
  writeNoisyCopy(pcap('malware-emotet.pcap'), pcap('ntp.pcap'), noisy);
  const priv = join(dir, 'emotet-private.pcap');
  writeNoisyCopy(pcap('malware-emotet.pcap'), pcap('dns-tcp.pcap'), priv, 2 * 86_400);
  ids.emotet = await upload(pcap('malware-emotet.pcap'), 'malware-emotet.pcap');
  ids.trickbot = await upload(pcap('malware-trickbot.pcap'), 'malware-trickbot.pcap');
  ids.tls = await upload(pcap('tls13.pcap'), 'tls13.pcap');
  ids.noisy = await upload(noisy, 'emotet-again.pcap');
  ids.private = await upload(priv, 'emotet-private.pcap', '&visibility=private', owner);
});

after(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

test('labels: writes need a key; add (201, then 200), list, remove by the adder only; bad input refused', async () => {
  const path = `/api/captures/${ids.emotet}/labels`;
  assert.equal((await call('POST', path, { body: { kind: 'family', value: 'Emotet' } })).body.error.code, 'KEY_REQUIRED');
  const add = await call('POST', path, { key: owner, body: { kind: 'family', value: 'Emotet' } });
  assert.equal(add.status, 201);
  assert.equal(add.body.label.value, 'emotet');
  assert.match(add.body.label.keyId, /^key_[0-9a-f]{12}$/);
  assert.equal((await call('POST', path, { key: other, body: { kind: 'family', value: 'emotet' } })).status, 200);
  const cat = await call('POST', path, { key: other, body: { kind: 'category', value: 'c2' } });
  assert.equal(cat.status, 201);
  const bad = await call('POST', path, { key: owner, body: { kind: 'category', value: 'nonsense' } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /category must be one of/);
  assert.equal((await call('POST', path, { key: owner, body: { kind: 'colour', value: 'x' } })).status, 400);
  assert.equal((await call('POST', path, { key: owner, body: { kind: 'family', value: '<img src=x>' } })).status, 400);

  const list = await call('GET', path);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.labels.map((l: { kind: string; value: string }) => `${l.kind}:${l.value}`).sort(), ['category:c2', 'family:emotet']);

  const del = `${path}/${cat.body.label.id}`;
  assert.equal((await call('DELETE', del)).body.error.code, 'KEY_REQUIRED');
  assert.equal((await call('DELETE', del, { key: owner })).body.error.code, 'LABEL_NOT_YOURS');
  assert.equal((await call('DELETE', del, { key: other })).status, 200);
  assert.equal((await call('DELETE', del, { key: other })).body.error.code, 'LABEL_NOT_FOUND');
  await call('POST', `/api/captures/${ids.trickbot}/labels`, { key: other, body: { kind: 'family', value: 'trickbot' } });

  const search = await call('GET', `/api/search?q=${encodeURIComponent('label:emotet | count by capture')}`);
  assert.deepEqual(search.body.aggregation.map((a: { key: string }) => a.key), [ids.emotet]);
});

test('votes (one per key) and comments (text kept as written)', async () => {
  const v = `/api/captures/${ids.emotet}/votes`;
  assert.equal((await call('POST', v, { body: { vote: 'agree' } })).status, 401);
  await call('POST', v, { key: owner, body: { vote: 'agree' } });
  await call('POST', v, { key: owner, body: { vote: 'agree' } });
  assert.deepEqual((await call('POST', v, { key: other, body: { vote: 'disagree' } })).body, { agree: 1, disagree: 1, mine: 'disagree' });
  assert.deepEqual((await call('GET', v)).body, { agree: 1, disagree: 1 });
  assert.equal((await call('POST', v, { key: other, body: { vote: 'maybe' } })).status, 400);

  const c = `/api/captures/${ids.emotet}/comments`;
  const text = '<script>alert(1)</script> "quoted" \u0000 line\nnext';
  const posted = await call('POST', c, { key: owner, body: { text } });
  assert.equal(posted.status, 201);
  assert.equal(posted.body.comment.text, '<script>alert(1)</script> "quoted"  line\nnext', 'NUL removed, the rest as written');
  assert.equal((await call('POST', c, { key: owner, body: { text: '   ' } })).status, 400);
  const list = await call('GET', c);
  assert.equal(list.body.comments.length, 1);
  assert.equal(posted.res.headers.get('content-type')?.startsWith('application/json'), true);
});

test('similar: the noisy re-submission first, with shared observables; limit; 404 for unknown ids', async () => {
  const r = await call('GET', `/api/similar/${ids.noisy}?limit=5`);
  assert.equal(r.status, 200);
  assert.ok(Array.isArray(r.body));
  assert.equal(r.body[0].capture.id, ids.emotet);
  assert.ok(r.body[0].score >= 0.7);
  assert.ok(r.body[0].shared.some((s: { kind: string; value: string }) => s.kind === 'domain' && s.value === 'filmmogzivota.rs'));
  assert.ok(!r.body.some((h: { capture: { id: string } }) => h.capture.id === ids.private), 'the private copy stays hidden from anonymous');
  const mine = await call('GET', `/api/similar/${ids.noisy}`, { key: owner });
  assert.ok(mine.body.some((h: { capture: { id: string } }) => h.capture.id === ids.private), 'its owner sees it');
  assert.equal((await call('GET', `/api/similar/${ids.private}`)).body.error.code, 'CAPTURE_NOT_FOUND');
  assert.equal((await call('GET', `/api/similar/${'0'.repeat(64)}`)).status, 404);
  assert.equal((await call('GET', `/api/similar/${ids.noisy}?limit=0`)).status, 400);
});

test('suggestions: "likely emotet" for the re-submission with evidence; private labels never suggested to others', async () => {
  await call('POST', `/api/captures/${ids.private}/labels`, { key: owner, body: { kind: 'family', value: 'secretfam' } });
  assert.equal((await call('POST', `/api/captures/${ids.private}/labels`, { key: other, body: { kind: 'family', value: 'x' } })).body.error.code, 'CAPTURE_NOT_FOUND');
  const r = await call('GET', `/api/captures/${ids.noisy}/suggestions`);
  assert.equal(r.status, 200);
  const s = r.body.suggestions.find((x: { label: { value: string } }) => x.label.value === 'emotet');
  assert.equal(s.text, 'likely emotet');
  assert.ok(s.evidence.some((e: { kind: string }) => e.kind === 'sha256'));
  assert.ok(!r.body.suggestions.some((x: { label: { value: string } }) => x.label.value === 'secretfam'));
  const mine = await call('GET', `/api/captures/${ids.noisy}/suggestions`, { key: owner });
  assert.ok(mine.body.suggestions.some((x: { label: { value: string } }) => x.label.value === 'secretfam'));
});

test('archive and trends', async () => {
  const a = await call('GET', '/api/archive');
  const emotet = a.body.entries.find((e: { kind: string; value: string }) => e.kind === 'family' && e.value === 'emotet');
  assert.equal(emotet.captures, 1);
  assert.ok(emotet.top.domain.length > 0);
  assert.ok(!a.body.entries.some((e: { value: string }) => e.value === 'secretfam'));
  assert.ok((await call('GET', '/api/archive', { key: owner })).body.entries.some((e: { value: string }) => e.value === 'secretfam'));
  const one = await call('GET', '/api/archive/Emotet');
  assert.deepEqual(one.body.captures.map((c: { id: string }) => c.id), [ids.emotet]);
  assert.equal((await call('GET', '/api/archive/secretfam')).body.error.code, 'LABEL_NOT_FOUND');
  const t = await call('GET', '/api/trends?interval=week');
  assert.equal(t.body.interval, 'week');
  assert.ok(t.body.periods.length >= 2);
  for (const p of t.body.periods) assert.match(p.period, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(t.body.periods.some((p: { topLabels: { value: string }[] }) => p.topLabels.some((l) => l.value === 'emotet')));
  assert.ok(t.body.periods.every((p: { sectors: unknown }) => Array.isArray(p.sectors)), 'sectors targeted, per period');
  const m = await call('GET', '/api/trends?interval=month&label=trickbot');
  assert.equal(m.body.periods.length, 1);
  assert.match(m.body.periods[0].period, /^\d{4}-\d{2}$/);
  assert.ok(Object.values(m.body.periods[0].topObservables).some((l) => (l as unknown[]).length > 0), 'a family\'s observables per period');
  assert.equal(t.body.periods[0].topObservables, undefined, 'only with a label');
  assert.equal((await call('GET', '/api/trends?interval=year')).status, 400);
});

test('drafts: rules that parse with our parser, with hits; the rules file', async () => {
  const d = await call('GET', `/api/captures/${ids.tls}/drafts`);
  assert.equal(d.status, 200);
  assert.ok(d.body.rules.some((r: { kind: string }) => r.kind === 'tls.sni'));
  const parsed = parseRules(d.body.rules.map((r: { rule: string }) => r.rule).join('\n'), { readListFile: (n) => d.body.lists[n] });
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.rules.length, d.body.rules.length);
  for (const r of d.body.rules) assert.ok(r.hits.captures >= 1);
  const file = await call('GET', `/api/captures/${ids.tls}/drafts?format=rules`);
  assert.match(file.res.headers.get('content-type') ?? '', /^text\/plain/);
  assert.match(file.body, /^# hits: 1 captures/m);
});

test('exports: STIX bundle, MISP event, CSV; private captures 404 for others', async () => {
  const s = await call('GET', `/api/captures/${ids.emotet}/export?format=stix`);
  assert.equal(s.body.type, 'bundle');
  assert.ok(s.body.objects.some((o: { type: string; name?: string }) => o.type === 'malware' && o.name === 'emotet'));
  const m = await call('GET', `/api/captures/${ids.emotet}/export?format=misp`);
  assert.ok(m.body.Event.Attribute.some((x: { type: string; value: string }) => x.type === 'domain' && x.value === 'filmmogzivota.rs'));
  const c = await call('GET', `/api/captures/${ids.emotet}/export?format=csv`);
  assert.match(c.res.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(c.body, /^type,value,capture,labels\r\n/);
  assert.equal((await call('GET', `/api/captures/${ids.private}/export?format=stix`)).status, 404);
  assert.equal((await call('GET', `/api/captures/${ids.private}/export?format=stix`, { key: owner })).status, 200);
  assert.equal((await call('GET', `/api/captures/${ids.emotet}/export?format=pdf`)).status, 400);
});

test('a label: drafts and exports over its captures; private labels 404 for others', async () => {
  await call('POST', `/api/captures/${ids.noisy}/labels`, { key: owner, body: { kind: 'family', value: 'emotet' } });
  const d = await call('GET', '/api/labels/Emotet/drafts');
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.captures, 2);
  const parsed = parseRules(d.body.rules.map((r: { rule: string }) => r.rule).join('\n'), { readListFile: (n) => d.body.lists[n] });
  assert.deepEqual(parsed.errors, []);
  const host = d.body.rules.find((r: { kind: string; value: string }) => r.kind === 'http.host' && r.value === 'filmmogzivota.rs');
  assert.deepEqual(host.hits, { captures: 2, labelled: 2, unlabelled: 0, benign: 0, inLabel: 2 });
  const file = await call('GET', '/api/labels/emotet/drafts?kind=family&format=rules');
  assert.match(file.res.headers.get('content-disposition') ?? '', /filename="capdex-draft-label-emotet\.rules"/);
  assert.match(file.body, /^# hits: 2 captures, 2 with the label, 2 labelled, 0 unlabelled, 0 benign$/m);
  assert.equal((await call('GET', '/api/labels/emotet/drafts?kind=campaign')).body.error.code, 'LABEL_NOT_FOUND');
  assert.equal((await call('GET', '/api/labels/secretfam/drafts')).body.error.code, 'LABEL_NOT_FOUND');
  assert.equal((await call('GET', '/api/labels/secretfam/drafts', { key: owner })).status, 200);

  const s = await call('GET', '/api/labels/emotet/export?format=stix');
  assert.equal(s.body.type, 'bundle');
  assert.ok(s.body.objects.some((o: { type: string; name?: string }) => o.type === 'malware' && o.name === 'emotet'));
  const ind = s.body.objects.find((o: { type: string; pattern?: string }) => o.type === 'indicator' && o.pattern === "[domain-name:value = 'filmmogzivota.rs']");
  assert.match(ind.description, /^Common to the 2 captures labelled family emotet$/);
  assert.deepEqual((await call('GET', '/api/labels/emotet/export?format=stix')).body, s.body, 'the same label exports to the same document');
  const m = await call('GET', '/api/labels/emotet/export?format=misp');
  const files = m.body.Event.Attribute.filter((x: { category: string }) => x.category === 'Artifacts dropped').map((x: { value: string }) => x.value);
  assert.deepEqual(files.sort(), [ids.emotet, ids.noisy].sort());
  assert.ok(m.body.Event.Tag.some((t: { name: string }) => t.name === 'capdex:family="emotet"'));
  const c = await call('GET', '/api/labels/emotet/export?format=csv');
  assert.match(c.body, /^type,value,label,label_captures,captures,unlabelled,benign\r\n/);
  assert.match(c.body, /\r\ndomain,filmmogzivota\.rs,family:emotet,2,2,0,0\r\n/);
  assert.equal((await call('GET', '/api/labels/secretfam/export')).status, 404);
});

/** Python's zipfile as the independent reader: each entry's sha256 (and text of manifest.csv), read with the password; which are encrypted. */
function pythonZip(path: string, pwd: string): { entries: Record<string, string>; manifest: string; encrypted: boolean[] } {
  const script = `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
pwd = sys.argv[2].encode()
print(json.dumps({"entries": {i.filename: hashlib.sha256(z.read(i, pwd=pwd)).hexdigest() for i in z.infolist()},
                  "manifest": z.read("manifest.csv", pwd=pwd).decode(), "encrypted": [bool(i.flag_bits & 1) for i in z.infolist()]}))`;
  return JSON.parse(execFileSync('python3', ['-c', script, path, pwd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

test('archive zip: a label\'s visible captures in one zip encrypted with "infected", read back by Python; capped with 413 ZIP_TOO_LARGE', async () => {
  const get = async (path: string, key?: string): Promise<{ status: number; type: string; body: Buffer }> => {
    requests.push(`get ${path.split('?')[0]}`);
    const res = await fetch(base + path, { headers: auth(key) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
  };
  const r = await get('/api/archive/Emotet/captures.zip?kind=family');
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.type, 'application/zip');
  const path = join(dir, 'emotet.zip');
  writeFileSync(path, r.body);
  const z = pythonZip(path, 'infected');
  assert.deepEqual(Object.keys(z.entries).sort(), ['manifest.csv', `${ids.emotet}.pcap`, `${ids.noisy}.pcap`].sort());
  assert.equal(z.entries[`${ids.emotet}.pcap`], ids.emotet, 'the capture file itself: its sha256 is its id');
  assert.equal(z.entries[`${ids.noisy}.pcap`], ids.noisy);
  assert.ok(z.encrypted.every(Boolean), 'every entry encrypted');
  assert.match(z.manifest, new RegExp(`^sha256,file,name,bytes\r\n(.*\r\n){2}$`));
  assert.match(z.manifest, new RegExp(`${ids.emotet},${ids.emotet}\\.pcap,malware-emotet\\.pcap,${readFileSync(pcap('malware-emotet.pcap')).length}\r\n`));
  assert.throws(() => pythonZip(path, 'wrong'), 'another password does not open it');

  assert.equal((await get('/api/archive/secretfam/captures.zip')).status, 404, 'a private capture\'s label: not found for others');
  const mine = await get('/api/archive/secretfam/captures.zip', owner);
  assert.equal(mine.status, 200);
  writeFileSync(path, mine.body);
  assert.deepEqual(Object.keys(pythonZip(path, 'infected').entries).sort(), ['manifest.csv', `${ids.private}.pcap`].sort());

  // The same store behind a server with a small cap: refused before any byte of zip.
  const small = await buildApi(svc, { archiveZipMaxBytes: 1000 });
  try {
    const smallBase = await small.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${smallBase}/api/archive/emotet/captures.zip`);
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: { code: string; message: string; bytes: number; maxBytes: number; captures: number } };
    assert.equal(body.error.code, 'ZIP_TOO_LARGE');
    assert.equal(body.error.maxBytes, 1000);
    assert.equal(body.error.captures, 2);
    assert.ok(body.error.bytes > 1000);
    assert.match(body.error.message, /2 captures, \d+ bytes; the cap is 1000 bytes/);
  } finally {
    await small.close();
  }
});

test('retro-hunt: a ruleset over every capture the key may see, in the background; matches by capture', async () => {
  const rules = [
    'alert http any any -> any any (msg:"HUNT emotet host"; flow:to_server; http.host; content:"filmmogzivota.rs"; nocase; sid:7000001; rev:1;)',
    'alert tls any any -> any any (msg:"HUNT cloudflare sni"; tls.sni; content:"cloudflare"; sid:7000002; rev:1;)',
  ].join('\n');
  assert.equal((await call('POST', '/api/retro-hunts', { body: { rules } })).body.error.code, 'KEY_REQUIRED');
  const bad = await call('POST', '/api/retro-hunts', { key: other, body: { rules: 'alert http any any -> any any (msg:"x"; nosuchkeyword; sid:1;)\nnot a rule' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'BAD_RULES');
  assert.match(bad.body.error.message, /line 2/);

  const hunt = async (key: string): Promise<{ status: string; total: number; done: number; matches: { captureId: string; alerts: { sid: number; count: number }[] }[] }> => {
    const started = await call('POST', '/api/retro-hunts', { key, body: { rules } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.match(started.body.id, /^hunt_[0-9a-f]{16}$/);
    for (let i = 0; i < 600; i++) {
      const r = await call('GET', `/api/retro-hunts/${started.body.id}`, { key });
      if (r.body.status !== 'running') return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('hunt did not finish');
  };
  const theirs = await hunt(other);
  assert.equal(theirs.status, 'done');
  assert.equal(theirs.done, theirs.total);
  const matched = (h: typeof theirs, sid: number) => new Set(h.matches.filter((m) => m.alerts.some((a) => a.sid === sid)).map((m) => m.captureId));
  assert.deepEqual(matched(theirs, 7000001), new Set([ids.emotet, ids.noisy]), 'the private copy is not read for another key');
  assert.deepEqual(matched(theirs, 7000002), new Set([ids.tls]));
  const mine = await hunt(owner);
  assert.deepEqual(matched(mine, 7000001), new Set([ids.emotet, ids.noisy, ids.private]));
  assert.equal(mine.total, theirs.total + 1);

  const list = await call('GET', '/api/retro-hunts', { key: other });
  assert.equal(list.body.hunts.length, 1);
  const id = list.body.hunts[0].id as string;
  assert.equal((await call('GET', `/api/retro-hunts/${id}`, { key: owner })).body.error.code, 'HUNT_NOT_FOUND', "another key's hunt is not found");
  assert.equal((await call('GET', '/api/retro-hunts')).body.hunts.length, 0);

  // A restart (the service closed and opened again on the same data dir): the hunts are still there.
  const before = (await call('GET', `/api/retro-hunts/${id}`, { key: other })).body;
  await app.close();
  await svc.close();
  svc = await openService({ dataDir: dir });
  app = await buildApi(svc);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  const after = await call('GET', `/api/retro-hunts/${id}`, { key: other });
  assert.equal(after.status, 200);
  assert.deepEqual(after.body, before, 'the same hunt, results in the same order');
  assert.deepEqual(matched(after.body, 7000001), new Set([ids.emotet, ids.noisy]));
  assert.equal((await call('GET', '/api/retro-hunts', { key: owner })).body.hunts.length, 1);
  assert.equal((await call('GET', `/api/retro-hunts/${id}`, { key: owner })).status, 404);
});

test('retro-hunt with YARA: compile errors are 400 with their line; every kept file is scanned, matches name the files by capture', async () => {
  const bad = await call('POST', '/api/retro-hunts', { key: other, body: { kind: 'yara', rules: 'rule ok { condition: true }\nrule broken { condition: $nope }' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'BAD_RULES');
  assert.match(bad.body.error.message, /\(line 2 column 26: .*unknown pattern `\$nope`/);
  assert.equal((await call('POST', '/api/retro-hunts', { key: other, body: { kind: 'lua', rules: 'x' } })).status, 400);

  const rules = 'rule every_file : everything { condition: filesize > 0 }\nrule no_file { strings: $a = "capdex: in no file 8d1e" condition: $a }';
  const started = await call('POST', '/api/retro-hunts', { key: owner, body: { kind: 'yara', rules } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  assert.equal(started.body.kind, 'yara');
  let hunt = started.body;
  for (let i = 0; i < 600 && hunt.status === 'running'; i++) {
    await new Promise((res) => setTimeout(res, 100));
    hunt = (await call('GET', `/api/retro-hunts/${started.body.id}`, { key: owner })).body;
  }
  assert.equal(hunt.status, 'done', JSON.stringify(hunt));
  // What the files route says is downloadable is exactly what the hunt scanned and matched, capture by capture.
  const kept: Record<string, string[]> = {};
  for (const id of Object.values(ids)) {
    const files = (await call('GET', `/api/captures/${id}/files?limit=1000`, { key: owner })).body.files as { sha256?: string; downloadable: boolean }[];
    const shas = [...new Set(files.filter((f) => f.downloadable && f.sha256).map((f) => f.sha256!))].sort();
    if (shas.length > 0) kept[id] = shas;
  }
  assert.ok(Object.keys(kept).length > 0, 'some capture has kept files');
  const got = Object.fromEntries(hunt.matches.map((m: { captureId: string; files: { sha256: string }[] }) => [m.captureId, m.files.map((f) => f.sha256).sort()]));
  assert.deepEqual(got, kept);
  for (const m of hunt.matches) {
    assert.deepEqual(m.alerts.map((a: { msg: string }) => a.msg), ['YARA every_file']);
    for (const f of m.files) assert.deepEqual(f.rules, [{ rule: 'every_file', tags: ['everything'] }]);
  }
});

test('every intel operation in /openapi.json was exercised here', async () => {
  const doc = (await call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { tags?: string[] }>> };
  const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod)
    .filter(([, op]) => op.tags?.includes('intel')).map(([m]) => ({ op: `${m} ${path}`, re: new RegExp(`^${m} ${path.replace(/\{[^}]+\}/g, '[^/]+')}$`) })));
  assert.ok(ops.length >= 16, ops.map((o) => o.op).join(', '));
  assert.deepEqual(ops.filter((o) => !requests.some((r) => o.re.test(r))).map((o) => o.op), []);
});
