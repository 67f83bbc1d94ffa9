/**
 * Content, pcre and the prefilter against tshark on a real capture (attack-http-sql-injection:
 * DVWA SQL injection requests). tshark's display filters are an independent implementation of
 * "does this buffer contain / match": the counts and frame lists must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap } from '../../../helpers.js';
import { parseRules } from '../../../../src/engine/detect/rules/parser.js';
import { buildPrefilter } from '../../../../src/engine/detect/match/prefilter.js';
import { createMatchState } from '../../../../src/engine/detect/match/state.js';

const CAPTURE = pcap('attack-http-sql-injection.pcap');

function tshark(filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', CAPTURE, '-Y', filter, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const frames = (filter: string): number[] => tshark(filter, ['frame.number']).map((r) => Number(r[0]));

test('http.uri content and pcre select the same requests as tshark filters', () => {
  const uris = tshark('http.request', ['frame.number', 'http.request.uri']);
  assert.equal(uris.length, 9, "the capture has nine requests");
  const { rules, errors } = parseRules([
    'alert http any any -> any any (msg:"union select"; http.uri; pcre:"/union.+select/i"; sid:1;)',
    'alert http any any -> any any (msg:"sqli path"; http.uri; content:"/sqli/"; content:"%27"; distance:0; sid:2;)',
    'alert http any any -> any any (msg:"no union"; http.uri; content:!"union"; sid:3;)',
    'alert http any any -> any any (msg:"users"; http.uri; content:"USERS"; nocase; sid:4;)',
  ].join('\n'));
  assert.deepEqual(errors, []);
  const filters = [
    'http.request.uri matches "(?i)union.+select"',
    'http.request.uri contains "/sqli/" && http.request.uri matches "/sqli/.*%27"',
    'http.request && !(http.request.uri contains "union")',
    'lower(http.request.uri) contains "users"',
  ];
  const state = createMatchState();
  rules.forEach((rule, i) => {
    const ours = uris.filter(([, uri]) => {
      state.reset();
      return rule.lists[0].program.matchBuffer(new Uint8Array(Buffer.from(uri, 'latin1')), state);
    }).map(([f]) => Number(f));
    assert.deepEqual(ours, frames(filters[i]), `${rule.msg}`);
  });
});

test('the payload prefilter reports exactly the patterns tshark finds in each TCP payload', () => {
  const payloads = tshark('tcp.len > 0', ['frame.number', 'tcp.payload']).map(([f, hex]) => ({ frame: Number(f), bytes: new Uint8Array(Buffer.from(hex.replace(/:/g, ''), 'hex')) }));
  const words = ['union', 'select', 'Cookie:', 'PHPSESSID', 'HTTP/1.1 200', 'information_schema'];
  const { rules } = parseRules(words.map((w, i) => `alert tcp any any -> any any (msg:"${w}"; content:"${w}"; sid:${i + 1};)`).join('\n'));
  const pf = buildPrefilter(rules, 'payload');
  assert.equal(pf.patternCount, words.length);
  const ours = words.map(() => [] as number[]);
  for (const p of payloads) pf.scan(p.bytes, (r) => ours[r].push(p.frame));
  words.forEach((w, i) => {
    assert.deepEqual(ours[i], frames(`tcp.payload contains "${w}"`), w);
  });
  assert.ok(ours[0].length > 0 && ours[2].length > 0, 'patterns do occur');
});
