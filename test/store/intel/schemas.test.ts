/**
 * The exports against their schemas (ajv): STIX 2.1 bundles and MISP events of real stored
 * captures (labelled emotet; TLS with JA3/JA4; a server certificate; HTTP with files; DNS) and of a
 * label over two captures, against test/store/intel/schemas/ — written from the STIX 2.1
 * specification and the MISP core format RFC, since no npm package ships either schema. The
 * schemas are shown to bite: each rule they encode rejects an export broken in that one way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { openStore, type Store } from '../../../src/store/store.js';
import { importCaptureFile } from '../../../src/cli/capture-import.js';
import { EXPORT_KINDS, labelSubject, mispEvent, mispEventOf, stixBundle, stixBundleOf } from '../../../src/store/intel/export.js';
import { pcap } from '../../helpers.js';
import { writeNoisyCopy } from './noisy-capture.js';
import { STIX21_BUNDLE_SCHEMA } from './schemas/stix21.js';
import { MISP_EVENT_SCHEMA } from './schemas/misp-event.js';

const SOURCES = ['malware-emotet.pcap', 'tls13.pcap', 'tls-sslbl-listed-cert.pcapng', 'http-pe-exe-download.pcap', 'dns-tcp.pcap'];
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
const validStix = ajv.compile(STIX21_BUNDLE_SCHEMA);
const validMisp = ajv.compile(MISP_EVENT_SCHEMA);

let dir: string;
let store: Store;
const ids: Record<string, string> = {};
type Doc = Record<string, any>;
const stix: Record<string, Doc> = {};
const misp: Record<string, Doc> = {};

function check(validate: ValidateFunction, doc: unknown, what: string): void {
  const ok = validate(doc);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}

function rejects(validate: ValidateFunction, doc: unknown, what: string): void {
  assert.equal(validate(doc), false, `${what} should not validate`);
}

const clone = (d: Doc): Doc => structuredClone(d);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-intel-schemas-'));
  store = await openStore({ sqlite: join(dir, 'capdex.db') });
  for (const f of SOURCES) {
    // A hostile name: new-lines and quotes go into descriptions and the MISP info.
    ids[f] = (await importCaptureFile(store, pcap(f), { visibility: 'public', name: `${f}\r\n"x'<y>${'z'.repeat(300)}` })).captureId;
    await store.intel.refresh(ids[f]);
  }
  const copy = join(dir, 'emotet-again.pcap');
  writeNoisyCopy(pcap('malware-emotet.pcap'), pcap('ntp.pcap'), copy);
  ids.noisy = (await importCaptureFile(store, copy, { visibility: 'public' })).captureId;
  await store.intel.refresh(ids.noisy);
  for (const id of [ids['malware-emotet.pcap'], ids.noisy]) {
    for (const [k, v] of [['family', 'emotet'], ['campaign', 'epoch4'], ['actor', 'ta542'], ['category', 'c2'], ['sector', 'finance']] as const) await store.intel.addLabel(id, k, v, null);
  }
  for (const f of [...SOURCES, 'noisy']) {
    const c = (await store.capture(ids[f]))!;
    const [labels, features] = [await store.intel.labels(c.id), await store.intel.features(c.id)];
    stix[f] = stixBundle(c, labels, features);
    misp[f] = mispEvent(c, labels, features);
  }
  const obs = (await store.intel.labelObservables({ value: 'emotet', kind: 'family' }, undefined, { kinds: EXPORT_KINDS }))!;
  const labels = [{ kind: 'family' as const, value: 'emotet' }];
  stix.label = stixBundleOf(labelSubject(labels[0], obs.captures), labels, obs.observables);
  misp.label = mispEventOf(labelSubject(labels[0], obs.captures), labels, obs.observables);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('STIX 2.1: every capture\'s bundle and the label\'s validate', () => {
  for (const [what, doc] of Object.entries(stix)) check(validStix, doc, what);
  const types = (d: Doc) => new Set((d.objects as Doc[]).map((o) => o.type));
  assert.ok(['malware', 'campaign', 'threat-actor', 'relationship', 'observed-data', 'domain-name', 'file'].every((t) => types(stix['malware-emotet.pcap']).has(t)));
  assert.ok(types(stix['tls-sslbl-listed-cert.pcapng']).has('x509-certificate'), 'certificates are exported (and checked)');
  assert.ok(types(stix.label).has('malware') && types(stix.label).has('indicator'));
});

test('MISP: every capture\'s event and the label\'s validate', () => {
  for (const [what, doc] of Object.entries(misp)) check(validMisp, doc, what);
  const typesOf = (d: Doc) => new Set((d.Event.Attribute as Doc[]).map((a) => a.type));
  assert.ok(['domain', 'sha256', 'md5', 'user-agent', 'uri'].every((t) => typesOf(misp['malware-emotet.pcap']).has(t)));
  assert.ok(typesOf(misp['tls13.pcap']).has('ja3-fingerprint-md5'));
  assert.equal(misp.label.Event.attribute_count, String(misp.label.Event.Attribute.length));
  assert.doesNotMatch(misp['dns-tcp.pcap'].Event.info, /[\r\n]/);
});

test('the STIX schema bites: each rule rejects an export broken that way', () => {
  const base = stix['malware-emotet.pcap'];
  const first = (d: Doc, type: string): Doc => (d.objects as Doc[]).find((o) => o.type === type)!;
  const broken: [string, (d: Doc) => void][] = [
    ['indicator without pattern_type', (d) => { delete first(d, 'indicator').pattern_type; }],
    ['indicator with a bad valid_from', (d) => { first(d, 'indicator').valid_from = '2024-01-01 00:00:00'; }],
    ['created without milliseconds', (d) => { first(d, 'indicator').created = '2024-01-01T00:00:00Z'; }],
    ['SDO without spec_version', (d) => { delete first(d, 'malware').spec_version; }],
    ['spec_version 2.0', (d) => { first(d, 'campaign').spec_version = '2.0'; }],
    ['a family without a name', (d) => { delete first(d, 'malware').name; }],
    ['an id of another type', (d) => { const m = first(d, 'malware'); m.id = m.id.replace('malware--', 'campaign--'); }],
    ['an id that is not a UUID', (d) => { first(d, 'identity').id = 'identity--capdex'; }],
    ['a relationship type with capitals', (d) => { first(d, 'relationship').relationship_type = 'Indicates'; }],
    ['observed-data without object_refs', (d) => { delete first(d, 'observed-data').object_refs; }],
    ['number_observed 0', (d) => { first(d, 'observed-data').number_observed = 0; }],
    ['an SCO with created', (d) => { first(d, 'domain-name').created = '2024-01-01T00:00:00.000Z'; }],
    ['a SHA-256 of 63 digits', (d) => { const f = first(d, 'file'); const k = Object.keys(f.hashes)[0]; f.hashes['SHA-256'] = 'a'.repeat(63); if (k !== 'SHA-256') delete f.hashes[k]; }],
    ['a file with neither hashes nor name', (d) => { delete first(d, 'file').hashes; }],
    ['a custom property named with capitals', (d) => { first(d, 'indicator').X_Capdex = 1; }],
    ['a bundle with spec_version', (d) => { d.spec_version = '2.1'; }],
    ['an unknown object type', (d) => { (d.objects as Doc[]).push({ type: 'x-thing', id: 'x-thing--00000000-0000-4000-8000-000000000000' }); }],
  ];
  for (const [what, breakIt] of broken) {
    const d = clone(base);
    breakIt(d);
    rejects(validStix, d, what);
  }
});

test('the MISP schema bites: each rule rejects an export broken that way', () => {
  const base = misp['malware-emotet.pcap'];
  const attr = (d: Doc, type: string): Doc => (d.Event.Attribute as Doc[]).find((a) => a.type === type)!;
  const broken: [string, (d: Doc) => void][] = [
    ['a sha256 filed under Network activity', (d) => { attr(d, 'sha256').category = 'Network activity'; }],
    ['a user-agent filed under Artifacts dropped', (d) => { attr(d, 'user-agent').category = 'Artifacts dropped'; }],
    ['an md5 of 31 digits', (d) => { attr(d, 'md5').value = 'a'.repeat(31); }],
    ['an attribute without to_ids', (d) => { delete attr(d, 'domain').to_ids; }],
    ['an attribute with distribution 6', (d) => { attr(d, 'domain').distribution = '6'; }],
    ['to_ids as a string', (d) => { attr(d, 'domain').to_ids = 'true'; }],
    ['an event without publish_timestamp', (d) => { delete d.Event.publish_timestamp; }],
    ['threat_level_id as a number', (d) => { d.Event.threat_level_id = 2; }],
    ['info with a new-line', (d) => { d.Event.info = 'a\nb'; }],
    ['a date with a time', (d) => { d.Event.date = '2024-01-01T00:00:00Z'; }],
    ['a sharing group id without distribution 4', (d) => { d.Event.sharing_group_id = '7'; }],
    ['an event uuid that is not one', (d) => { d.Event.uuid = 'capdex'; }],
  ];
  for (const [what, breakIt] of broken) {
    const d = clone(base);
    breakIt(d);
    rejects(validMisp, d, what);
  }
});
