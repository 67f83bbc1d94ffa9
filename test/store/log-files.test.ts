/**
 * Logs made elsewhere into the store: Zeek directories (JSON and TSV, written here by our own
 * `analyze`, whose output follows Zeek's formats) and Suricata eve.json alerts, hostile lines included.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/engine/pipeline.js';
import { FileSink } from '../../src/engine/logs/file-sink.js';
import { EVE_LOG, eveAlert } from '../../src/engine/detect/eve-log.js';
import { openStore } from '../../src/store/store.js';
import { boundedLines, hashFiles, newLogImportStats, produceEveFile, produceZeekDir, zeekLogFiles } from '../../src/store/log-files.js';
import { pcap } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'capdex-logfiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function logsOf(capture: string, format: 'json' | 'tsv'): Promise<{ dir: string; counts: Record<string, number> }> {
  const out = join(dir, `${format}-logs`);
  const sink = new FileSink(out, format);
  await analyze(pcap(capture), sink);
  const counts = sink.counts();
  sink.close();
  return { dir: out, counts };
}

async function importZeek(logDir: string, db: string) {
  const store = await openStore({ sqlite: join(dir, db, 'capdex.db') });
  const files = zeekLogFiles(logDir);
  const stats = newLogImportStats();
  const meta = { ...(await hashFiles(files)), name: 'zeek' };
  const r = await store.importCapture(meta, (sink) => produceZeekDir(files, sink, stats));
  return { store, r, stats, id: meta.id };
}

describe('Zeek and EVE files into the store', () => {
  it('imports a Zeek TSV directory: every row, typed values, observables', async () => {
    const { dir: logs, counts } = await logsOf('mixed-arkime-synthetic-many-protocols.pcap', 'tsv');
    const { store, r, stats, id } = await importZeek(logs, 'tsv');
    try {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      assert.equal(r.records, total);
      assert.equal(stats.badLines, 0);
      const conns = await store.records(id, 'conn', { limit: 10_000 });
      assert.equal(conns.length, counts.conn);
      const c = conns[0];
      assert.equal(typeof c.doc.ts, 'number');
      assert.equal(typeof c.doc['id.orig_p'], 'number');
      assert.equal(c.ts, c.doc.ts);
      assert.ok(!Object.values(c.doc).includes('-'), 'unset fields are left out');
      const dns = await store.records(id, 'dns', { limit: 10_000 });
      assert.ok(dns.some((d) => Array.isArray(d.doc.answers)));
      const hits = await store.pivot('ip', c.doc['id.resp_h'] as string);
      assert.ok(hits.some((h) => h.record.id === c.id));
    } finally {
      await store.close();
    }
  });

  it('imports a Zeek JSON directory verbatim, unknown keys and ISO timestamps included', async () => {
    const { dir: logs, counts } = await logsOf('link-ipv4-linktype228.pcap', 'json');
    appendFileSync(join(logs, 'dns.log'), '{"ts":"2024-01-02T03:04:05.250000Z","uid":"CZeek","id.orig_h":"10.9.9.9","query":"Zeek.Example","zeek_only_field":[1,2]}\n' +
      'not json\n[1,2]\n\n');
    writeFileSync(join(logs, 'custom.log'), '{"ts":1,"id.resp_h":"192.0.2.55","what":"a log we have no schema for"}\n');
    const { store, r, stats, id } = await importZeek(logs, 'json');
    try {
      assert.equal(r.records, Object.values(counts).reduce((a, b) => a + b, 0) + 2);
      assert.equal(stats.badLines, 2);
      const [zeek] = (await store.records(id, 'dns')).filter((d) => d.uid === 'CZeek');
      assert.deepEqual(zeek.doc.zeek_only_field, [1, 2]);
      assert.equal(zeek.ts, Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 + 0.25);
      assert.equal((await store.pivot('domain', 'zeek.example')).length, 1);
      assert.equal((await store.pivot('ip', '192.0.2.55'))[0].log, 'custom');
    } finally {
      await store.close();
    }
  });

  it('imports the alerts of an eve.json and counts what it leaves out', async () => {
    const eve = join(dir, 'eve.json');
    const alert = eveAlert({
      ts: 1700000000, where: { uid: 'CEve', origH: '10.0.0.1', origP: 1, respH: '203.0.113.9', respP: 443, communityId: '1:x', isOrig: true, transport: 'tcp' },
      alert: { action: 'allowed', gid: 1, signature_id: 9, rev: 1, signature: 'sig', category: 'c', severity: 1 },
    });
    writeFileSync(eve, JSON.stringify(alert) + '\n{"event_type":"flow","src_ip":"1.1.1.1"}\n{broken\n' + JSON.stringify({ ...alert, uid: 'CEve2' }) + '\n');
    const store = await openStore({ sqlite: join(dir, 'eve', 'capdex.db') });
    try {
      const stats = newLogImportStats();
      const meta = { ...(await hashFiles([eve])), name: 'eve.json' };
      const r = await store.importCapture(meta, (sink) => produceEveFile(eve, sink, stats));
      assert.equal(r.records, 2);
      assert.deepEqual([stats.skippedEvents, stats.badLines], [1, 1]);
      const recs = await store.records(meta.id, 'alert');
      assert.deepEqual(recs.map((x) => x.uid).sort(), ['CEve', 'CEve2']);
      assert.deepEqual(recs.find((x) => x.uid === 'CEve')!.doc, JSON.parse(JSON.stringify(alert)));
      assert.equal((await store.pivot('ip', '203.0.113.9')).length, 2);
      assert.equal(EVE_LOG.path, 'eve');
    } finally {
      await store.close();
    }
  });

  it('caps line length: an endless line is skipped whole, the next one is read', async () => {
    const f = join(dir, 'long.log');
    writeFileSync(f, 'a'.repeat(5000) + '\nshort\n' + 'b'.repeat(3000));
    const lines: (string | undefined)[] = [];
    for await (const l of boundedLines(f, 1000)) lines.push(l);
    assert.deepEqual(lines, [undefined, 'short', undefined]);
    mkdirSync(join(dir, 'empty'));
    assert.deepEqual(zeekLogFiles(join(dir, 'empty')), []);
  });
});
