/**
 * YARA retro-hunts on both backends (SQLite, and PostgreSQL from scripts/pg.sh): real captures
 * analysed by the engine with extraction, their files kept in a real blob folder as the worker keeps
 * them, then the real YARA worker over them. tshark is the oracle for the files themselves (its
 * HTTP and FTP-DATA object exports, hashed here); the store's files.log records for their names and
 * uids. A rule that matches nothing stays silent; a private capture is read for its owner only; a
 * rule that does not compile is refused with its line before any hunt exists; deleting a capture
 * deletes its rows from the results table (read with SQL on each backend).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { analyze } from '../../src/engine/pipeline.js';
import { FolderBlobStore } from '../../src/store/blobs/folder-blobs.js';
import { openStore, type Store, type Viewer } from '../../src/store/store.js';
import { extractionFor } from '../../src/jobs/extracted-files.js';
import { countYaraRules, HuntsBusyError, RetroHunts, RuleSetError, type Hunt } from '../../src/jobs/retro-hunt.js';
import { yaraSid } from '../../src/engine/detect/yara/yara-scanner.js';
import { testServer, type TestServer } from '../store/pg-server.js';
import { pcap } from '../helpers.js';

const OWNER: Viewer = { keyId: 'key_00000000y001' };
const OTHER: Viewer = { keyId: 'key_00000000y002' };

const RULES = `
rule java_exploit_class : java exploit {
  strings:
    $pb = "java/lang/ProcessBuilder"
    $sh = "/bin/sh"
  condition:
    uint32be(0) == 0xCAFEBABE and all of them
}
rule store_csv : csv
{
  strings: $h = "StoreID,SKF,QTY"
  condition: $h at 0
}
private rule digits { strings: $d = "123456" condition: $d at 0 }
rule uploaded_digits : upload { condition: digits and filesize == 6 }
rule never_matches { strings: $a = "capdex: no capture carries this string 5f1c0e" condition: $a }
`;

let dir: string;
let pgServer: TestServer | undefined;
/** The files tshark exports from a capture (`--export-objects PROTO`), by SHA-256: the oracle. */
const tsharkFiles = (file: string, proto: string): Map<string, Buffer> => {
  const out = mkdtempSync(join(dir, 'tshark-'));
  execFileSync('tshark', ['-r', pcap(file), '-q', '--export-objects', `${proto},${out}`], { stdio: 'ignore' });
  return new Map(readdirSync(out).map((f) => {
    const b = readFileSync(join(out, f));
    return [createHash('sha256').update(b).digest('hex'), b];
  }));
};

before(() => { dir = mkdtempSync(join(tmpdir(), 'capdex-yara-hunt-')); });
after(async () => {
  await pgServer?.release();
  rmSync(dir, { recursive: true, force: true });
});

test('countYaraRules counts rule declarations, private and global ones too', () => {
  assert.equal(countYaraRules(RULES), 5);
  assert.equal(countYaraRules('// rule x in a comment is counted only at a line start\nglobal private rule a { condition: true }'), 1);
});

interface Backend { name: string; open(): Promise<{ store: Store; rows(captureId: string): Promise<number> }> }

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const path = join(dir, 'capdex.db');
      const store = await openStore({ sqlite: path });
      return {
        store,
        async rows(captureId) {
          const db = new Database(path, { readonly: true });
          try {
            return (db.prepare('SELECT count(*) AS n FROM retro_hunt_results WHERE capture_id = ?').get(captureId) as { n: number }).n;
          } finally { db.close(); }
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      pgServer ??= await testServer();
      const url = await pgServer.database();
      const store = await openStore({ pg: url });
      return {
        store,
        async rows(captureId) {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          try {
            return Number((await c.query('SELECT count(*) AS n FROM retro_hunt_results WHERE capture_id = $1', [captureId])).rows[0].n);
          } finally { await c.end(); }
        },
      };
    },
  },
];

for (const backend of BACKENDS) {
  describe(`YARA retro-hunt (${backend.name})`, () => {
    let store: Store;
    let rows: (captureId: string) => Promise<number>;
    let blobs: FolderBlobStore;
    let hunts: RetroHunts;
    const ids: Record<string, string> = {};

    /** Imports a capture as the analysis worker does: engine with extraction, files kept in the blob store. */
    const importCapture = async (file: string, visibility: 'public' | 'private', submitter?: string): Promise<string> => {
      const d = await blobs.put(createReadStream(pcap(file)));
      const extraction = (await extractionFor(blobs.localPath(d.sha256)))!;
      try {
        await store.importCapture({ id: d.sha256, md5: d.md5, sha1: d.sha1, size: d.size, name: file, visibility, submitter, format: 'pcap' }, async (sink) => {
          await analyze(blobs.localPath(d.sha256), sink, { engine: { extractDir: extraction.extractDir }, heuristics: false });
          await extraction.keep(sink, undefined);
          return {};
        });
      } finally {
        await extraction.cleanup();
      }
      return d.sha256;
    };

    const finished = async (h: Hunt, viewer: Viewer): Promise<Hunt> => {
      for (let i = 0; i < 600; i++) {
        const now = await hunts.get(h.id, viewer);
        if (now && now.status !== 'running') return now;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the hunt did not finish: ${JSON.stringify(await hunts.get(h.id, viewer))}`);
    };

    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      rows = opened.rows;
      blobs = await FolderBlobStore.open(join(dir, `blobs-${backend.name}`));
      hunts = new RetroHunts(store, blobs);
      ids.log4j = await importCapture('link-sll-http-log4j-exploit.pcap', 'public');
      ids.ftp = await importCapture('ftp-data-transfer.pcapng', 'public');
      ids.dns = await importCapture('dns-tcp.pcap', 'public');
      ids.upload = await importCapture('http-post-upload.pcap', 'private', OWNER.keyId);
    });
    after(async () => {
      await hunts.close();
      await store.close();
    });

    test('a rule set that does not compile is refused with the compiler\'s message and line; no hunt is kept; compiling hunts count as running', async () => {
      await assert.rejects(hunts.start('rule a { strings: $x = "abc"\n condition: $y }', {}, OWNER, 'yara'), (e: unknown) => {
        assert.ok(e instanceof RuleSetError);
        assert.match(e.message, /^line 2 column 13: .*unknown pattern `\$y`/);
        return true;
      });
      await assert.rejects(hunts.start('include "/etc/passwd"\nrule a { condition: true }', {}, OWNER, 'yara'), /line 1 .*include/);
      assert.deepEqual(await hunts.list(OWNER), []);
      // Hunts still compiling hold their slot: of three started at once, one is refused.
      const three = await Promise.allSettled([0, 1, 2].map(() => hunts.start(RULES, {}, OWNER, 'yara')));
      assert.equal(three.filter((r) => r.status === 'rejected' && r.reason instanceof HuntsBusyError).length, 1);
      for (const r of three) if (r.status === 'fulfilled') assert.equal((await finished(r.value, OWNER)).status, 'done');
    });

    test('matches by capture: each matched file by SHA-256 with its names, uids, fuids, rules and tags (tshark\'s exports as oracle)', async () => {
      const classes = [...tsharkFiles('link-sll-http-log4j-exploit.pcap', 'http')].filter(([, b]) => b.readUInt32BE(0) === 0xcafebabe);
      assert.equal(classes.length, 1, 'tshark exports one distinct Java class');
      const [[classSha]] = classes;
      const csvs = [...tsharkFiles('ftp-data-transfer.pcapng', 'ftp-data')].filter(([, b]) => b.subarray(0, 15).toString() === 'StoreID,SKF,QTY');
      assert.equal(csvs.length, 1);
      const [[csvSha]] = csvs;

      const started = await hunts.start(RULES, {}, OTHER, 'yara');
      assert.equal(started.kind, 'yara');
      assert.equal(started.rules, 5);
      assert.equal(started.total, 3, 'the private capture is not read for another key');
      const theirs = await finished(started, OTHER);
      assert.equal(theirs.status, 'done', theirs.error);
      assert.equal(theirs.done, 3);
      assert.deepEqual(theirs.errors, []);
      assert.deepEqual(theirs.matches.map((m) => m.captureId).sort(), [ids.log4j, ids.ftp].sort());

      const log4j = theirs.matches.find((m) => m.captureId === ids.log4j)!;
      assert.equal(log4j.name, 'link-sll-http-log4j-exploit.pcap');
      assert.deepEqual(log4j.alerts, [{ sid: yaraSid('java_exploit_class'), msg: 'YARA java_exploit_class', count: 1 }]);
      assert.equal(log4j.files?.length, 1);
      const [cls] = log4j.files!;
      assert.equal(cls.sha256, classSha);
      assert.deepEqual(cls.rules, [{ rule: 'java_exploit_class', tags: ['java', 'exploit'] }]);
      // The class was fetched twice, over two connections: both sightings are named.
      const sightings = (await store.records(ids.log4j, 'files', { limit: 100 })).filter((r) => r.doc.sha256 === classSha);
      assert.equal(sightings.length, 2);
      assert.deepEqual([...cls.uids].sort(), sightings.map((r) => String(r.doc.uid)).sort());
      assert.deepEqual([...cls.fuids].sort(), sightings.map((r) => String(r.doc.fuid)).sort());
      assert.equal(new Set(cls.uids).size, 2);

      const ftp = theirs.matches.find((m) => m.captureId === ids.ftp)!;
      assert.deepEqual(ftp.files?.map((f) => [f.sha256, f.rules]), [[csvSha, [{ rule: 'store_csv', tags: ['csv'] }]]]);
      assert.ok(!theirs.matches.some((m) => m.alerts.some((a) => a.msg === 'YARA never_matches')), 'the rule that matches nothing stays silent');

      // The owner's hunt reads the private upload too: the private rule's dependant names the 6-byte file with its name.
      const mine = await finished(await hunts.start(RULES, {}, OWNER, 'yara'), OWNER);
      assert.equal(mine.total, 4);
      const upload = mine.matches.find((m) => m.captureId === ids.upload);
      assert.deepEqual(upload?.files?.map((f) => [f.sha256, f.names, f.rules]),
        [[createHash('sha256').update('123456').digest('hex'), ['123.doc(5).exe'], [{ rule: 'uploaded_digits', tags: ['upload'] }]]]);

      // What the store keeps is what was served from memory.
      let stored = await store.intel.hunts.get(theirs.id, OTHER);
      for (let i = 0; i < 100 && stored?.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50)); // the end state is written just after the last result
        stored = await store.intel.hunts.get(theirs.id, OTHER);
      }
      assert.deepEqual(stored, theirs);
      assert.deepEqual((await hunts.list(OTHER)).map((h) => [h.kind, h.matches, h.errors]), [['yara', 2, 0]]);
    });

    test('a Suricata hunt is still one by default (kind suricata), and deleting a capture removes its hunt results', async () => {
      const suricata = await finished(await hunts.start(
        'alert http any any -> any any (msg:"HUNT exploit class"; http.uri; content:"/Exploit.class"; sid:7200001; rev:1;)', {}, OWNER), OWNER);
      assert.equal(suricata.kind, 'suricata');
      assert.deepEqual(suricata.matches.map((m) => m.captureId), [ids.log4j]);
      assert.equal(suricata.matches[0].files, undefined);

      const yara = await finished(await hunts.start(RULES, {}, OWNER, 'yara'), OWNER);
      assert.ok(yara.matches.some((m) => m.captureId === ids.log4j));
      assert.ok((await rows(ids.log4j)) >= 3, 'the YARA and Suricata hunts kept rows of the capture');
      const ftpRows = await rows(ids.ftp);
      assert.ok(ftpRows >= 2);
      assert.equal(await store.deleteCapture(ids.log4j), true);
      assert.equal(await rows(ids.log4j), 0);
      assert.equal(await rows(ids.ftp), ftpRows, 'other captures\' results stay');
      assert.deepEqual((await store.intel.hunts.get(yara.id, OWNER))?.matches.map((m) => m.captureId).sort(), [ids.ftp, ids.upload].sort());
    });
  });
}
