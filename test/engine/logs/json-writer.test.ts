/**
 * The generated per-schema JSON encoders write what the plain field-by-field walk they replaced
 * wrote (kept here as the oracle), on every field type, hostile strings, odd record shapes, and
 * every record the engine makes for the shared captures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEncoder, jsonLine } from '../../../src/engine/logs/json-writer.js';
import { formatSeconds } from '../../../src/engine/logs/format.js';
import { field, type LogRecord, type LogSchema, type RecordSink } from '../../../src/engine/logs/schema.js';
import { analyze } from '../../../src/engine/pipeline.js';
import { allCaptures, pcap } from '../../helpers.js';

/** The encoder before generated code: one loop over the schema, a switch per field. */
function oracle(schema: LogSchema, rec: LogRecord): string {
  let out = '{';
  let first = true;
  for (const f of schema.fields) {
    const v = rec[f.name];
    if (v === undefined || v === null) continue;
    out += (first ? '' : ',') + JSON.stringify(f.name) + ':';
    first = false;
    switch (f.type) {
      case 'time': case 'interval': case 'double': out += formatSeconds(v as number); break;
      case 'count': case 'int': case 'port': out += String(v); break;
      case 'bool': out += v ? 'true' : 'false'; break;
      case 'vector[interval]': out += '[' + (v as number[]).map(formatSeconds).join(',') + ']'; break;
      case 'vector[count]': out += '[' + (v as number[]).join(',') + ']'; break;
      case 'addr': out += '"' + (v as string) + '"'; break;
      default: out += f.plain ? '"' + (v as string) + '"' : JSON.stringify(v);
    }
  }
  return out + '}\n';
}

const SCHEMA: LogSchema = {
  path: 'every-type.log',
  doc: 'every field type',
  fields: [
    field('ts', 'time', ''), field('uid', 'string', '', { plain: true }), field('id.orig_h', 'addr', ''),
    field('id.orig_p', 'port', ''), field('n', 'count', ''), field('i', 'int', ''), field('d', 'interval', ''),
    field('x', 'double', ''), field('b', 'bool', ''), field('s', 'string', ''), field('e', 'enum', ''),
    field('set', 'set[string]', ''), field('vec', 'vector[string]', ''), field('vc', 'vector[count]', ''),
    field('vi', 'vector[interval]', ''), field('va', 'vector[addr]', ''), field('net', 'subnet', ''),
  ],
};

const HOSTILE = ['', 'plain', 'quote " and \\ backslash', 'ctl \u0000\u0001\b\t\n\u000b\f\r\u001f\u007f', 'caf\u00e9 \u2603 \u{1f600}',
  'lone \ud800 high', 'lone \udc00 low', '\udc00\ud800 reversed', 'sep \u2028\u2029', "'); throw 1; ('", '${x}`', 'x'.repeat(5000)];

test('the generated encoder writes what the field walk wrote: every type, hostile strings', () => {
  for (const s of HOSTILE) {
    const rec: LogRecord = {
      ts: 1600000000.5, uid: 'CabcdefGHIJ', 'id.orig_h': '10.0.0.1', 'id.orig_p': 53, n: 0, i: -7, d: 0.0000005, x: 3,
      b: false, s, e: s, set: [s, 'a', s], vec: [s], vc: [1, 2, 3], vi: [0.25, 1e-7, 12], va: ['::1', s], net: s,
    };
    assert.equal(jsonLine(SCHEMA, rec), oracle(SCHEMA, rec));
  }
});

test('absent, null and unexpected values come out as before', () => {
  const odd: LogRecord[] = [
    {},
    { ts: null, uid: undefined, s: 'only' },
    { n: '12', b: 'yes', d: -1.5, vc: [], vi: [], set: [] }, // wrong types, as foreign logs may carry
    { s: { nested: ['object'] }, vec: [1, null, 'x'], b: 1, x: 1e21, i: NaN },
    // arrays (always handed to JSON.stringify) with a hole, an escape, a Set; a number in an enum field
    { set: ['a', , 'b'], vec: ['plain', 'quo"te'], va: new Set(['x']), e: 42 },
    Object.assign(Object.create({ ts: 5 }), { uid: 'inherited ts' }),
  ];
  for (const rec of odd) assert.equal(jsonLine(SCHEMA, rec), oracle(SCHEMA, rec));
  assert.equal(jsonLine(SCHEMA, {}), '{}\n');
});

test('field names are quoted into the generated code, never run', () => {
  const names = ['a"b', 'back\\slash', "it's", 'line\nbreak', '\u2028', '${injected}', 'x; throw new Error("ran")'];
  const schema: LogSchema = { path: 'weird "names"; throw 1', doc: '', fields: names.map((n) => field(n, 'string', '')) };
  const rec: LogRecord = Object.fromEntries(names.map((n, i) => [n, `v${i}`]));
  assert.equal(jsonLine(schema, rec), oracle(schema, rec));
  assert.deepEqual(JSON.parse(jsonLine(schema, rec)), rec);
});

test('one encoder per schema, reused', () => {
  assert.equal(jsonEncoder(SCHEMA), jsonEncoder(SCHEMA));
});

test('every record of every shared capture encodes as before', async () => {
  let records = 0;
  let mismatches = 0;
  const sink: RecordSink = {
    write(schema, rec) {
      if (schema.document) return;
      records++;
      if (jsonLine(schema, rec) !== oracle(schema, rec)) mismatches++;
    },
  };
  for (const name of allCaptures()) await analyze(pcap(name), sink);
  assert.ok(records > 3000, `only ${records} records`);
  assert.equal(mismatches, 0);
});
