/**
 * Multi-pattern search (Aho-Corasick) over bytes, case-folded, in typed arrays.
 *
 * The automaton runs on ASCII-lower-cased input; case-sensitive patterns are inserted folded and
 * checked against the raw bytes when they hit, so one automaton serves both kinds.
 * Memory vs speed: a full 256-wide DFA for 300k states would be 300 MB, so only the shallow states
 * (depth <= DENSE_DEPTH, where a scan spends most of its bytes) get a dense transition row; deeper
 * states keep their children as sibling lists (almost always one child) plus a failure link.
 * Scanning allocates nothing; each pattern is reported at most once per scan (generation marks).
 */
import { TO_LOWER } from './search.js';

const DENSE_DEPTH = 6;
/** Dense rows at most (x 256 x 4 bytes = 4 MiB): bounds memory for huge, diverse pattern sets. */
const MAX_DENSE_STATES = 4096;

export interface AcPattern {
  readonly bytes: Uint8Array;
  readonly nocase: boolean;
}

export class AhoCorasick {
  /** Per state: first child, next sibling, the byte leading to it, failure link, depth. */
  private firstChild: Int32Array;
  private nextSibling: Int32Array;
  private edgeByte: Uint8Array;
  private fail: Int32Array;
  private depth: Int32Array;
  /** Per state: first pattern ending here (-1), and the nearest proper suffix state with outputs. */
  private outHead: Int32Array;
  private dictLink: Int32Array;
  /** Per pattern: next pattern ending at the same state. */
  private readonly outNext: Int32Array;
  /** Per state: its dense row index, or -1. */
  private denseRow: Int32Array;
  private dense: Int32Array;
  /** Per raw byte: 1 if it leads out of the root (some pattern starts with it, either case). */
  private readonly leavesRoot = new Uint8Array(256);
  private states = 1;
  private readonly seen: Uint32Array;
  private generation = 0;

  constructor(private readonly patterns: readonly AcPattern[]) {
    let cap = 1;
    for (const p of patterns) cap += p.bytes.length;
    this.firstChild = new Int32Array(cap).fill(-1);
    this.nextSibling = new Int32Array(cap).fill(-1);
    this.edgeByte = new Uint8Array(cap);
    this.fail = new Int32Array(cap);
    this.depth = new Int32Array(cap);
    this.outHead = new Int32Array(cap).fill(-1);
    this.dictLink = new Int32Array(cap).fill(-1);
    this.outNext = new Int32Array(patterns.length).fill(-1);
    this.seen = new Uint32Array(patterns.length);
    const rootKids = new Int32Array(256).fill(-1);
    for (let p = 0; p < patterns.length; p++) {
      const bytes = patterns[p].bytes;
      if (bytes.length === 0) continue;
      let s = 0;
      for (let n = 0; n < bytes.length; n++) {
        const c = TO_LOWER[bytes[n]];
        let t = s === 0 ? rootKids[c] : this.child(s, c);
        if (t < 0) {
          t = this.states++;
          this.edgeByte[t] = c;
          this.depth[t] = this.depth[s] + 1;
          this.nextSibling[t] = this.firstChild[s];
          this.firstChild[s] = t;
          if (s === 0) rootKids[c] = t;
        }
        s = t;
      }
      this.outNext[p] = this.outHead[s];
      this.outHead[s] = p;
    }
    this.denseRow = new Int32Array(this.states).fill(-1);
    this.dense = new Int32Array(0);
    this.link();
  }

  private child(s: number, c: number): number {
    for (let t = this.firstChild[s]; t >= 0; t = this.nextSibling[t]) if (this.edgeByte[t] === c) return t;
    return -1;
  }

  /** Failure and dictionary links in BFS order, then dense rows for the shallow states. */
  private link(): void {
    const order = new Int32Array(this.states);
    let head = 0;
    let tail = 0;
    order[tail++] = 0;
    while (head < tail) {
      const s = order[head++];
      for (let t = this.firstChild[s]; t >= 0; t = this.nextSibling[t]) {
        order[tail++] = t;
        const c = this.edgeByte[t];
        let f = this.fail[s];
        let target = 0;
        if (s !== 0) {
          for (;;) {
            const g = this.child(f, c);
            if (g >= 0) { target = g; break; }
            if (f === 0) break;
            f = this.fail[f];
          }
        }
        this.fail[t] = target;
        this.dictLink[t] = this.outHead[target] >= 0 ? target : this.dictLink[target];
      }
    }
    let denseCount = 0;
    for (let i = 0; i < tail && denseCount < MAX_DENSE_STATES; i++) if (this.depth[order[i]] <= DENSE_DEPTH) denseCount++;
    this.dense = new Int32Array(denseCount * 256);
    let row = 0;
    for (let i = 0; i < tail && row < denseCount; i++) {
      const s = order[i];
      if (this.depth[s] > DENSE_DEPTH) continue;
      this.denseRow[s] = row;
      const base = row * 256;
      // The failure state is shallower, so (BFS order) its row is already filled.
      // Start from the failure state's row, then overwrite with this state's own children.
      if (s !== 0) this.dense.copyWithin(base, this.denseRow[this.fail[s]] * 256, this.denseRow[this.fail[s]] * 256 + 256);
      for (let t = this.firstChild[s]; t >= 0; t = this.nextSibling[t]) this.dense[base + this.edgeByte[t]] = t;
      row++;
    }
    const rootRow = this.denseRow[0];
    for (let b = 0; b < 256; b++) this.leavesRoot[b] = rootRow < 0 || this.dense[rootRow * 256 + TO_LOWER[b]] !== 0 ? 1 : 0;
  }

  get stateCount(): number {
    return this.states;
  }

  /** Calls onMatch(patternIndex) once per distinct pattern that occurs in buf. */
  scan(buf: Uint8Array, onMatch: (pattern: number) => void): void {
    const gen = ++this.generation;
    if (gen === 0xffffffff) { this.seen.fill(0); this.generation = 1; }
    const { dense, denseRow, fail, outHead, dictLink, outNext, seen, patterns, leavesRoot } = this;
    const n = buf.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (s === 0) {
        // At the root a byte no pattern starts with leads back to the root and outputs nothing:
        // skip such runs with one table read per byte (most of a payload, for most rule groups).
        while (i < n && leavesRoot[buf[i]] === 0) i++;
        if (i === n) break;
      }
      const c = TO_LOWER[buf[i]];
      for (;;) {
        const row = denseRow[s];
        if (row >= 0) { s = dense[row * 256 + c]; break; }
        const t = this.child(s, c);
        if (t >= 0) { s = t; break; }
        s = fail[s];
      }
      let o = outHead[s] >= 0 ? s : dictLink[s];
      while (o >= 0) {
        for (let p = outHead[o]; p >= 0; p = outNext[p]) {
          if (seen[p] === gen) continue;
          const pat = patterns[p];
          if (!pat.nocase && !rawEquals(buf, i + 1 - pat.bytes.length, pat.bytes)) continue;
          seen[p] = gen;
          onMatch(p);
        }
        o = dictLink[o];
      }
    }
  }
}

function rawEquals(buf: Uint8Array, at: number, pattern: Uint8Array): boolean {
  for (let n = 0; n < pattern.length; n++) if (buf[at + n] !== pattern[n]) return false;
  return true;
}
