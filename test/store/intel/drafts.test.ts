/**
 * Signature drafts: the rules drafted from a stored capture parse with our own rule parser
 * (no errors, no unsupported keyword) and, run through the engine over that capture, every one
 * of them alerts; run over an unrelated capture, none does. The same for a label's drafts (over
 * its two captures), whose hits tell the label's own captures from the rest. JA4 drafts come
 * with JA3's. Hostile observable text stays inside its content option.
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
import { writeNoisyCopy } from './noisy-capture.js';

const SOURCES = ['malware-emotet.pcap', 'tls13.pcap', 'dns-tcp.pcap', 'http-pe-exe-download.pcap'];
let dir: string;
let store: Store;
const ids: Record<string, string> = {};
let noisyPath: string;

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

/** A second emotet capture (the first's traffic with NTP noise), labelled emotet too. */
async function secondEmotet(): Promise<string> {
  if (ids.noisy) return ids.noisy;
  noisyPath = join(dir, 'emotet-again.pcap');
  writeNoisyCopy(pcap('malware-emotet.pcap'), pcap('ntp.pcap'), noisyPath);
  ids.noisy = (await importCaptureFile(store, noisyPath, { visibility: 'public' })).captureId;
  await store.intel.refresh(ids.noisy);
  await store.intel.addLabel(ids.noisy, 'family', 'emotet', null);
  return ids.noisy;
}
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function firedSids(file: string, rules: ReturnType<typeof parseRules>['rules']): Promise<Set<number>> {
  const { sink } = await run(file.includes('/') ? file : pcap(file), { rules });
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

test('JA4 drafts beside JA3: the TLS capture\'s client fingerprint as logged, and it fires (above)', async () => {
  const d = await store.intel.drafts(ids['tls13.pcap']);
  const ja4 = d.rules.find((r) => r.kind === 'ja4.hash');
  assert.ok(ja4, d.rules.map((r) => r.kind).join(', '));
  assert.ok(d.rules.some((r) => r.kind === 'ja3.hash'));
  const logged = await store.search(`capture:${ids['tls13.pcap']} log:ssl`, { limit: 100 });
  assert.ok(logged.rows!.some((r) => typeof r.doc.ja4 === 'string' && r.doc.ja4.toLowerCase() === ja4.value), 'the value is the ssl log\'s ja4');
  assert.match(ja4.rule, /ja4\.hash; content:"t[0-9a-z]{2}[di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}"; nocase; startswith; endswith;/);
  assert.ok(!draftRules({ captureId: 'x'.repeat(64), features: [{ kind: 'ja4', value: 'q13d0310h3_55b375c5d22e_cd85d2d88918' }, { kind: 'ja4', value: 'x";sid:1;' }], domainLogs: new Map() })
    .rules.length, 'QUIC JA4 and junk draft nothing');
});

test('a label\'s drafts: observables its captures share, parsed and firing on each of them; hits split the label from the rest', async () => {
  const noisy = await secondEmotet();
  assert.equal(await store.intel.labelDrafts({ value: 'no-such-label' }), undefined);
  const d = (await store.intel.labelDrafts({ value: 'emotet', kind: 'family' }))!;
  assert.equal(d.captures, 2);
  assert.ok(d.rules.length >= 3, `${d.rules.length} drafts`);
  const host = d.rules.find((r) => r.kind === 'http.host' && r.value === 'filmmogzivota.rs');
  assert.deepEqual(host?.hits, { captures: 2, labelled: 2, unlabelled: 0, benign: 0, inLabel: 2 });
  assert.ok(d.rules.every((r) => r.rule.includes('msg:"CAPDEX DRAFT emotet ') && r.rule.includes('metadata:capdex_draft label-emotet;')));
  assert.ok(d.rules.every((r) => r.hits!.inLabel! >= 1 && r.hits!.captures - r.hits!.inLabel! <= r.hits!.inLabel!), 'rare elsewhere');
  const parsed = parseRules(d.rules.map((r) => r.rule).join('\n'), { readListFile: (n) => d.lists[n] ?? '' });
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.rules.length, d.rules.length);
  for (const file of [pcap('malware-emotet.pcap'), noisyPath]) {
    const fired = await firedSids(file, parsed.rules);
    assert.ok(d.rules.some((r) => fired.has(r.sid)), `some label draft fires on ${file}`);
    // Drafts of observables held by both captures fire on both.
    assert.deepEqual(d.rules.filter((r) => r.hits!.inLabel === 2 && !fired.has(r.sid)).map((r) => `${r.kind} ${r.value}`), []);
  }
  assert.deepEqual([...await firedSids('tls13.pcap', parsed.rules)].filter((s) => d.rules.some((r) => r.sid === s)), []);
  // The same domain in an unlabelled capture: the label's draft shows it as the risk it is.
  const obs = (await store.intel.labelObservables({ value: 'emotet' }, undefined, { kinds: ['domain'] }))!;
  assert.deepEqual(obs.captures.map((c) => c.id).sort(), [ids['malware-emotet.pcap'], noisy].sort());
  assert.ok(obs.observables.every((o) => o.kind === 'domain'));
});

test('the msg names the label; hits count labelled and benign captures', async () => {
  const e = await store.intel.drafts(ids['malware-emotet.pcap']);
  assert.ok(e.rules.every((r) => r.rule.includes('msg:"CAPDEX DRAFT emotet ')));
  assert.ok(e.rules.every((r) => r.hits!.labelled === r.hits!.captures && r.hits!.unlabelled === 0 && r.hits!.benign === 0));
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
