/**
 * Signature drafts: the rules drafted from a stored capture parse with our own rule parser
 * (no errors, no unsupported keyword) and, run through the engine over that capture, every one
 * of them alerts; run over an unrelated capture, none does. Hostile observable text stays
 * inside its content option.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../../src/store/store.js';
import { importCaptureFile } from '../../../src/cli/capture-import.js';
import { parseRules } from '../../../src/engine/detect/rules/parser.js';
import { draftRules, ruleContent } from '../../../src/store/intel/drafts.js';
import { pcap, run } from '../../helpers.js';

const SOURCES = ['malware-emotet.pcap', 'tls13.pcap', 'dns-tcp.pcap', 'http-pe-exe-download.pcap'];
let dir: string;
let store: Store;
const ids: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-intel-drafts-'));
  store = await openStore({ sqlite: join(dir, 'capdex.db') });
  for (const f of SOURCES) {
    ids[f] = (await importCaptureFile(store, pcap(f), { visibility: 'public' })).captureId;
    await store.intel.refresh(ids[f]);
  }
  await store.intel.addLabel(ids['malware-emotet.pcap'], 'family', 'emotet', null);
  await store.intel.addLabel(ids['dns-tcp.pcap'], 'category', 'benign', null);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function firedSids(file: string, rules: ReturnType<typeof parseRules>['rules']): Promise<Set<number>> {
  const { sink } = await run(pcap(file), { rules });
  return new Set(sink.get('eve').map((e) => (e.alert as { signature_id: number }).signature_id));
}

for (const file of SOURCES) {
  test(`drafts from ${file} parse with our parser and every one alerts on ${file}`, async () => {
    const d = await store.intel.drafts(ids[file]);
    assert.ok(d.rules.length >= 2, `${d.rules.length} drafts`);
    const parsed = parseRules(d.rules.map((r) => r.rule).join('\n'), { readListFile: (n) => d.lists[n] ?? '' });
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.rules.length, d.rules.length);
    assert.equal(new Set(d.rules.map((r) => r.sid)).size, d.rules.length, 'one sid per draft');
    const fired = await firedSids(file, parsed.rules);
    assert.deepEqual(d.rules.filter((r) => !fired.has(r.sid)).map((r) => `${r.kind} ${r.value}`), []);
    for (const r of d.rules) assert.ok(r.hits && r.hits.captures >= 1, `${r.kind}: hits include the source`);
    const other = file === 'tls13.pcap' ? 'malware-trickbot.pcap' : 'tls13.pcap';
    const strayed = await firedSids(other, parsed.rules);
    assert.deepEqual([...strayed].filter((s) => d.rules.some((r) => r.sid === s)), [], `no draft of ${file} fires on ${other}`);
  });
}

test('the msg names the label; hits count labelled and benign captures', async () => {
  const e = await store.intel.drafts(ids['malware-emotet.pcap']);
  assert.ok(e.rules.every((r) => r.rule.includes('msg:"CAPDEX DRAFT emotet ')));
  assert.ok(e.rules.every((r) => r.hits!.labelled === 1 && r.hits!.benign === 0));
  const dns = await store.intel.drafts(ids['dns-tcp.pcap']);
  assert.ok(dns.rules.some((r) => r.kind === 'dns.query'));
  assert.ok(dns.rules.every((r) => r.hits!.benign === 1), 'a benign-labelled source: every draft shows the false-positive risk');
});

test('hostile observable text stays inside its content option', () => {
  assert.equal(ruleContent('a"b;c\\d|e'), 'a|22|b|3b|c|5c|d|7c|e');
  assert.equal(ruleContent('é\u0000x'), '|c3 a9 00|x');
  const hostile = 'evil.example"; sid:1; pcre:"/x/';
  const d = draftRules({
    captureId: 'f'.repeat(64), label: 'fam"; sid:2;',
    features: [{ kind: 'domain', value: hostile }, { kind: 'user_agent', value: 'ua|00|";' }, { kind: 'uri', value: '/gate.php' }],
    domainLogs: new Map([[hostile, new Set(['dns', 'http', 'ssl'])]]),
  });
  const parsed = parseRules(d.rules.map((r) => r.rule).join('\n'));
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.rules.length, d.rules.length);
  for (const r of parsed.rules) assert.ok(r.sid >= 8_000_000 && r.sid < 9_000_000, `sid ${r.sid}`);
  assert.ok(d.rules.every((r) => !r.rule.includes('sid:1;') && !r.rule.includes('sid:2;')));
});
