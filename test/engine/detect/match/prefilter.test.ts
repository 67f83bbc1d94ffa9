import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRules } from '../../../../src/engine/detect/rules/parser.js';
import { buildPrefilter } from '../../../../src/engine/detect/match/prefilter.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const { rules } = parseRules([
  'alert http any any -> any any (msg:"0 uri"; http.uri; content:"/gate.php"; sid:1;)',
  'alert http any any -> any any (msg:"1 uri nocase"; http.uri; content:"/ADMIN"; nocase; sid:2;)',
  'alert http any any -> any any (msg:"2 same pattern"; http.uri; content:"/gate.php"; content:"id="; sid:3;)',
  'alert http any any -> any any (msg:"3 host"; http.host; content:"evil.example"; sid:4;)',
  'alert http any any -> any any (msg:"4 no content"; flow:established; sid:5;)',
  'alert http any any -> any any (msg:"5 only negated"; http.uri; content:!"/ok"; sid:6;)',
  'alert http any any -> any any (msg:"6 explicit fp slice"; http.uri; content:"/download/file.exe"; fast_pattern:10,8; sid:7;)',
].join('\n'));

test('indexes the fast patterns of one buffer; others are ignored, pattern-less rules are unconditional', () => {
  const pf = buildPrefilter(rules, 'http.uri');
  assert.equal(pf.buffer, 'http.uri');
  assert.equal(pf.patternCount, 3, '/gate.php shared by two rules, /admin, and the fast_pattern slice');
  assert.deepEqual(pf.unconditional, [4, 5]);
  const scan = (s: string): number[] => {
    const out: number[] = [];
    pf.scan(bytes(s), (r) => out.push(r));
    return out.sort((a, b) => a - b);
  };
  assert.deepEqual(scan('/gate.php?id=1'), [0, 2]);
  assert.deepEqual(scan('/Admin/panel'), [1]);
  assert.deepEqual(scan('/x/file.exe'), [6]);
  assert.deepEqual(scan('/GATE.PHP'), [], 'case-sensitive patterns stay case-sensitive');
  assert.deepEqual(scan('evil.example'), [], 'a host pattern is not in the uri prefilter');
  assert.deepEqual(scan(''), []);
  const host = buildPrefilter(rules, 'http.host');
  assert.equal(host.patternCount, 1);
  const got: number[] = [];
  host.scan(bytes('www.evil.example'), (r) => got.push(r));
  assert.deepEqual(got, [3]);
});
