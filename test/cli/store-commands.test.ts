/**
 * The store commands end to end, spawned as a user runs them (through tsx, so no build is needed):
 * import (captures, a bad file among them, --zeek), captures, pivot, search, delete on a SQLite
 * file in a temp directory.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'capdex-cli-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DB = join(dir, 'data', 'capdex.db');

function capdex(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args, '--db', DB], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('capdex import / captures / pivot / search / delete', () => {
  it('imports several captures at once, reports a bad one and keeps going', async () => {
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'not a capture at all');
    const r = await capdex(['import', pcap('link-ipv4-linktype228.pcap'), junk, pcap('link-raw-ipv6.pcap')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /junk\.pcap/);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /^[0-9a-f]{64} {2}.*records/);
    const again = await capdex(['import', pcap('link-ipv4-linktype228.pcap')]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /\(replaced\)/);
  });

  it('lists captures, pivots and searches across them', async () => {
    const list = await capdex(['captures', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const caps = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; name: string; recordCount: number });
    assert.deepEqual(caps.map((c) => c.name).sort(), ['link-ipv4-linktype228.pcap', 'link-raw-ipv6.pcap']);
    const pivot = await capdex(['pivot', 'domain', 'EXAMPLE.COM.', '--json']);
    assert.equal(pivot.code, 0, pivot.stderr);
    const hits = pivot.stdout.trim().split('\n').map((l) => JSON.parse(l) as { capture: { id: string }; log: string });
    assert.deepEqual(new Set(hits.map((h) => h.capture.id)), new Set(caps.map((c) => c.id)));
    const none = await capdex(['pivot', 'domain', 'absent.example']);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /no record holds/);
    const badType = await capdex(['pivot', 'colour', 'red']);
    assert.notEqual(badType.code, 0);
    const agg = await capdex(['search', 'dns.query:example.com | count by log', '--json']);
    assert.equal(agg.code, 0, agg.stderr);
    assert.deepEqual(agg.stdout.trim().split('\n').map((l) => JSON.parse(l)), [{ key: 'dns', count: 2 }]);
    const err = await capdex(['search', 'dns.query:(']);
    assert.equal(err.code, 2);
    assert.match(err.stderr, /\^/);
  });

  it('imports a Zeek log directory and deletes captures by id prefix', async () => {
    const zeek = join(dir, 'zeek');
    mkdirSync(zeek);
    writeFileSync(join(zeek, 'dns.log'), '{"ts":1,"uid":"CZ1","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.53","id.resp_p":53,"query":"zeek.example"}\n');
    const r = await capdex(['import', '--zeek', zeek]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 records from 1 Zeek logs/);
    const id = r.stdout.slice(0, 64);
    assert.equal((await capdex(['pivot', 'domain', 'zeek.example'])).code, 0);
    const del = await capdex(['delete', id.slice(0, 12)]);
    assert.equal(del.code, 0, del.stderr);
    const after = await capdex(['pivot', 'domain', 'zeek.example']);
    assert.equal(after.stdout, '');
    const missing = await capdex(['delete', id]);
    assert.equal(missing.code, 2);
  });
});
