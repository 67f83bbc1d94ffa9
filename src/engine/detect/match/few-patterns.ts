/**
 * Prefilter for groups with only a handful of fast patterns, built on the native Buffer.indexOf
 * (memchr and Boyer-Moore in C++) instead of a JavaScript automaton.
 *
 * Why: a rule group with five or six patterns (the bundled ruleset's any-port stream rules, the
 * file.data rules) still cost the Aho-Corasick loop one JavaScript step per byte of every stream
 * and file, 2-4 ns a byte. A native search skips bytes at memory speed; only its hits come back to
 * JavaScript. Each pattern is found through an anchor:
 * - a case-sensitive pattern is searched whole (one native call per buffer when it is absent);
 * - a nocase pattern through its rarest byte (BYTE_RANK): a non-letter is one memchr pass, a
 *   letter two (both cases); patterns that pick the same anchor byte share its passes, and each
 *   hit is verified in place (case-folded).
 * The cost is a native call per pass and per anchor hit, so `planFewPatterns` refuses pattern sets
 * that need more than MAX_PASSES passes (the automaton serves those) and callers use the automaton
 * for buffers shorter than FEW_PATTERNS_MIN_BYTES, where the calls cost more than the bytes.
 * Like the automaton, a scan reports each pattern at most once and allocates nothing.
 */
import { TO_LOWER } from './search.js';
import type { AcPattern } from './aho-corasick.js';

/** Native passes over a buffer at most; more, and the automaton's single pass wins. */
export const MAX_PASSES = 6;
/** Shorter buffers go to the automaton: a few native calls cost more than the bytes themselves. */
export const FEW_PATTERNS_MIN_BYTES = 512;

/**
 * How common a byte is in captured traffic (higher: more common), a rough blend of text
 * protocols (English letters, HTTP punctuation) and binary payloads (zeros, 0xff, compressed
 * bytes spread evenly): it only has to rank the anchor candidates within one pattern.
 */
const BYTE_RANK: Uint8Array = (() => {
  const r = new Uint8Array(256).fill(4);
  const lower = 'etaoinsrhldcumfpgwybvkxjqz';
  for (let i = 0; i < lower.length; i++) {
    const w = 60 - 2 * i;
    r[lower.charCodeAt(i)] = w;
    r[lower.charCodeAt(i) - 32] = Math.max(5, w >> 1);
  }
  for (let c = 48; c <= 57; c++) r[c] = 20;
  for (const c of '/.:-=,;"&?_%\'()') r[c.charCodeAt(0)] = 12;
  for (const c of [0x00, 0xff, 0x20, 0x0d, 0x0a, 0x09, 0x01]) r[c] = 100;
  return r;
})();

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

interface Anchored {
  /** The pattern's index (what onMatch reports). */
  readonly pattern: number;
  /** Where the anchor byte sits in the pattern. */
  readonly at: number;
}

/** The plan: whole-pattern searches, and anchor bytes each with the patterns that share it. */
export interface FewPatternsPlan {
  readonly whole: readonly number[];
  readonly anchors: ReadonlyMap<number, readonly Anchored[]>;
}

/** A plan for `patterns` within MAX_PASSES native passes, or undefined when it needs more. */
export function planFewPatterns(patterns: readonly AcPattern[]): FewPatternsPlan | undefined {
  if (patterns.length === 0 || patterns.length > MAX_PASSES) return undefined;
  const whole: number[] = [];
  const anchors = new Map<number, Anchored[]>();
  for (let p = 0; p < patterns.length; p++) {
    const { bytes, nocase } = patterns[p];
    if (bytes.length === 0) return undefined;
    if (!nocase) { whole.push(p); continue; }
    // The rarest byte; a letter counts both its cases (two passes, hits of either).
    let best = 0, bestCost = Infinity;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      const cost = isLetter(c) ? BYTE_RANK[c | 0x20] + BYTE_RANK[c & ~0x20] + 8 : BYTE_RANK[c];
      // An anchor byte another pattern already uses costs no extra pass.
      const shared = anchors.has(TO_LOWER[c]) ? -6 : 0;
      if (cost + shared < bestCost) { bestCost = cost + shared; best = i; }
    }
    const c = TO_LOWER[bytes[best]];
    let list = anchors.get(c);
    if (!list) anchors.set(c, (list = []));
    list.push({ pattern: p, at: best });
  }
  let passes = whole.length;
  for (const c of anchors.keys()) passes += isLetter(c) ? 2 : 1;
  return passes <= MAX_PASSES ? { whole, anchors } : undefined;
}

/** One native pass per anchor byte (letters: one per case). */
interface Pass {
  readonly byte: number;
  readonly members: readonly Anchored[];
}

export class FewPatterns {
  private readonly whole: readonly { pattern: number; needle: Buffer }[];
  private readonly passes: readonly Pass[];
  /** Per pattern: its bytes, lower-cased when nocase (what anchor hits are compared with). */
  private readonly folded: readonly Uint8Array[];
  private readonly seen: Uint32Array;
  private generation = 0;

  constructor(patterns: readonly AcPattern[], plan: FewPatternsPlan) {
    this.folded = patterns.map((p) => (p.nocase ? p.bytes.map((c) => TO_LOWER[c]) : p.bytes));
    this.whole = plan.whole.map((p) => ({ pattern: p, needle: Buffer.from(patterns[p].bytes) }));
    const passes: Pass[] = [];
    for (const [c, members] of plan.anchors) {
      passes.push({ byte: c, members });
      if (isLetter(c)) passes.push({ byte: c & ~0x20, members });
    }
    this.passes = passes;
    this.seen = new Uint32Array(patterns.length);
  }

  /** Calls onMatch(patternIndex) once per distinct pattern that occurs in buf. */
  scan(buf: Uint8Array, onMatch: (pattern: number) => void): void {
    const gen = ++this.generation;
    if (gen === 0xffffffff) { this.seen.fill(0); this.generation = 1; }
    const b = buf instanceof Buffer ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const seen = this.seen;
    for (let w = 0; w < this.whole.length; w++) {
      const x = this.whole[w];
      if (b.indexOf(x.needle) >= 0) { seen[x.pattern] = gen; onMatch(x.pattern); }
    }
    const n = b.length;
    for (let k = 0; k < this.passes.length; k++) {
      const { byte, members } = this.passes[k];
      let left = 0;
      for (let m = 0; m < members.length; m++) if (seen[members[m].pattern] !== gen) left++;
      for (let i = left > 0 ? b.indexOf(byte) : -1; i >= 0; i = b.indexOf(byte, i + 1)) {
        for (let m = 0; m < members.length; m++) {
          const { pattern, at } = members[m];
          if (seen[pattern] === gen) continue;
          const bytes = this.folded[pattern];
          const start = i - at;
          if (start < 0 || start + bytes.length > n || !foldedEquals(b, start, bytes)) continue;
          seen[pattern] = gen;
          onMatch(pattern);
          left--;
        }
        // Every pattern of this anchor found: the rest of the buffer cannot add one.
        if (left === 0) break;
      }
    }
  }
}

/** buf[at, at + pattern.length) equals the (lower-case) pattern, ignoring ASCII case. */
function foldedEquals(buf: Uint8Array, at: number, pattern: Uint8Array): boolean {
  for (let n = 0; n < pattern.length; n++) if (TO_LOWER[buf[at + n]] !== pattern[n]) return false;
  return true;
}
