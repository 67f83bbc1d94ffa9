import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AhoCorasick } from '../../../../src/engine/detect/match/aho-corasick.js';
import { findPattern, TO_LOWER } from '../../../../src/engine/detect/match/search.js';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 2 ** 32; };
}

test('finds overlapping and nested patterns (he, she, his, hers)', () => {
  const ac = new AhoCorasick(['he', 'she', 'his', 'hers'].map((s) => ({ bytes: bytes(s), nocase: false })));
  const got: number[] = [];
  ac.scan(bytes('ushers'), (p) => got.push(p));
  assert.deepEqual(got.sort(), [0, 1, 3]);
});

test('nocase patterns match any case; case-sensitive ones only their own', () => {
  const ac = new AhoCorasick([{ bytes: bytes('GET'), nocase: false }, { bytes: bytes('get'), nocase: true }, { bytes: bytes('Host'), nocase: false }]);
  const got: number[] = [];
  ac.scan(bytes('gEt / HTTP/1.1\r\nhost: x'), (p) => got.push(p));
  assert.deepEqual(got, [1]);
  got.length = 0;
  ac.scan(bytes('GET / HTTP/1.1\r\nHost: x'), (p) => got.push(p));
  assert.deepEqual(got.sort(), [0, 1, 2]);
});

test('reports each pattern once per scan, again on the next scan', () => {
  const ac = new AhoCorasick([{ bytes: bytes('aa'), nocase: false }]);
  let n = 0;
  ac.scan(bytes('aaaaaa'), () => n++);
  assert.equal(n, 1);
  ac.scan(bytes('aa'), () => n++);
  assert.equal(n, 2);
});

test('agrees with a naive search on random patterns and inputs (binary alphabet stresses failure links)', () => {
  const rand = rng(42);
  for (let round = 0; round < 30; round++) {
    const alphabet = round % 2 === 0 ? 'ab' : 'abcXYZ\x00\xff';
    const word = (len: number): string => Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const pats = Array.from({ length: 1 + Math.floor(rand() * 60) }, () => ({ bytes: bytes(word(1 + Math.floor(rand() * 6))), nocase: rand() < 0.5 }));
    const ac = new AhoCorasick(pats);
    const input = bytes(word(300));
    const got = new Set<number>();
    ac.scan(input, (p) => got.add(p));
    const want = new Set<number>();
    pats.forEach((p, i) => {
      const pat = p.nocase ? p.bytes.map((b) => TO_LOWER[b]) : p.bytes;
      if (findPattern(input, pat, p.nocase, 0, input.length) >= 0) want.add(i);
    });
    assert.deepEqual([...got].sort((a, b) => a - b), [...want].sort((a, b) => a - b), `round ${round}`);
  }
});

test('builds 30,000 distinct patterns (dense rows capped) and still matches exactly', () => {
  const rand = rng(7);
  const pats = Array.from({ length: 30000 }, (_, i) => ({ bytes: bytes(`/path${i}/${Math.floor(rand() * 1e6).toString(36)}.php`), nocase: i % 3 === 0 }));
  const ac = new AhoCorasick(pats);
  assert.ok(ac.stateCount > 30000);
  const got: number[] = [];
  ac.scan(bytes('GET /path12345/' + Buffer.from(pats[12345].bytes).toString('latin1').split('/')[2] + ' HTTP/1.1'), (p) => got.push(p));
  assert.deepEqual(got, [12345]);
});
