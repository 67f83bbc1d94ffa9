/**
 * Exports, validated structurally against STIX 2.1 (bundle, common properties, id formats,
 * required properties per object type, references that resolve, pattern syntax) and the MISP
 * event format (required fields, attribute types and categories, uuids), and the CSV list
 * (parses back; spreadsheet formulas defused). Built from a real stored capture.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store, type CaptureRow } from '../../../src/store/store.js';
import { importCaptureFile } from '../../../src/cli/capture-import.js';
import { csvCell, iocCsv, isInternalIp, mispEvent, stixBundle, uuidV5 } from '../../../src/store/intel/export.js';
import type { Feature } from '../../../src/store/intel/features.js';
import type { Label } from '../../../src/store/intel/intel-store.js';
import { pcap } from '../../helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STIX_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const SDO_REQUIRED: Record<string, string[]> = {
  identity: ['name'], indicator: ['pattern', 'pattern_type', 'valid_from'], malware: ['name', 'is_family'], campaign: ['name'],
  'threat-actor': ['name'], relationship: ['relationship_type', 'source_ref', 'target_ref'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed', 'object_refs'],
};
const SCO_TYPES = new Set(['domain-name', 'ipv4-addr', 'ipv6-addr', 'file', 'x509-certificate']);
const MISP_CATEGORIES = new Set(['Network activity', 'Payload delivery', 'Artifacts dropped', 'Other']);
const MISP_TYPES = new Set(['domain', 'ip-dst', 'sha256', 'md5', 'sha1', 'ja3-fingerprint-md5', 'user-agent', 'filename', 'email-src', 'uri',
  'x509-fingerprint-sha256', 'x509-fingerprint-sha1']);

let dir: string;
let store: Store;
let capture: CaptureRow;
let labels: Label[];
let features: Feature[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capdex-intel-export-'));
  store = await openStore({ sqlite: join(dir, 'capdex.db') });
  const id = (await importCaptureFile(store, pcap('malware-emotet.pcap'), { visibility: 'public' })).captureId;
  await store.intel.refresh(id);
  for (const [k, v] of [['family', 'emotet'], ['campaign', 'epoch4'], ['actor', 'ta542'], ['category', 'c2']] as const) await store.intel.addLabel(id, k, v, null);
  capture = (await store.capture(id))!;
  labels = await store.intel.labels(id);
  features = await store.intel.features(id);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('STIX 2.1 bundle: ids, common properties, required properties, resolvable references, patterns', () => {
  const b = stixBundle(capture, labels, features) as { type: string; id: string; objects: Record<string, unknown>[] };
  assert.equal(b.type, 'bundle');
  assert.match(b.id, /^bundle--/);
  assert.match(b.id.slice('bundle--'.length), UUID);
  const byId = new Map<string, Record<string, unknown>>();
  for (const o of b.objects) {
    const type = o.type as string;
    assert.equal(o.spec_version, '2.1', type);
    assert.match(o.id as string, new RegExp(`^${type}--`));
    assert.match((o.id as string).slice(type.length + 2), UUID);
    assert.ok(!byId.has(o.id as string), `duplicate id ${o.id as string}`);
    byId.set(o.id as string, o);
    if (SCO_TYPES.has(type)) { assert.equal(o.created, undefined, 'SCOs have no created'); continue; }
    assert.ok(SDO_REQUIRED[type], `unexpected type ${type}`);
    assert.match(o.created as string, STIX_TS);
    assert.match(o.modified as string, STIX_TS);
    for (const p of SDO_REQUIRED[type]) assert.notEqual(o[p], undefined, `${type}.${p}`);
  }
  const of = (t: string) => b.objects.filter((o) => o.type === t);
  assert.equal(of('malware').length, 1);
  assert.equal(of('malware')[0].is_family, true);
  assert.equal(of('campaign').length, 1);
  assert.equal(of('threat-actor').length, 1);
  const indicators = of('indicator');
  assert.ok(indicators.some((i) => i.pattern === "[domain-name:value = 'filmmogzivota.rs']"));
  assert.ok(indicators.some((i) => /^\[file:hashes\.'SHA-256' = '[0-9a-f]{64}'\]$/.test(i.pattern as string)));
  for (const i of indicators) {
    assert.match(i.pattern as string, /^\[[a-z0-9-]+:[A-Za-z0-9_.'-]+ = '(?:[^'\\]|\\.)*'\]$/);
    assert.equal(i.pattern_type, 'stix');
    assert.match(i.valid_from as string, STIX_TS);
    assert.deepEqual(i.labels, ['category:c2']);
  }
  assert.ok(!indicators.some((i) => /'10\./.test(i.pattern as string)), 'private addresses are not indicators');
  for (const r of of('relationship')) {
    assert.equal(byId.get(r.source_ref as string)?.type, 'indicator');
    assert.ok(['malware', 'campaign', 'threat-actor'].includes(byId.get(r.target_ref as string)?.type as string));
  }
  assert.equal(of('relationship').length, indicators.length * 3);
  const od = of('observed-data')[0];
  for (const ref of od.object_refs as string[]) assert.ok(SCO_TYPES.has(byId.get(ref)?.type as string), ref);
  assert.deepEqual(stixBundle(capture, labels, features), b, 'deterministic: the same export twice is the same document');
});

test('STIX patterns escape quotes and backslashes of hostile values', () => {
  const b = stixBundle(capture, [], [{ kind: 'domain', value: "x'] OR [a:b = 'c\\" }]) as { objects: Record<string, unknown>[] };
  const ind = b.objects.find((o) => o.type === 'indicator')!;
  assert.equal(ind.pattern, "[domain-name:value = 'x\\'] OR [a:b = \\'c\\\\']");
});

test('MISP event: required fields, attribute types and categories, unique uuids, labels as tags', () => {
  const e = (mispEvent(capture, labels, features) as { Event: Record<string, unknown> }).Event;
  assert.match(e.uuid as string, UUID);
  assert.ok((e.info as string).includes('malware-emotet.pcap'));
  assert.match(e.date as string, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(['1', '2', '3', '4'].includes(e.threat_level_id as string));
  assert.ok(['0', '1', '2'].includes(e.analysis as string));
  assert.ok(['0', '1', '2', '3', '4', '5'].includes(e.distribution as string));
  assert.match(e.timestamp as string, /^\d+$/);
  const attrs = e.Attribute as Record<string, unknown>[];
  assert.equal(new Set(attrs.map((a) => a.uuid)).size, attrs.length);
  for (const a of attrs) {
    assert.match(a.uuid as string, UUID);
    assert.ok(MISP_TYPES.has(a.type as string), a.type as string);
    assert.ok(MISP_CATEGORIES.has(a.category as string), a.category as string);
    assert.equal(typeof a.value, 'string');
    assert.notEqual(a.value, '');
    assert.equal(typeof a.to_ids, 'boolean');
  }
  assert.ok(attrs.some((a) => a.type === 'domain' && a.value === 'filmmogzivota.rs' && a.to_ids === true));
  assert.ok(attrs.some((a) => a.type === 'sha256' && a.value === capture.id && a.to_ids === false));
  assert.ok(!attrs.some((a) => a.type === 'ip-dst' && isInternalIp(a.value as string)));
  const tags = (e.Tag as { name: string }[]).map((t) => t.name);
  assert.ok(tags.includes('capdex:family="emotet"') && tags.includes('tlp:clear'));
});

test('CSV: header, one row per indicator, parses back; formulas defused', () => {
  const text = iocCsv(capture, labels, features);
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'type,value,capture,labels');
  assert.ok(lines.some((l) => l.startsWith('domain,filmmogzivota.rs,')));
  assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
  assert.equal(csvCell('+1'), '"\'+1"');
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
});

test('uuidV5 matches RFC 4122 test vectors; internal addresses recognised', () => {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') == 886313e1-3b8a-5372-9b90-0c9aee199e5d
  assert.equal(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  for (const ip of ['10.1.2.3', '192.168.0.1', '172.16.5.5', '127.0.0.1', 'fe80::1', 'fd00::1', '::1']) assert.ok(isInternalIp(ip), ip);
  for (const ip of ['8.8.8.8', '172.32.0.1', '2001:db8::1']) assert.ok(!isInternalIp(ip), ip);
});
