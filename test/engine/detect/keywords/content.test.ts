import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytes, matches, matchesBuffer, rule, ruleError } from './rule-helpers.js';

test('content: plain, hex runs, mixed, escaped quote and semicolon', () => {
  assert.equal(matches('content:"evil";', 'xx evil xx'), true);
  assert.equal(matches('content:"evil";', 'xx EVIL xx'), false);
  assert.equal(matches('content:"|4d 5a|";', 'MZ\x90\x00'), true);
  assert.equal(matches('content:"a|0d 0a|b";', 'a\r\nb'), true);
  assert.equal(matches('content:"a|0d0a|b";', 'a\nb'), false);
  assert.equal(matches('content:"say \\"hi\\"\\; ok";', 'he said say "hi"; ok.'), true);
  assert.equal(matches('content:"back\\\\slash";', 'a back\\slash'), true);
});

test('content: nocase', () => {
  assert.equal(matches('content:"User-Agent"; nocase;', 'user-agent: x'), true);
  assert.equal(matches('content:"User-Agent";', 'user-agent: x'), false);
});

test('content: offset and depth (depth counts from offset)', () => {
  assert.equal(matches('content:"abc"; offset:2; depth:3;', 'xxabc'), true);
  assert.equal(matches('content:"abc"; offset:2; depth:3;', 'xxxabc'), false);
  assert.equal(matches('content:"abc"; offset:3;', 'abcxxabc'), true);
  assert.equal(matches('content:"abc"; offset:3;', 'abcxx'), false);
  assert.equal(matches('content:"abc"; depth:3;', 'abcd'), true);
  assert.equal(matches('content:"abc"; depth:3;', 'xabc'), false);
});

test('content: distance and within relative to the previous match', () => {
  const r = 'content:"GET"; content:"/admin"; distance:1; within:6;';
  assert.equal(matches(r, 'GET /admin'), true);
  assert.equal(matches(r, 'GET  /admin'), false); // starts 2 after: window [4, 10) misses
  assert.equal(matches('content:"a"; content:"b"; distance:2;', 'ab'), false);
  assert.equal(matches('content:"a"; content:"b"; distance:2;', 'axxb'), true);
  // Negative distance looks back.
  assert.equal(matches('content:"world"; content:"hello "; distance:-11; within:6;', 'hello world'), true);
});

test('content: a relative chain retries earlier occurrences (backtracking)', () => {
  // The first "a" is followed by "x"; only the second "a" is followed by "b".
  assert.equal(matches('content:"a"; content:"b"; distance:0; within:1;', 'ax ab'), true);
  assert.equal(matches('content:"a"; content:"b"; distance:0; within:1;', 'ax ax'), false);
  // Three-level chain.
  assert.equal(matches('content:"k="; content:"v"; distance:0; within:1; content:";"; distance:0; within:1;', 'k=x; k=vz k=v;'), true);
});

test('content: negation, alone and relative', () => {
  assert.equal(matches('content:"GET"; content:!"admin";', 'GET /index'), true);
  assert.equal(matches('content:"GET"; content:!"admin";', 'GET /admin'), false);
  assert.equal(matches('content:"user="; content:!"root"; distance:0; within:4;', 'user=bob'), true);
  assert.equal(matches('content:"user="; content:!"root"; distance:0; within:4;', 'user=root'), false);
  assert.equal(matches('content:"user="; content:!"root"; distance:0; within:4;', 'user=bob root'), true);
});

test('content: startswith and endswith', () => {
  assert.equal(matches('content:"MZ"; startswith;', 'MZ..'), true);
  assert.equal(matches('content:"MZ"; startswith;', '.MZ.'), false);
  assert.equal(matches('content:".exe"; endswith;', 'a.exe'), true);
  assert.equal(matches('content:".exe"; endswith;', 'a.exe.txt'), false);
  assert.equal(matches('content:".EXE"; nocase; endswith;', 'A.ExE'), true);
});

test('content: modifiers are checked', () => {
  assert.match(ruleError('content:"abcd"; depth:2;'), /depth 2 is smaller/);
  assert.match(ruleError('content:"abcd"; content:"x"; within:0;'), /within 0 is smaller/);
  assert.match(ruleError('nocase; content:"a";'), /nocase needs a content/);
  assert.match(ruleError('content:"a|4|";'), /invalid hex/);
  assert.match(ruleError('content:"a|41";'), /unterminated/);
  assert.match(ruleError('content:abc;'), /double quotes/);
  assert.match(ruleError('content:"a"; startswith; offset:1;'), /cannot be combined/);
});

test('isdataat: absolute, relative, negated', () => {
  assert.equal(matches('isdataat:4;', '12345'), true);
  assert.equal(matches('isdataat:5;', '12345'), false);
  assert.equal(matches('content:"ab"; isdataat:3,relative;', 'ab123'), true);
  assert.equal(matches('content:"ab"; isdataat:4,relative;', 'ab123'), false);
  assert.equal(matches('content:"ab"; isdataat:!1,relative;', 'xxab'), true);
  assert.equal(matches('content:"ab"; isdataat:!1,relative;', 'xxabc'), false);
});

test('fast pattern: explicit, else the longest content of the highest-priority buffer, negations skipped', () => {
  const explicit = rule('content:"longer pattern"; content:"abc"; fast_pattern;');
  assert.equal(Buffer.from(explicit.fastPattern!.pattern).toString(), 'abc');
  const chosen = rule('content:"ab"; content:!"negated and long"; content:"abcd";');
  assert.equal(Buffer.from(chosen.fastPattern!.pattern).toString(), 'abcd');
  const sticky = rule('content:"a very long payload pattern"; http.uri; content:"/x.php";', 'alert http any any -> any any');
  assert.equal(sticky.fastPattern!.buffer, 'http.uri');
  const sliced = rule('content:"0123456789"; fast_pattern:2,4;');
  assert.deepEqual(sliced.fastPattern!.pattern, bytes('2345'));
  const nocase = rule('content:"MiXeD"; nocase;');
  assert.equal(nocase.fastPattern!.nocase, true);
  assert.deepEqual(nocase.fastPattern!.pattern, bytes('mixed'));
  assert.equal(rule('content:!"only negated";').fastPattern, undefined);
  assert.match(ruleError('content:!"x"; fast_pattern;'), /negated/);
});

test('bsize and urilen test the buffer length', () => {
  const r = rule('http.uri; bsize:>5; content:"/"; urilen:<10;', 'alert http any any -> any any');
  const uri = r.lists.find((l) => l.buffer === 'http.uri')!;
  const st = { vars: new Float64Array(16), pcreStepsLeft: 1e6, pcreBudgetExhausted: 0, reset() {} };
  assert.equal(uri.program.matchBuffer(bytes('/abcdef'), st), true);
  assert.equal(uri.program.matchBuffer(bytes('/abc'), st), false);
  assert.equal(uri.program.matchBuffer(bytes('/abcdefghijk'), st), false);
  assert.match(ruleError('bsize:5;'), /sticky buffer/);
});

test('base64_decode / base64_data: inspect decoded bytes; those contents are never the fast pattern', () => {
  const encoded = Buffer.from('cmd=whoami&x=1').toString('base64');
  const r = rule('content:"data="; base64_decode:relative; base64_data; content:"whoami"; offset:4;');
  assert.equal(Buffer.from(r.fastPattern!.pattern).toString(), 'data=');
  assert.equal(matchesBuffer(r, 'payload', `GET /?data=${encoded} HTTP/1.1`), true);
  assert.equal(matchesBuffer(r, 'payload', `GET /?data=${Buffer.from('cmd=ls').toString('base64')} HTTP/1.1`), false);
  assert.equal(matchesBuffer(r, 'payload', 'GET /?data=!!!! HTTP/1.1'), false);
  const bytesOpt = rule('base64_decode:bytes 8, offset 2; base64_data; content:"hello";');
  assert.equal(matchesBuffer(bytesOpt, 'payload', 'xxaGVsbG8gd29ybGQ='), true);
  assert.equal(rule('base64_decode; base64_data; content:"secret"; fast_pattern;').fastPattern, undefined);
  assert.match(ruleError('base64_data; content:"x";'), /needs a base64_decode/);
  assert.match(ruleError('base64_decode:bytes 0;'), /base64_decode bytes/);
});

test('a hostile relative chain over a run of the same byte gives up as no match (bounded backtracking)', () => {
  const chain = Array.from({ length: 12 }, () => 'content:"a"; distance:0;').join(' ');
  const r = rule(`content:"a"; ${chain} content:"b"; distance:0;`);
  assert.equal(matchesBuffer(r, 'payload', new Uint8Array(65_536).fill(0x61)), false);
  // The same chain still matches where it should.
  assert.equal(matchesBuffer(r, 'payload', 'a'.repeat(13) + 'b'), true);
});
