/**
 * The match program of one detection list: the payload keywords of one buffer (content, pcre,
 * isdataat, byte_test/jump/extract/math, bsize, dataset) run in rule order with a cursor, as
 * Suricata's content inspection does (detect-engine-content-inspection.c):
 * - a content/pcre match moves the cursor to its end; relative keywords (distance/within,
 *   isdataat relative, pcre R, byte_* relative) start from the cursor;
 * - when a later keyword fails, an earlier content is retried at its next occurrence (bounded by
 *   DETECT_LIMITS.maxContentBacktracks) so `content:"a"; content:"b"; distance:0; within:1;`
 *   finds "ab" even after an earlier lone "a".
 * Steps are plain data built by the keyword parsers; this file only interprets them.
 */
import type { MatchProgram, MatchState } from '../rules/rule.js';
import type { CompiledRegex } from './regex.js';
import { DETECT_LIMITS } from './limits.js';
import { findPattern } from './search.js';

/** A number in a keyword that may be a byte_extract variable (slot) instead of a constant. */
export type NumArg = number | { readonly slot: number };

export interface ContentStep {
  readonly kind: 'content';
  /** Pattern bytes; lower-cased when nocase. */
  pattern: Uint8Array;
  nocase: boolean;
  negated: boolean;
  offset?: NumArg;
  depth?: NumArg;
  distance?: NumArg;
  within?: NumArg;
  startswith: boolean;
  endswith: boolean;
  fastPattern?: { only: boolean; offset?: number; length?: number };
}

export interface IsdataatStep {
  readonly kind: 'isdataat';
  n: NumArg;
  relative: boolean;
  negated: boolean;
}

export interface PcreStep {
  readonly kind: 'pcre';
  regex: CompiledRegex;
  relative: boolean;
  negated: boolean;
}

/** How byte_* keywords read a number: binary (1..8 bytes, endianness) or text in a base. */
export interface NumberFormat {
  nbytes: number;
  bigEndian: boolean;
  /** 0: binary; 8, 10, 16: an ASCII number in that base. */
  base: 0 | 8 | 10 | 16;
  bitmask?: number;
}

export interface ByteTestStep {
  readonly kind: 'byte_test';
  fmt: NumberFormat;
  op: '<' | '>' | '=' | '<=' | '>=' | '&' | '^';
  negated: boolean;
  value: NumArg;
  offset: NumArg;
  relative: boolean;
}

export interface ByteJumpStep {
  readonly kind: 'byte_jump';
  fmt: NumberFormat;
  offset: NumArg;
  relative: boolean;
  multiplier: number;
  align: boolean;
  fromBeginning: boolean;
  fromEnd: boolean;
  postOffset: number;
}

export interface ByteExtractStep {
  readonly kind: 'byte_extract';
  fmt: NumberFormat;
  offset: number;
  relative: boolean;
  multiplier: number;
  /** Round the value up to a multiple of 2 or 4; 0 = no alignment. */
  align: number;
  slot: number;
}

export interface ByteMathStep {
  readonly kind: 'byte_math';
  fmt: NumberFormat;
  offset: NumArg;
  relative: boolean;
  oper: '+' | '-' | '*' | '/' | '<<' | '>>';
  rvalue: NumArg;
  slot: number;
}

/** bsize / urilen and friends: a test on the buffer length. */
export interface SizeStep {
  readonly kind: 'size';
  keyword: string;
  test: (len: number) => boolean;
}

/** dataset/datarep and other whole-buffer predicates. */
export interface BufferTestStep {
  readonly kind: 'buffer_test';
  keyword: string;
  test: (buf: Uint8Array) => boolean;
}

/** base64_decode: decode base64 text at the cursor (relative) or an offset, for base64_data. */
export interface Base64DecodeStep {
  readonly kind: 'base64_decode';
  /** Input bytes to decode at most; 0 = to the end of the buffer. */
  bytes: number;
  offset: number;
  relative: boolean;
}

/** base64_data: the remaining keywords of the list inspect the last base64_decode result. */
export interface Base64DataStep {
  readonly kind: 'base64_data';
}

export type Step =
  | ContentStep | IsdataatStep | PcreStep | ByteTestStep | ByteJumpStep | ByteExtractStep
  | ByteMathStep | SizeStep | BufferTestStep | Base64DecodeStep | Base64DataStep;

/** Whether a step reads the cursor (so a failure after it may be cured by retrying an earlier content). */
export function isRelative(s: Step): boolean {
  switch (s.kind) {
    case 'content': return s.distance !== undefined || s.within !== undefined;
    case 'isdataat': case 'pcre': case 'byte_test': case 'byte_jump': case 'byte_extract': case 'byte_math':
    case 'base64_decode':
      return s.relative;
    default: return false;
  }
}

const val = (a: NumArg | undefined, state: MatchState, dflt: number): number =>
  a === undefined ? dflt : typeof a === 'number' ? a : state.vars[a.slot];

/**
 * Reads the number a byte_* keyword names at `pos`, or NaN when it does not fit or is not a
 * number. Binary reads use multiplication, not bit shifts, so 5..8-byte values stay exact up to 2^53.
 */
export function readNumber(buf: Uint8Array, pos: number, fmt: NumberFormat): number {
  if (pos < 0 || pos + fmt.nbytes > buf.length) return NaN;
  let v = 0;
  if (fmt.base === 0) {
    if (fmt.bigEndian) for (let n = 0; n < fmt.nbytes; n++) v = v * 256 + buf[pos + n];
    else for (let n = fmt.nbytes - 1; n >= 0; n--) v = v * 256 + buf[pos + n];
  } else {
    // Like strtoul over the nbytes: digits from the start, at least one.
    let digits = 0;
    for (let n = 0; n < fmt.nbytes; n++) {
      const c = buf[pos + n];
      let d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 99;
      if (d >= fmt.base) d = -1;
      if (d < 0) break;
      v = v * fmt.base + d;
      digits++;
    }
    if (digits === 0) return NaN;
  }
  if (fmt.bitmask !== undefined) {
    // Suricata: value &= mask, then shift right by the mask's trailing zero bits.
    const mask = fmt.bitmask;
    v = Number(BigInt(Math.trunc(v)) & BigInt(mask));
    let m = mask;
    while (m !== 0 && m % 2 === 0) { v = Math.floor(v / 2); m /= 2; }
  }
  return v;
}

function compare(op: ByteTestStep['op'], a: number, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '>': return a > b;
    case '=': return a === b;
    case '<=': return a <= b;
    case '>=': return a >= b;
    case '&': return Number(BigInt(a) & BigInt(b)) !== 0;
    case '^': return Number(BigInt(a) ^ BigInt(b)) !== 0;
  }
}

const BASE64 = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) BASE64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/** RFC 4648 base64 from buf[from, to), stopping at the first byte that is not base64 (as Suricata's decoder). */
export function decodeBase64(buf: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, Math.floor(((to - from) * 3) / 4)));
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = from; i < to; i++) {
    const v = BASE64[buf[i]];
    if (v < 0) break;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

const NOTHING = new Uint8Array(0);

class Program implements MatchProgram {
  private readonly retryAfter: boolean[];
  private backtracks = 0;
  /** The last base64_decode result of this evaluation. */
  private decoded: Uint8Array = NOTHING;

  constructor(private readonly steps: readonly Step[]) {
    // retryAfter[i]: some step after i reads the cursor, so retrying content i can help.
    this.retryAfter = steps.map((_, i) => steps.slice(i + 1).some(isRelative));
  }

  matchBuffer(buf: Uint8Array, state: MatchState): boolean {
    this.backtracks = 0;
    this.decoded = NOTHING;
    state.matchEnd = -1;
    return this.run(0, 0, buf, state);
  }

  private run(i: number, cursor: number, buf: Uint8Array, state: MatchState): boolean {
    const steps = this.steps;
    for (; i < steps.length; i++) {
      const s = steps[i];
      switch (s.kind) {
        case 'content': {
          const relative = s.distance !== undefined || s.within !== undefined;
          let start: number;
          let end: number;
          if (relative) {
            start = cursor + val(s.distance, state, 0);
            end = s.within !== undefined ? start + val(s.within, state, 0) : buf.length;
            if (start < 0) start = 0;
            // Suricata also honours depth/offset on a relative content: depth from the cursor, offset absolute.
            if (s.depth !== undefined) end = Math.min(end, cursor + val(s.depth, state, 0));
            if (s.offset !== undefined) start = Math.max(start, val(s.offset, state, 0));
          } else {
            start = val(s.offset, state, 0);
            end = s.depth !== undefined ? start + val(s.depth, state, 0) : buf.length;
          }
          if (s.startswith) end = Math.min(end, start + s.pattern.length);
          if (end > buf.length) end = buf.length;
          let at = findPattern(buf, s.pattern, s.nocase, start, end, s.endswith);
          if (s.negated) {
            if (at >= 0) return false;
            continue;
          }
          if (at < 0) return false;
          if (!this.retryAfter[i]) { cursor = at + s.pattern.length; continue; }
          // Try each occurrence in turn until the rest of the chain matches.
          while (at >= 0) {
            if (this.run(i + 1, at + s.pattern.length, buf, state)) return true;
            if (++this.backtracks > DETECT_LIMITS.maxContentBacktracks) return false;
            at = findPattern(buf, s.pattern, s.nocase, at + 1, end, s.endswith);
          }
          return false;
        }
        case 'isdataat': {
          const n = val(s.n, state, 0);
          // As Suricata: absolute means a byte exists at offset n; relative, that n more bytes follow the cursor.
          const ok = s.relative ? cursor + n <= buf.length : n < buf.length;
          if (ok === s.negated) return false;
          continue;
        }
        case 'pcre': {
          const from = s.relative ? cursor : 0;
          if (from > buf.length) { if (s.negated) continue; return false; }
          // As Suricata: a relative pcre sees the buffer from the cursor on (^ anchors there).
          const found = s.relative && from > 0 ? s.regex.search(buf.subarray(from), 0, state) : s.regex.search(buf, 0, state);
          const end = found < 0 ? found : s.relative && from > 0 ? found + from : found;
          if (s.negated) {
            if (end >= 0) return false;
            continue;
          }
          if (end < 0) return false;
          cursor = end;
          continue;
        }
        case 'byte_test': {
          const pos = (s.relative ? cursor : 0) + val(s.offset, state, 0);
          const v = readNumber(buf, pos, s.fmt);
          if (Number.isNaN(v)) return false;
          if (compare(s.op, v, val(s.value, state, 0)) === s.negated) return false;
          continue;
        }
        case 'byte_jump': {
          const pos = (s.relative ? cursor : 0) + val(s.offset, state, 0);
          let v = readNumber(buf, pos, s.fmt);
          if (Number.isNaN(v)) return false;
          v *= s.multiplier;
          if (s.align && v % 4 !== 0) v += 4 - (v % 4);
          const base = s.fromEnd ? buf.length : s.fromBeginning ? 0 : pos + s.fmt.nbytes;
          const next = base + v + s.postOffset;
          if (next < 0 || next > buf.length) return false;
          cursor = next;
          continue;
        }
        case 'byte_extract': {
          const pos = (s.relative ? cursor : 0) + s.offset;
          let v = readNumber(buf, pos, s.fmt);
          if (Number.isNaN(v)) return false;
          v *= s.multiplier;
          if (s.align > 0 && v % s.align !== 0) v += s.align - (v % s.align);
          state.vars[s.slot] = v;
          cursor = pos + s.fmt.nbytes;
          continue;
        }
        case 'byte_math': {
          const pos = (s.relative ? cursor : 0) + val(s.offset, state, 0);
          const v = readNumber(buf, pos, s.fmt);
          if (Number.isNaN(v)) return false;
          const r = val(s.rvalue, state, 0);
          let out: number;
          switch (s.oper) {
            case '+': out = v + r; break;
            case '-': out = v - r; break;
            case '*': out = v * r; break;
            case '/': if (r === 0) return false; out = Math.floor(v / r); break;
            case '<<': out = v * 2 ** r; break;
            case '>>': out = Math.floor(v / 2 ** r); break;
          }
          state.vars[s.slot] = out;
          continue;
        }
        case 'size':
          if (!s.test(buf.length)) return false;
          continue;
        case 'buffer_test':
          if (!s.test(buf)) return false;
          continue;
        case 'base64_decode': {
          const from = (s.relative ? cursor : 0) + s.offset;
          const to = s.bytes > 0 ? Math.min(buf.length, from + s.bytes) : buf.length;
          this.decoded = from < buf.length ? decodeBase64(buf, from, to) : NOTHING;
          continue;
        }
        case 'base64_data':
          if (!this.run(i + 1, 0, this.decoded, state)) return false;
          state.matchEnd = -1; // positions in the decoded bytes are not the buffer's
          return true;
      }
    }
    // A chain with no positional match (only negations, sizes, tests) leaves the cursor at 0.
    state.matchEnd = cursor > 0 ? cursor : -1;
    return true;
  }
}

export function compileProgram(steps: readonly Step[]): MatchProgram {
  return new Program(steps);
}
