import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRegex, RegexSyntaxError, type RegexFlags } from '../../../../src/engine/detect/match/regex.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const budget = (steps = 2_000_000) => ({ pcreStepsLeft: steps, pcreBudgetExhausted: 0 });
const end = (p: string, s: string, f: RegexFlags = {}) => compileRegex(p, f).search(bytes(s), 0, budget());

test('agrees with V8 RegExp on the end offset of the leftmost match for common constructs', () => {
  const cases: [string, string][] = [
    ['abc', 'xxabcx'], ['a|ab', 'ab'], ['(a|ab)(c|bcd)(d*)', 'abcd'], ['x*', 'bbb'], ['a+?b', 'aaab'],
    ['a{2,3}', 'aaaa'], ['a{2,}?', 'aaaa'], ['[a-c]+', 'zzcabz'], ['[^0-9]+', '12ab3'], ['\\d{3}-\\d{4}', 'call 555-1234'],
    ['(\\w+)@(\\w+)\\.com', 'mail bob@example.com now'], ['(\\w+) \\1', 'say hello hello'], ['foo(?=bar)', 'foobaz foobar'],
    ['foo(?!bar)', 'foobar foobaz'], ['(?<=\\$)\\d+', 'cost $42'], ['(?<!\\$)\\b\\d+', '$42 17'], ['\\bis\\b', 'this is'],
    ['(?:ab)+c', 'abababc'], ['^$', ''], ['a.c', 'a\nc abc'], ['[\\]\\-]+', 'x-]-y'], ['(a|b)*?c', 'ababc'],
    ['\\x41\\x42', 'zAB'], ['[\\x00-\\x1f]', 'ab\x01'], ['(?i)get', 'GeT'], ['(?i:ab)c', 'ABc ABC'],
  ];
  for (const [p, s] of cases) {
    if (p.startsWith('(?i:')) continue;
    const js = new RegExp(p.replace('(?i)', ''), p.startsWith('(?i)') ? 'i' : '');
    const m = js.exec(s);
    assert.equal(end(p, s), m ? m.index + m[0].length : -1, `/${p}/ on ${JSON.stringify(s)}`);
  }
  assert.equal(end('(?i:ab)c', 'ABC ABc'), 7);
});

test('PCRE-only syntax: POSIX classes, \\x{..}, \\A \\z \\Z, atomic and possessive, named groups, \\Q..\\E', () => {
  assert.equal(end('[[:digit:]]+', 'ab123'), 5);
  assert.equal(end('[[:^alpha:]]', 'ab1'), 3);
  assert.equal(end('\\x{41}', 'zA'), 2);
  assert.equal(end('\\Aab', 'xab'), -1);
  assert.equal(end('ab\\z', 'ab\n'), -1);
  assert.equal(end('ab\\Z', 'ab\n'), 2);
  assert.equal(end('(?>a+)b', 'aaab'), 4);
  assert.equal(end('(?>a+)a', 'aaaa'), -1); // the atomic group keeps every a
  assert.equal(end('a++a', 'aaaa'), -1);
  assert.equal(end('(?<q>["\'])x\\k<q>', '"x\''), -1);
  assert.equal(end('(?P<q>["\'])x(?P=q)|(?<r>\')x\\k<r>', "'x'"), 3);
  assert.equal(end('\\Q.*\\E', 'a.*'), 3);
  assert.equal(end('(?#comment)ab', 'ab'), 2);
});

test('flags: m, s, x, A, E, G (ungreedy)', () => {
  assert.equal(end('^b', 'a\nb', { m: true }), 3);
  assert.equal(end('^b', 'a\nb'), -1);
  assert.equal(end('a.b', 'a\nb', { s: true }), 3);
  assert.equal(end('a b  c', 'abc', { x: true }), 3);
  assert.equal(end('b', 'ab', { A: true }), -1);
  assert.equal(end('a$', 'a\n', { E: true }), -1);
  assert.equal(end('a+', 'aaa', { G: true }), 1);
});

test('search honours a start offset and bytes above 0x7f', () => {
  const re = compileRegex('\\xff\\xfe');
  assert.equal(re.search(Uint8Array.from([0xff, 0xfe, 0, 0xff, 0xfe]), 1, budget()), 5);
});

test('the step budget: catastrophic patterns give up (counted), benign ones on big inputs do not', () => {
  const b = budget();
  assert.equal(compileRegex('(a+)+$').search(bytes('a'.repeat(100_000) + 'b'), 0, b), -1);
  assert.equal(b.pcreBudgetExhausted, 1);
  assert.ok(b.pcreStepsLeft <= 0);
  const b2 = budget();
  assert.equal(compileRegex('(a|aa)*c').search(bytes('a'.repeat(5000)), 0, b2), -1);
  assert.equal(b2.pcreBudgetExhausted, 1);
  // Deep nesting of a group under a quantifier hits the depth limit, not the JS stack.
  const b3 = budget(1e9);
  assert.equal(compileRegex('(?:a|b)*c').search(bytes('ab'.repeat(50_000)), 0, b3), -1);
  assert.equal(b3.pcreBudgetExhausted, 1);
  // A leading .* is tried once per line, so 64 KiB without a match stays cheap.
  const b4 = budget();
  assert.equal(compileRegex('.*foo').search(bytes('x'.repeat(65_536)), 0, b4), -1);
  assert.equal(b4.pcreBudgetExhausted, 0);
  const b5 = budget();
  assert.equal(compileRegex('[^\\r\\n]{0,200}evil').search(bytes('y'.repeat(16_384) + 'evil'), 0, b5), 16_388);
  assert.equal(b5.pcreBudgetExhausted, 0);
});

test('syntax errors name the problem', () => {
  for (const [p, why] of [['(a', /missing \)/], ['a)', /unmatched \)/], ['[a', /unterminated class/], ['*a', /nothing to repeat/],
    ['a{3,1}', /out of order/], ['\\k<nope>', /bad backreference/], ['[[:nope:]]', /unknown class/], ['a\\', /trailing backslash/]] as const) {
    assert.throws(() => compileRegex(p), (e: unknown) => e instanceof RegexSyntaxError && why.test((e as Error).message), p);
  }
});
