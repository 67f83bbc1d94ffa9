import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, matchesBuffer, rule, ruleError, sharedState } from './rule-helpers.js';

test('pcre: flags i, s, m, x, A, E', () => {
  assert.equal(matches('pcre:"/^get\\s/i";', 'GET /'), true);
  assert.equal(matches('pcre:"/^get\\s/";', 'GET /'), false);
  assert.equal(matches('pcre:"/a.b/";', 'a\nb'), false);
  assert.equal(matches('pcre:"/a.b/s";', 'a\nb'), true);
  assert.equal(matches('pcre:"/^Host:/m";', 'GET /\nHost: x'), true);
  assert.equal(matches('pcre:"/^Host:/";', 'GET /\nHost: x'), false);
  assert.equal(matches('pcre:"/ a b c /x";', 'abc'), true);
  assert.equal(matches('pcre:"/b/A";', 'ab'), false);
  assert.equal(matches('pcre:"/ab$/";', 'ab\n'), true);
  assert.equal(matches('pcre:"/ab$/E";', 'ab\n'), false);
});

test('pcre: negation and R (relative to the previous match)', () => {
  assert.equal(matches('pcre:!"/evil/";', 'good'), true);
  assert.equal(matches('pcre:!"/evil/";', 'evil'), false);
  assert.equal(matches('content:"id="; pcre:"/^\\d+&/R";', 'x=1&id=42&'), true);
  assert.equal(matches('content:"id="; pcre:"/^\\d+&/R";', 'id=x42&'), false);
  // A pcre match moves the cursor for the next relative content.
  assert.equal(matches('pcre:"/v=\\d+/"; content:";"; distance:0; within:1;', 'v=123;'), true);
  assert.equal(matches('pcre:"/v=\\d+/"; content:";"; distance:0; within:1;', 'v=123 ;'), false);
});

test('pcre: escaped quotes, semicolons and slashes from the rule text', () => {
  assert.equal(matches('pcre:"/a\\;b\\"c\\/d/";', 'a;b"c/d'), true);
});

test('pcre: HTTP modifiers put the pcre on the sticky buffer', () => {
  const r = rule('pcre:"/\\.php\\?id=/U"; pcre:"/^Mozilla/V";', 'alert http any any -> any any');
  assert.deepEqual(r.lists.map((l) => l.buffer).sort(), ['http.uri', 'http.user_agent']);
  assert.equal(matchesBuffer(r, 'http.uri', '/a.php?id=1'), true);
  assert.equal(matchesBuffer(r, 'http.user_agent', 'curl/8'), false);
  assert.match(ruleError('http.host; pcre:"/x/U";', 'alert http any any -> any any'), /conflicts with the sticky buffer/);
});

test('pcre: a pathological (a+)+$ on 100 KB of "a" then "b" ends within the budget as no match', () => {
  const r = rule('pcre:"/(a+)+$/";');
  const before = sharedState.pcreBudgetExhausted;
  assert.equal(matchesBuffer(r, 'payload', 'a'.repeat(100_000) + 'b'), false);
  assert.equal(sharedState.pcreBudgetExhausted, before + 1, 'the budget ran out (and was counted)');
  // The benign case of the same pattern still matches.
  assert.equal(matchesBuffer(r, 'payload', 'a'.repeat(100_000)), true);
  // Polynomial blow-up is bounded too.
  const poly = rule('pcre:"/(.*a){20}/";');
  assert.equal(matchesBuffer(poly, 'payload', 'a'.repeat(15) + 'b'.repeat(50_000)), false);
  assert.equal(sharedState.pcreBudgetExhausted, before + 2);
});

test('pcre: syntax errors are rule errors with a reason', () => {
  assert.match(ruleError('pcre:"/(abc/";'), /pcre: missing \)/);
  assert.match(ruleError('pcre:"/abc";'), /closing/);
  assert.match(ruleError('pcre:"/abc/q";'), /unknown flag q/);
  assert.match(ruleError('pcre:"/*a/";'), /nothing to repeat/);
  assert.match(ruleError('pcre:"/[z-a]/";'), /out of order/);
});
