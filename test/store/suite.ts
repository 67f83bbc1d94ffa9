/**
 * The store suite, shared by every backend: test/store/sqlite.test.ts runs it on a SQLite file,
 * test/store/postgres.test.ts on a PostgreSQL server. `open` must return a fresh, empty store
 * each time; `rowsOf` (optional) counts a capture's rows in the backend's own tables, so deletion
 * can be checked below the interface (observables, full-text index, files).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ANONYMOUS, LOCAL_ADMIN, type Store, type CaptureMeta, type Viewer } from '../../src/store/store.js';
import { importCaptureFile } from '../../src/cli/capture-import.js';
import { analyze } from '../../src/engine/pipeline.js';
import { jsonLine } from '../../src/engine/logs/json-writer.js';
import type { LogRecord, LogSchema } from '../../src/engine/logs/schema.js';
import { HTTP_LOG } from '../../src/engine/analyzers/http/http-log.js';
import { DNS_LOG } from '../../src/engine/analyzers/dns/dns-log.js';
import { EVE_LOG, eveAlert } from '../../src/engine/detect/eve-log.js';
import { storedLogName, isDocumentSchema } from '../../src/store/observables.js';
import { pcap } from '../helpers.js';
import { OBSERVABLE_ROW_IDS_MAX } from '../../src/store/limits.js';
import { logViewSuite } from './log-view-suite.js';
import { captureTimeSuite } from './capture-time-suite.js';

export interface BackendHooks {
  /** Rows per table that still belong to the capture (records, observables, fts, file_sightings, ...). */
  rowsOf?: (store: Store, captureId: string) => Promise<Record<string, number>>;
}

/** Captures that together hold every log the engine writes (mixed-arkime alone has most). */
const ROUND_TRIP = [
  'mixed-arkime-synthetic-many-protocols.pcap', 'syslog-udp.pcap', 'dnp3.pcap', 'ftp-data-transfer.pcapng',
  'smtp-zip-attachment.pcap', 'tls-self-signed-cert.pcap', 'tunnel-gre.pcap', 'bad-packets-mixed.pcap',
  'quic-ietf-handshake.pcap', 'pop3.pcap', 'dhcp-dora.pcap',
];
/** Logs the round trip must have seen (every log of the committed engine). */
const EXPECTED_LOGS = [
  'conn', 'dns', 'http', 'ssl', 'x509', 'files', 'ssh', 'smtp', 'ftp', 'dhcp', 'ntp', 'snmp', 'sip', 'quic', 'kerberos',
  'modbus', 'dnp3', 'mysql', 'irc', 'imap', 'pop3', 'radius', 'syslog', 'weird', 'tunnel',
];

/** What the engine writes for a capture, per stored log name, as parsed JSON documents. */
async function engineDocs(file: string): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  await analyze(file, {
    write(schema: LogSchema, rec: LogRecord) {
      const text = isDocumentSchema(schema) ? JSON.stringify(rec) : jsonLine(schema, rec);
      const log = storedLogName(schema);
      if (!out.has(log)) out.set(log, []);
      out.get(log)!.push(JSON.parse(text));
    },
  });
  return out;
}

const sortDocs = (docs: unknown[]): string[] => docs.map((d) => JSON.stringify(d, Object.keys(d as object).sort())).sort();

function meta(id: string, name = 'synthetic'): CaptureMeta {
  return { id, md5: id.slice(0, 32), sha1: id.slice(0, 40), size: 1, name };
}
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

function httpRec(host: string, extra: LogRecord = {}): LogRecord {
  return {
    ts: 1700000000.5, uid: 'CHostile0000000001', 'id.orig_h': '10.1.1.1', 'id.orig_p': 5555, 'id.resp_h': '192.0.2.80',
    'id.resp_p': 80, trans_depth: 1, method: 'GET', host, uri: '/x', ...extra,
  };
}

export function storeSuite(backend: string, open: () => Promise<Store>, hooks: BackendHooks = {}): void {
  describe(`store suite on ${backend}`, () => {
    it('round-trips every log type: records read back equal the engine\'s JSON', async () => {
      const store = await open();
      try {
        const seen = new Set<string>();
        for (const name of ROUND_TRIP) {
          const file = pcap(name);
          const expected = await engineDocs(file);
          const r = await importCaptureFile(store, file);
          let total = 0;
          for (const [log, docs] of expected) {
            const stored = await store.records(r.captureId, log, { limit: 10_000 });
            assert.deepEqual(sortDocs(stored.map((s) => s.doc)), sortDocs(docs), `${name}: ${log}`);
            for (const s of stored) assert.equal(s.captureId, r.captureId);
            total += docs.length;
            seen.add(log);
          }
          assert.equal(r.records, total, name);
          const cap = await store.capture(r.captureId);
          assert.ok(cap, name);
          assert.equal(cap.recordCount, total);
          assert.equal(cap.status, 'done');
          assert.equal(cap.name, name);
          // Oracles: the id is the file's SHA-256 as sha256sum computes it, packets as capinfos counts them.
          const bytes = readFileSync(file);
          assert.equal(cap.id, execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]);
          assert.equal(cap.md5, createHash('md5').update(bytes).digest('hex'));
          assert.equal(cap.size, bytes.length);
          const capinfos = execFileSync('capinfos', ['-c', '-M', file], { encoding: 'utf8' });
          assert.equal(cap.packets, Number(/Number of packets:\s+(\d+)/.exec(capinfos)?.[1]), name);
        }
        for (const log of EXPECTED_LOGS) assert.ok(seen.has(log), `no ${log} records in the round trip`);
        // Typed columns agree with the document.
        const mixed = (await store.captures()).find((c) => c.name === ROUND_TRIP[0])!;
        for (const rec of await store.records(mixed.id, 'conn', { limit: 50 })) {
          assert.equal(rec.ts, rec.doc.ts);
          assert.equal(rec.uid, rec.doc.uid);
          assert.equal(rec.communityId, rec.doc.community_id ?? null);
        }
      } finally {
        await store.close();
      }
    });

    it('stores EVE alerts as nested documents under log "alert", with their observables', async () => {
      const store = await open();
      try {
        const alert = eveAlert({
          ts: 1700000001.25,
          where: { uid: 'CAlert000000000001', origH: '10.0.0.5', origP: 40000, respH: '198.51.100.7', respP: 80, communityId: '1:abc=', isOrig: true, transport: 'tcp' },
          alert: { action: 'allowed', gid: 1, signature_id: 2000001, rev: 3, signature: 'ET TEST "quoted" sig', category: 'Test', severity: 2 },
          extra: { http: { hostname: 'Evil.Example.', url: '/payload.bin', http_user_agent: 'curl/8' }, tls: { ja3: { hash: 'ABCDEF0123' } } },
        });
        await store.importCapture(meta(ID_A), async (sink) => { sink.write(EVE_LOG, alert); });
        const [rec] = await store.records(ID_A, 'alert');
        assert.deepEqual(rec.doc, JSON.parse(JSON.stringify(alert)));
        assert.equal(rec.ts, 1700000001.25);
        assert.equal(rec.communityId, '1:abc=');
        const byDomain = await store.pivot('domain', 'evil.example');
        assert.deepEqual(byDomain.map((h) => [h.log, h.field]), [['alert', 'http.hostname']]);
        assert.equal((await store.pivot('url', 'http://EVIL.example./payload.bin')).length, 1, 'scheme dropped, host lower-cased');
        assert.equal((await store.pivot('url', 'evil.example./payload.BIN')).length, 0, 'the path keeps its case');
        assert.equal((await store.pivot('ja3', 'abcdef0123')).length, 1);
        assert.equal((await store.pivot('ip', '::ffff:198.51.100.7')).length, 1, 'IPv4-mapped input finds the IPv4 address');
        assert.equal((await store.pivot('community_id', '1:abc=')).length, 1);
      } finally {
        await store.close();
      }
    });

    it('pivots across captures: one domain in two captures, newest first, normalised input', async () => {
      const store = await open();
      try {
        const a = await importCaptureFile(store, pcap('link-ipv4-linktype228.pcap'));
        const b = await importCaptureFile(store, pcap('link-raw-ipv6.pcap'));
        const hits = await store.pivot('domain', 'EXAMPLE.com.');
        const caps = new Set(hits.map((h) => h.capture.id));
        assert.deepEqual([...caps].sort(), [a.captureId, b.captureId].sort());
        for (const h of hits) {
          assert.equal(h.log, 'dns');
          assert.equal(h.field, 'query');
          assert.equal((h.record.doc.query as string).toLowerCase(), 'example.com');
          assert.equal(h.record.captureId, h.capture.id);
        }
        assert.equal(hits[0].capture.id, b.captureId, 'most recently stored first');
        // By uid: the record's own uid column.
        const uid = hits[0].record.uid!;
        const byUid = await store.pivot('uid', uid);
        assert.ok(byUid.length >= 2, 'dns and conn share the uid');
        assert.ok(byUid.every((h) => h.record.uid === uid));
        // Unknown and invalid values find nothing rather than failing.
        assert.deepEqual(await store.pivot('domain', 'nowhere.invalid'), []);
        assert.deepEqual(await store.pivot('ip', 'not an address'), []);
        const page = await store.pivot('domain', 'example.com', { limit: 1, offset: 1 });
        assert.equal(page.length, 1);
        assert.equal(page[0].record.id, hits[1].record.id);
      } finally {
        await store.close();
      }
    });

    it('a value in more records than one observables row holds: every hit once, pages that add up, counts that agree', async () => {
      const store = await open();
      try {
        const n = OBSERVABLE_ROW_IDS_MAX * 2 + 37; // three rows for the host, and for each address
        const older = await store.importCapture(meta(ID_A, 'older'), async (sink) => { sink.write(HTTP_LOG, httpRec('many.example')); });
        const r = await store.importCapture(meta(ID_B, 'many'), async (sink) => {
          for (let i = 0; i < n; i++) sink.write(HTTP_LOG, httpRec(i % 2 === 0 ? 'many.example' : 'MANY.example.', { uid: `CMany${i}` }));
        });
        assert.equal(r.records, n);
        assert.equal(older.records, 1);
        const all = await store.pivot('host', 'many.example', { limit: 10_000 });
        assert.equal(all.length, n + 1);
        assert.equal(new Set(all.map((h) => h.record.id)).size, n + 1, 'no record twice');
        assert.ok(all.slice(0, n).every((h) => h.capture.id === ID_B && h.field === 'host'), 'the newest capture first');
        assert.equal(all[n].capture.id, ID_A);
        const paged = [];
        for (let offset = 0; offset < n + 1; offset += 1000) paged.push(...await store.pivot('host', 'many.example', { limit: 1000, offset }));
        assert.deepEqual(paged.map((h) => h.record.id), all.map((h) => h.record.id), 'pages add up to the whole');
        assert.deepEqual((await store.search('http.host:many.example | count')).aggregation, [{ count: n + 1 }]);
        assert.deepEqual((await store.search('http.host:many.example AND log:http | count')).aggregation, [{ count: n + 1 }]);
        assert.equal((await store.search('http.host:many.example', { limit: 10_000 })).rows?.length, n + 1);
        assert.equal((await store.pivot('ip', '192.0.2.80', { limit: 10_000 })).length, n + 1);
        assert.equal(await store.deleteCapture(ID_B), true);
        assert.equal((await store.pivot('host', 'many.example', { limit: 10_000 })).length, 1);
      } finally {
        await store.close();
      }
    });

    it('searches through the query language: rows, aggregations, errors with a position', async () => {
      const store = await open();
      try {
        const a = await importCaptureFile(store, pcap('link-ipv4-linktype228.pcap'));
        await importCaptureFile(store, pcap('http-get-simple.pcap'));
        const found = await store.search('dns.query:EXAMPLE.com');
        assert.equal(found.error, undefined);
        assert.ok(found.rows && found.rows.length >= 1);
        for (const r of found.rows) {
          assert.equal(r.log, 'dns');
          assert.equal(r.captureId, a.captureId);
          assert.equal((r.doc.query as string).toLowerCase(), 'example.com');
        }
        const counts = await store.search('log:conn OR log:dns | count by log');
        assert.ok(counts.aggregation);
        const byLog = new Map(counts.aggregation.map((g) => [g.key, g.count]));
        assert.equal(byLog.get('dns'), (await store.records(a.captureId, 'dns')).length);
        assert.ok((byLog.get('conn') ?? 0) >= 2);
        const paged = await store.search('log:conn', { limit: 1 });
        assert.equal(paged.rows?.length, 1);
        const bad = await store.search('dns.query:');
        assert.ok(bad.error);
        assert.equal(bad.error.position, 'dns.query:'.length);
        const sql = await store.search(`"'; DROP TABLE records; --"`);
        assert.deepEqual(sql.rows, []);
        assert.equal((await store.captures()).length, 2);
      } finally {
        await store.close();
      }
    });

    it('re-importing a capture replaces it, never doubles', async () => {
      const store = await open();
      try {
        const file = pcap('http-get-simple.pcap');
        const first = await importCaptureFile(store, file);
        const before = await store.records(first.captureId, 'http');
        const second = await importCaptureFile(store, file, { name: 'again.pcap' });
        assert.equal(first.replaced, false);
        assert.equal(second.replaced, true);
        assert.equal(second.records, first.records);
        const caps = await store.captures();
        assert.equal(caps.length, 1);
        assert.equal(caps[0].name, 'again.pcap');
        const after = await store.records(first.captureId, 'http');
        assert.equal(after.length, before.length);
        assert.deepEqual(after.map((r) => r.doc), before.map((r) => r.doc));
        const host = before[0].doc.host as string;
        assert.equal((await store.pivot('host', host)).length, before.filter((r) => r.doc.host === host).length);
      } finally {
        await store.close();
      }
    });

    it('a failed import leaves nothing half-written and the previous version intact', async () => {
      const store = await open();
      try {
        await store.importCapture(meta(ID_A, 'v1'), async (sink) => {
          sink.write(HTTP_LOG, httpRec('first.example'));
        });
        const boom = new Error('engine failed midway');
        await assert.rejects(store.importCapture(meta(ID_A, 'v2'), async (sink) => {
          for (let i = 0; i < 1000; i++) sink.write(HTTP_LOG, httpRec(`second-${i}.example`));
          await new Promise((r) => setTimeout(r, 5));
          throw boom;
        }), boom);
        await assert.rejects(store.importCapture(meta(ID_B, 'new'), async (sink) => {
          sink.write(HTTP_LOG, httpRec('third.example'));
          throw boom;
        }), boom);
        const caps = await store.captures();
        assert.deepEqual(caps.map((c) => c.name), ['v1']);
        const recs = await store.records(ID_A, 'http');
        assert.deepEqual(recs.map((r) => r.doc.host), ['first.example']);
        assert.equal((await store.pivot('host', 'first.example')).length, 1);
        assert.equal((await store.pivot('host', 'second-1.example')).length, 0);
        assert.equal((await store.pivot('host', 'third.example')).length, 0);
        assert.equal(await store.capture(ID_B), undefined);
        if (hooks.rowsOf) {
          const rows = await hooks.rowsOf(store, ID_B);
          for (const [table, n] of Object.entries(rows)) assert.equal(n, 0, `${table} rows of the failed import`);
        }
        // The store still works after a failure.
        const ok = await store.importCapture(meta(ID_B, 'retry'), async (sink) => { sink.write(HTTP_LOG, httpRec('third.example')); });
        assert.equal(ok.records, 1);
      } finally {
        await store.close();
      }
    });

    it('MD5 and SHA-1 computed while the records are produced (an upload\'s job) are committed from produce\'s facts; an import with neither fails whole', async () => {
      const store = await open();
      try {
        const { md5, sha1, ...bare } = meta(ID_A, 'late hashes');
        await store.importCapture(bare, async (sink) => { sink.write(HTTP_LOG, httpRec('late.example')); return { md5, sha1 }; });
        const row = await store.capture(ID_A);
        assert.equal(row?.md5, md5);
        assert.equal(row?.sha1, sha1);
        assert.equal((await store.capture(md5!))?.id, ID_A, 'found by its MD5');
        await assert.rejects(store.importCapture({ ...bare, id: ID_B }, async (sink) => { sink.write(HTTP_LOG, httpRec('nohash.example')); }), /MD5 or SHA-1 of capture b+ is unknown/);
        assert.equal(await store.capture(ID_B), undefined);
        assert.equal((await store.pivot('host', 'nohash.example')).length, 0);
      } finally {
        await store.close();
      }
    });

    it('stores hostile strings unchanged and finds them: quotes, NUL, 1 MB values, unicode, SQL', async () => {
      const store = await open();
      try {
        const hostile = [
          `'; DROP TABLE records; --`, `"quoted" and 'single' and \`back\``, 'nul\u0000inside', 'ünïcödé — 東京 — 🦈 — \u202eRTL',
          'x'.repeat(1 << 20), '\\x00\\xff escaped', '%_*? like wildcards', '<script>alert(1)</script>', '\ud800 lone surrogate',
        ];
        await store.importCapture(meta(ID_A), async (sink) => {
          for (const [i, s] of hostile.entries()) sink.write(HTTP_LOG, httpRec(`h${i}.example`, { user_agent: s, uri: '/' + s }));
          sink.write(DNS_LOG, { ts: 1, uid: 'CDns00000000000001', 'id.orig_h': '10.0.0.1', 'id.orig_p': 1, 'id.resp_h': '10.0.0.2', 'id.resp_p': 53, proto: 'udp', query: hostile[0] });
        });
        const recs = await store.records(ID_A, 'http', { limit: 100 });
        assert.equal(recs.length, hostile.length);
        const byHost = new Map(recs.map((r) => [r.doc.host, r.doc]));
        for (const [i, s] of hostile.entries()) {
          const doc = byHost.get(`h${i}.example`)!;
          // What JSON can carry: a lone surrogate becomes U+FFFD in every JSON writer's UTF-8.
          const want = JSON.parse(JSON.stringify(s)) as string;
          if (s.includes('\ud800')) assert.equal(typeof doc.user_agent, 'string');
          else assert.equal(doc.user_agent, want, `value ${i}`);
          if (!s.includes('\ud800')) {
            const hits = await store.pivot('user_agent', s);
            assert.equal(hits.length, 1, `pivot on value ${i}`);
            assert.equal(hits[0].record.doc.user_agent, s);
          }
        }
        const [dns] = await store.records(ID_A, 'dns');
        assert.equal(dns.doc.query, hostile[0]);
        // A 1 MB value is cut at the same place for indexing and for the pivot: a different tail still matches the prefix.
        assert.equal((await store.pivot('user_agent', 'x'.repeat(1 << 20) + 'y')).length, 1);
        assert.equal((await store.captures()).length, 1, 'the tables are still there');
      } finally {
        await store.close();
      }
    });

    it('delete removes the capture and everything derived from it, and nothing of the others', async () => {
      const store = await open();
      try {
        const gone = await importCaptureFile(store, pcap('smtp-zip-attachment.pcap'));
        const kept = await importCaptureFile(store, pcap('http-get-simple.pcap'));
        const files = await store.records(gone.captureId, 'files');
        assert.ok(files.length > 0);
        const sha = files.find((f) => typeof f.doc.sha256 === 'string')?.doc.sha256 as string;
        assert.ok(sha);
        assert.equal((await store.pivot('sha256', sha)).length > 0, true);
        const keptHttp = await store.records(kept.captureId, 'http');
        assert.equal(await store.deleteCapture(gone.captureId.slice(0, 12)), true, 'by id prefix');
        assert.equal(await store.capture(gone.captureId), undefined);
        assert.deepEqual(await store.records(gone.captureId, 'conn'), []);
        assert.deepEqual(await store.pivot('sha256', sha), []);
        assert.deepEqual((await store.captures()).map((c) => c.id), [kept.captureId]);
        assert.deepEqual(await store.records(kept.captureId, 'http'), keptHttp);
        if (hooks.rowsOf) {
          const rows = await hooks.rowsOf(store, gone.captureId);
          assert.ok(Object.keys(rows).length >= 4);
          for (const [table, n] of Object.entries(rows)) assert.equal(n, 0, `${table} rows left`);
        }
        assert.equal(await store.deleteCapture(gone.captureId), false);
        assert.equal(await store.deleteCapture('not-a-hash'), false);
      } finally {
        await store.close();
      }
    });

    it('looks captures up by sha256, md5, sha1 and prefix; pages and filters the list', async () => {
      const store = await open();
      try {
        const r = await importCaptureFile(store, pcap('http-get-simple.pcap'), { submitter: 'alice', visibility: 'public' });
        await store.importCapture(meta(ID_A), async () => undefined);
        const d = r.digest;
        for (const key of [d.sha256, d.md5, d.sha1.toUpperCase(), d.sha256.slice(0, 10)]) assert.equal((await store.capture(key))?.id, d.sha256, key);
        assert.equal(await store.capture('aaaa'), undefined, 'too short a prefix');
        assert.equal(await store.capture("' OR 1=1 --"), undefined);
        assert.equal((await store.captures()).length, 2);
        assert.deepEqual((await store.captures({ submitter: 'alice' })).map((c) => c.id), [d.sha256]);
        assert.deepEqual((await store.captures({ visibility: 'private' })).map((c) => c.id), [ID_A]);
        assert.equal((await store.captures({ limit: 1 })).length, 1);
        const cap = (await store.capture(d.sha256))!;
        assert.equal(cap.format, 'pcap');
        assert.deepEqual(cap.linkTypes, [1]);
        assert.ok(cap.firstTs! <= cap.lastTs!);
        assert.equal((cap.stats as { packets: number }).packets, cap.packets);
        const empty = (await store.capture(ID_A))!;
        assert.equal(empty.recordCount, 0);
      } finally {
        await store.close();
      }
    });

    it('viewers: private captures exist only for their submitter and admins, in every lookup, page and count', async () => {
      const store = await open();
      try {
        const KEY_A = 'key_aaaaaaaaaaaa';
        const KEY_B = 'key_bbbbbbbbbbbb';
        // Ids sharing an 8-digit prefix: a prefix lookup must not see the hidden one as a second match.
        const PUB = 'c'.repeat(64);
        const PRIV_A = 'c'.repeat(63) + 'a';
        const PRIV_B = 'd'.repeat(64);
        const fill = (id: string, n: number, extra: Partial<CaptureMeta>) => store.importCapture({ ...meta(id, id.slice(-1)), md5: id.slice(32), ...extra }, async (sink) => {
          for (let i = 0; i < n; i++) sink.write(HTTP_LOG, httpRec('shared.example', { uid: `CShared${id.slice(-1)}${String(i).padStart(10, '0')}` }));
          sink.write(HTTP_LOG, httpRec(`only-${id.slice(-1)}.example`, { uid: 'CSameUidEverywhere0' }));
        });
        // Private captures imported after the public one hold the newest records: a post-filtered page would come back short.
        await fill(PUB, 5, { visibility: 'public' });
        await fill(PRIV_A, 30, { visibility: 'private', submitter: KEY_A });
        await fill(PRIV_B, 20, { visibility: 'private', submitter: KEY_B });
        const views: [string, Viewer | undefined, string[]][] = [
          ['anonymous', ANONYMOUS, [PUB]],
          ['key A', { keyId: KEY_A }, [PUB, PRIV_A]],
          ['key B', { keyId: KEY_B }, [PUB, PRIV_B]],
          ['an unknown key', { keyId: 'key_000000000000' }, [PUB]],
          ['an admin key', { keyId: 'key_adminadmin00', admin: true }, [PUB, PRIV_A, PRIV_B]],
          ['local admin', LOCAL_ADMIN, [PUB, PRIV_A, PRIV_B]],
          ['omitted (the CLI)', undefined, [PUB, PRIV_A, PRIV_B]],
        ];
        const perCapture = new Map([[PUB, 6], [PRIV_A, 31], [PRIV_B, 21]]);
        for (const [who, viewer, visible] of views) {
          const sees = new Set(visible);
          const total = visible.reduce((n, id) => n + perCapture.get(id)!, 0);
          assert.deepEqual((await store.captures({ viewer })).map((c) => c.id).sort(), [...visible].sort(), who);
          assert.deepEqual((await store.captures({ viewer, visibility: 'private' })).map((c) => c.id).sort(), visible.filter((id) => id !== PUB).sort(), who);
          for (const id of [PUB, PRIV_A, PRIV_B]) {
            assert.equal((await store.capture(id, viewer))?.id, sees.has(id) ? id : undefined, `${who} looks up ${id.slice(-4)}`);
            assert.equal((await store.capture(id.slice(32), viewer))?.id, sees.has(id) ? id : undefined, `${who} by md5`);
            assert.equal((await store.records(id, 'http', { viewer })).length, sees.has(id) ? perCapture.get(id) : 0, `${who} reads ${id.slice(-4)}`);
          }
          // 'cccccccc' names PUB and PRIV_A: unique for whoever cannot see PRIV_A, ambiguous for the rest.
          assert.equal((await store.capture('cccccccc', viewer))?.id, sees.has(PRIV_A) ? undefined : PUB, `${who} by prefix`);
          // Pages stay full and hold only visible captures' records.
          const page = await store.search('http.host:shared.example', { viewer, limit: 4 });
          assert.equal(page.rows?.length, 4, who);
          assert.ok(page.rows.every((r) => sees.has(r.captureId)), who);
          const all = await store.search('http.host:shared.example OR shared', { viewer, limit: 1000 });
          assert.deepEqual([...new Set(all.rows!.map((r) => r.captureId))].sort(), [...visible].sort(), `${who}: rows`);
          const count = await store.search('log:http | count', { viewer });
          assert.deepEqual(count.aggregation, [{ count: total }], `${who}: count`);
          // Counted from the observables index alone: each row's capture checked, not each record's.
          const hostCount = await store.search('http.host:SHARED.example | count', { viewer });
          assert.deepEqual(hostCount.aggregation, [{ count: total - visible.length }], `${who}: count from the index`);
          const byCapture = await store.search('log:http | count by capture', { viewer });
          assert.deepEqual(new Map(byCapture.aggregation!.map((g) => [g.key, g.count])), new Map(visible.map((id) => [id, perCapture.get(id)])), `${who}: count by capture`);
          const top = await store.search('* | top 10 http.host', { viewer });
          assert.deepEqual(top.aggregation!.map((g) => g.key).sort(), ['shared.example', ...visible.map((id) => `only-${id.slice(-1)}.example`)].sort(), `${who}: top`);
          // Pivots: through the observables index, and through the uid column.
          const hits = await store.pivot('domain', 'shared.example', { viewer, limit: 3 });
          assert.equal(hits.length, 3, who);
          assert.ok(hits.every((h) => sees.has(h.capture.id)), who);
          const allHits = await store.pivot('domain', 'SHARED.example.', { viewer, limit: 1000 });
          assert.equal(allHits.length, total - visible.length, `${who}: pivot count`);
          const uidHits = await store.pivot('uid', 'CSameUidEverywhere0', { viewer });
          assert.deepEqual(uidHits.map((h) => h.capture.id).sort(), [...visible].sort(), `${who}: uid pivot`);
        }
      } finally {
        await store.close();
      }
    });

    it('API keys: created with a secret shown once, found by the secret only, listed, revoked for good', async () => {
      const store = await open();
      try {
        const a = await store.createKey('analyst \u0000<b>one</b>');
        const admin = await store.createKey('ops', { admin: true });
        assert.match(a.secret, /^cdx_[A-Za-z0-9_-]{43}$/);
        assert.match(a.key.id, /^key_[0-9a-f]{12}$/);
        assert.notEqual(a.secret, admin.secret);
        assert.equal(a.key.name, 'analyst <b>one</b>', 'control characters dropped, the rest kept as text');
        assert.equal(a.key.admin, false);
        assert.equal(admin.key.admin, true);
        assert.deepEqual(await store.keyBySecret(a.secret), a.key);
        assert.deepEqual(await store.keyBySecret(admin.secret), admin.key);
        for (const wrong of [a.secret.slice(0, -1), a.secret + 'x', a.secret.toUpperCase(), '', a.key.id, "' OR 1=1 --", 'cdx_' + 'A'.repeat(10_000)]) {
          assert.equal(await store.keyBySecret(wrong), undefined, wrong.slice(0, 40));
        }
        assert.deepEqual((await store.keys()).map((k) => k.id).sort(), [a.key.id, admin.key.id].sort());
        assert.ok(!JSON.stringify(await store.keys()).includes(a.secret), 'secrets are never listed');
        await assert.rejects(store.createKey(' \u0001 '), /name/);
        assert.equal(await store.revokeKey(a.key.id), true);
        assert.equal(await store.revokeKey(a.key.id), false, 'already revoked');
        assert.equal(await store.revokeKey('key_nonexistent0'), false);
        const revoked = await store.keyBySecret(a.secret);
        assert.ok(revoked?.revokedAt !== undefined && revoked.revokedAt >= a.key.createdAt);
        assert.equal((await store.keyBySecret(admin.secret))?.revokedAt, undefined);
        assert.equal((await store.keys()).find((k) => k.id === a.key.id)?.revokedAt, revoked.revokedAt);
      } finally {
        await store.close();
      }
    });
  });
  logViewSuite(backend, open);
  captureTimeSuite(backend, open);
}
