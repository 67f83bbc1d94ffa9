/**
 * A PCRE-syntax regex engine over bytes, with a step budget.
 *
 * Why our own: rule pcres run on attacker-controlled buffers, and V8's backtracking engine has no
 * way to stop a match (`(a+)+$` against "aaaa…ab" runs for ages; a worker with a timeout costs a
 * thread hop per match). Rejecting "dangerous" patterns would refuse real ET rules and still miss
 * polynomial cases (`.*a.*b.*c`). So every pcre runs here: a backtracking matcher compiled to
 * closures, each node visit costing one step from MatchState.pcreStepsLeft, recursion capped by
 * DETECT_LIMITS.pcreMaxDepth. Running out is "no match" (counted in pcreBudgetExhausted), never a
 * hang. Single-character repeats (`a*`, `[^\r\n]+`, `.*`) are iterative, so common patterns need
 * no recursion per byte.
 *
 * Supported: literals and escapes (\xHH, \x{H}, octal, \n \r \t \f \v \e \a \0), \d \w \s and
 * negations, classes with ranges and POSIX [:alpha:] names, `.`, anchors ^ $ \A \Z \z \b \B, groups
 * (capturing, (?:), named, atomic (?>), lookahead/lookbehind, inline flags (?i) (?-i) (?i:…)),
 * alternation, greedy/lazy/possessive quantifiers, backreferences \1..\99 \k<name> \g{n}.
 * Flags: i, s, m, x, plus PCRE's A (anchored), E (dollar end only), G (ungreedy).
 */
import { DETECT_LIMITS } from './limits.js';

/** The budget a search draws from; MatchState satisfies it. */
export interface RegexBudget {
  pcreStepsLeft: number;
  pcreBudgetExhausted: number;
}

export interface RegexFlags {
  i?: boolean; s?: boolean; m?: boolean; x?: boolean; A?: boolean; E?: boolean; G?: boolean;
}

export interface CompiledRegex {
  /**
   * Leftmost match starting at or after `from`: the end offset, or -1 for no match (including when
   * the budget ran out: then budget.pcreBudgetExhausted is incremented).
   */
  search(buf: Uint8Array, from: number, budget: RegexBudget): number;
}

type Cont = (i: number) => boolean;
type Node = (i: number, k: Cont) => boolean;

/** Thrown inside the matcher only, caught in search(): the budget or depth ran out. */
class Exhausted extends Error {}
const EXHAUSTED = new Exhausted('pcre budget exhausted');

/** Per-search context shared by the compiled closures (one search at a time per compiled regex). */
interface Ctx {
  buf: Uint8Array;
  len: number;
  budget: RegexBudget;
  depth: number;
  caps: Int32Array; // [start0, end0, start1, end1, ...]
}

export class RegexSyntaxError extends Error {}

const LOWER = new Uint8Array(256).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : c));
const UPPER = new Uint8Array(256).map((_, c) => (c >= 97 && c <= 122 ? c - 32 : c));

function classOf(pred: (c: number) => boolean): Uint8Array {
  const set = new Uint8Array(256);
  for (let c = 0; c < 256; c++) if (pred(c)) set[c] = 1;
  return set;
}
/** `.` without and with /s. Shared by every regex: atom sets are only read once made. */
const DOT = classOf((b) => b !== 10);
const DOT_ALL = classOf(() => true);

/**
 * The set of one literal byte (both cases under /i), made once per byte and shared: a rule's
 * pcre is mostly literals, and a fresh 256-byte set and a 256-step fold per literal was most of
 * the cost of loading the bundled rules (their pcres run cold, in the interpreter).
 */
const LITERAL_SETS: (Uint8Array | undefined)[] = new Array(512);
function literalSet(b: number, nocase: boolean): Uint8Array {
  const k = nocase ? 256 + b : b;
  let set = LITERAL_SETS[k];
  if (set === undefined) {
    set = new Uint8Array(256);
    set[b] = 1;
    if (nocase) { set[LOWER[b]] = 1; set[UPPER[b]] = 1; }
    LITERAL_SETS[k] = set;
  }
  return set;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWord = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const DIGIT = classOf(isDigit);
const WORD = classOf(isWord);
const SPACE = classOf(isSpace);
const POSIX: Record<string, (c: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: isDigit,
  alnum: (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: isSpace,
  xdigit: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
  punct: (c) => c > 32 && c < 127 && !isWord(c) || c === 95,
  print: (c) => c >= 32 && c < 127,
  graph: (c) => c > 32 && c < 127,
  cntrl: (c) => c < 32 || c === 127,
  word: isWord,
  blank: (c) => c === 32 || c === 9,
};

interface Flags { i: boolean; s: boolean; m: boolean; x: boolean; E: boolean; G: boolean }

/** Parses `pattern` (a string of byte values, one char per byte) and compiles it. Throws RegexSyntaxError. */
export function compileRegex(pattern: string, flags: RegexFlags = {}): CompiledRegex {
  const p = new Parser(pattern);
  const f: Flags = { i: !!flags.i, s: !!flags.s, m: !!flags.m, x: !!flags.x, E: !!flags.E, G: !!flags.G };
  const ctx: Ctx = { buf: new Uint8Array(0), len: 0, budget: { pcreStepsLeft: 0, pcreBudgetExhausted: 0 }, depth: 0, caps: new Int32Array(0) };
  const root = p.parseAlternation(ctx, f);
  if (p.pos < pattern.length) throw new RegexSyntaxError(`unmatched ) at ${p.pos}`);
  ctx.caps = new Int32Array((p.groups + 1) * 2);
  const anchored = !!flags.A;
  const first = p.firstSet;
  // A leading greedy `.*` fails at every later start if it fails at this one (PCRE's implicit
  // anchoring): try only the first start and, without /s, the starts after each newline.
  const dotStar = /^\.\*(?![?+])/.test(pattern);
  const dotAll = !!flags.s;
  return {
    search(buf, from, budget) {
      ctx.buf = buf;
      ctx.len = buf.length;
      ctx.budget = budget;
      ctx.depth = 0;
      let end = -1;
      const done: Cont = (i) => { end = i; return true; };
      try {
        const last = anchored ? Math.min(from, buf.length) : buf.length;
        for (let s = from; s <= last; s++) {
          if (first && s < buf.length && !first[buf[s]]) continue;
          if (first && s >= buf.length) break;
          if (dotStar && s > from && (dotAll || buf[s - 1] !== 10)) continue;
          ctx.caps.fill(-1);
          if (--budget.pcreStepsLeft < 0) throw EXHAUSTED;
          if (root(s, done)) return end;
        }
        return -1;
      } catch (err) {
        // A RangeError is the JS stack running out on a pathological nesting: same verdict.
        if (err instanceof Exhausted || err instanceof RangeError) {
          budget.pcreBudgetExhausted++;
          if (budget.pcreStepsLeft > 0) budget.pcreStepsLeft = 0;
          return -1;
        }
        throw err;
      }
    },
  };
}

class Parser {
  pos = 0;
  groups = 0;
  nodes = 0;
  nesting = 0;
  readonly names = new Map<string, number>();
  /** Bytes a match can start with, when the pattern's first element is a simple required atom. */
  firstSet: Uint8Array | undefined;
  private atStart = true;

  constructor(private readonly src: string) {}

  private fail(reason: string): never {
    throw new RegexSyntaxError(`${reason} at offset ${this.pos}`);
  }

  private count(): void {
    if (++this.nodes > DETECT_LIMITS.maxRegexNodes) this.fail('pattern too large');
  }

  parseAlternation(ctx: Ctx, flags: Flags): Node {
    const branches: Node[] = [];
    const startAtStart = this.atStart;
    let multi = false;
    for (;;) {
      branches.push(this.parseSequence(ctx, flags));
      if (this.src[this.pos] !== '|') break;
      this.pos++;
      multi = true;
      this.atStart = false;
    }
    if (multi && startAtStart) this.firstSet = undefined;
    if (branches.length === 1) return branches[0];
    return (i, k) => {
      for (const b of branches) if (b(i, k)) return true;
      return false;
    };
  }

  private parseSequence(ctx: Ctx, flags: Flags): Node {
    const parts: Quantified[] = [];
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '|' || c === ')') break;
      if (flags.x && (c === ' ' || c === '\t' || c === '\n' || c === '\r')) { this.pos++; continue; }
      if (flags.x && c === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
        continue;
      }
      const wasStart = this.atStart;
      const atom = this.parseAtom(ctx, flags);
      if (!atom) continue; // inline flag group: changes flags, matches nothing
      this.count();
      const q = this.parseQuantifier(flags, atom);
      if (wasStart && q.min === 0) this.firstSet = undefined;
      parts.push(q);
    }
    // A one-byte repeat followed by a required one-byte atom only stops where that byte can
    // follow (PCRE's auto-possessification idea): `[^\r\n]{0,200}e` tries one end, not 200.
    const items = parts.map((q, n) => {
      const next = parts[n + 1];
      const follow = next && next.set && next.min >= 1 && !q.possessive ? next.set : undefined;
      return q.set && q.repeat ? wrapPossessive(repeatSingle(ctx, q.set, q.min, q.max, q.greedy, follow), q.possessive)
        : q.repeat ? wrapPossessive(repeatNode(ctx, q.atom, q.min, q.max, q.greedy), q.possessive) : q.atom;
    });
    if (items.length === 0) return (i, k) => k(i);
    if (items.length === 1) return items[0];
    // Right fold: items[0](i, j => items[1](j, ... k)).
    let node = items[items.length - 1];
    for (let n = items.length - 2; n >= 0; n--) {
      const head = items[n];
      const tail = node;
      node = (i, k) => head(i, (j) => tail(j, k));
    }
    return node;
  }

  /** Returns a node, or undefined for `(?i)`-style flag settings. `single` is set for one-byte atoms. */
  private single: Uint8Array | undefined;

  private parseAtom(ctx: Ctx, flags: Flags): Node | undefined {
    this.single = undefined;
    const c = this.src[this.pos++];
    let set: Uint8Array | undefined;
    /** The set already holds both cases of its letters (no /i fold needed). */
    let caseClosed = false;
    switch (c) {
      case '(': {
        const group = this.parseGroup(ctx, flags);
        this.single = undefined; // set by the group's last inner atom: the group itself is not one byte
        return group;
      }
      case '.': set = flags.s ? DOT_ALL : DOT; caseClosed = true; break;
      case '[': set = this.parseClass(flags); caseClosed = true; break; // folded by parseClass under /i
      case '^': {
        const m = flags.m;
        this.atStart = false;
        return (i, k) => (i === 0 || (m && ctx.buf[i - 1] === 10)) && k(i);
      }
      case '$': {
        const m = flags.m;
        const endOnly = flags.E;
        this.atStart = false;
        return (i, k) => (i === ctx.len || (!endOnly && i === ctx.len - 1 && ctx.buf[i] === 10) || (m && ctx.buf[i] === 10)) && k(i);
      }
      case '\\': {
        const r = this.parseEscape(ctx, false);
        if (typeof r === 'function') { this.atStart = false; return r; }
        set = r;
        break;
      }
      case '*': case '+': case '?': this.fail('nothing to repeat');
      // falls through (fail never returns)
      default:
        set = literalSet(c.charCodeAt(0) & 0xff, flags.i);
        caseClosed = true;
    }
    if (flags.i && set && !caseClosed) for (let b = 0; b < 256; b++) if (set[b]) { set[LOWER[b]] = 1; set[UPPER[b]] = 1; }
    if (this.atStart) { this.firstSet = set; this.atStart = false; }
    this.single = set;
    const s = set!;
    return (i, k) => i < ctx.len && s[ctx.buf[i]] === 1 && k(i + 1);
  }

  private parseGroup(ctx: Ctx, flags: Flags): Node | undefined {
    const src = this.src;
    let kind: 'cap' | 'non' | 'ahead' | 'nahead' | 'behind' | 'nbehind' | 'atomic' = 'cap';
    const inner: Flags = { ...flags };
    let name: string | undefined;
    if (src[this.pos] === '?') {
      this.pos++;
      const t = src[this.pos];
      if (t === ':') { kind = 'non'; this.pos++; }
      else if (t === '=') { kind = 'ahead'; this.pos++; }
      else if (t === '!') { kind = 'nahead'; this.pos++; }
      else if (t === '>') { kind = 'atomic'; this.pos++; }
      else if (t === '#') {
        const end = src.indexOf(')', this.pos);
        if (end < 0) this.fail('unterminated comment');
        this.pos = end + 1;
        return undefined;
      } else if (t === '<' && (src[this.pos + 1] === '=' || src[this.pos + 1] === '!')) {
        kind = src[this.pos + 1] === '=' ? 'behind' : 'nbehind';
        this.pos += 2;
      } else if (t === 'P' && src[this.pos + 1] === '=') {
        const end = src.indexOf(')', this.pos);
        if (end < 0) this.fail('unterminated backreference');
        const ref = src.slice(this.pos + 2, end);
        this.pos = end + 1;
        this.single = undefined;
        return this.backref(ctx, ref);
      } else if (t === '<' || t === "'" || (t === 'P' && src[this.pos + 1] === '<')) {
        if (t === 'P') this.pos++;
        const close = src[this.pos] === "'" ? "'" : '>';
        const end = src.indexOf(close, this.pos + 1);
        if (end < 0) this.fail('unterminated group name');
        name = src.slice(this.pos + 1, end);
        this.pos = end + 1;
      } else {
        // Inline flags: (?i) (?-i) (?i-s) or scoped (?i:...).
        let on = true;
        const target: Flags = { ...flags };
        while (this.pos < src.length && src[this.pos] !== ')' && src[this.pos] !== ':') {
          const f = src[this.pos++];
          if (f === '-') { on = false; continue; }
          if (f === 'i' || f === 's' || f === 'm' || f === 'x') target[f] = on;
          else if (f === 'U') target.G = on;
          else if (f !== 'J') this.fail(`unknown group flag ${f}`);
        }
        if (src[this.pos] === ')') {
          this.pos++;
          Object.assign(flags, target); // applies to the rest of the enclosing group
          return undefined;
        }
        if (src[this.pos] !== ':') this.fail('unterminated group');
        this.pos++;
        kind = 'non';
        Object.assign(inner, target);
      }
    }
    if (++this.nesting > DETECT_LIMITS.pcreMaxNesting) this.fail('groups nested too deeply');
    const capIndex = kind === 'cap' ? ++this.groups : 0;
    if (name !== undefined) this.names.set(name, capIndex);
    const saveFirst = this.firstSet;
    const wasStart = this.atStart;
    const body = this.parseAlternation(ctx, inner);
    if (src[this.pos] !== ')') this.fail('missing )');
    this.pos++;
    this.nesting--;
    if (kind === 'ahead' || kind === 'nahead' || kind === 'behind' || kind === 'nbehind') {
      if (wasStart) { this.firstSet = saveFirst; this.atStart = true; }
    } else if (wasStart && this.firstSet === saveFirst) this.atStart = false;
    const accept: Cont = () => true;
    switch (kind) {
      case 'cap': {
        const si = capIndex * 2;
        return (i, k) => {
          const caps = ctx.caps;
          const os = caps[si];
          const oe = caps[si + 1];
          if (body(i, (j) => {
            const ps = caps[si];
            const pe = caps[si + 1];
            caps[si] = i;
            caps[si + 1] = j;
            if (k(j)) return true;
            caps[si] = ps;
            caps[si + 1] = pe;
            return false;
          })) return true;
          caps[si] = os;
          caps[si + 1] = oe;
          return false;
        };
      }
      case 'non': return body;
      case 'atomic': return (i, k) => {
        let end = -1;
        if (!body(i, (j) => { end = j; return true; })) return false;
        return k(end);
      };
      case 'ahead': return (i, k) => body(i, accept) && k(i);
      case 'nahead': return (i, k) => !body(i, accept) && k(i);
      case 'behind':
      case 'nbehind': {
        const want = kind === 'behind';
        return (i, k) => {
          // Any start j <= i from which the body ends exactly at i (budget-bounded).
          let found = false;
          for (let j = i; j >= 0 && !found; j--) {
            if (--ctx.budget.pcreStepsLeft < 0) throw EXHAUSTED;
            found = body(j, (e) => e === i);
          }
          return found === want && k(i);
        };
      }
    }
  }

  /** After a backslash. Returns a byte set, or a node for assertions and backreferences. */
  private parseEscape(ctx: Ctx, inClass: boolean): Uint8Array | Node {
    const src = this.src;
    const c = src[this.pos++];
    if (c === undefined) this.fail('trailing backslash');
    const one = (b: number): Uint8Array => { const s = new Uint8Array(256); s[b & 0xff] = 1; return s; };
    switch (c) {
      case 'd': return DIGIT.slice();
      case 'D': return DIGIT.map((v) => 1 - v);
      case 'w': return WORD.slice();
      case 'W': return WORD.map((v) => 1 - v);
      case 's': return SPACE.slice();
      case 'S': return SPACE.map((v) => 1 - v);
      case 'h': return classOf((b) => b === 32 || b === 9 || b === 0xa0);
      case 'H': return classOf((b) => !(b === 32 || b === 9 || b === 0xa0));
      case 'v': return inClass ? one(11) : classOf((b) => b >= 10 && b <= 13 || b === 0x85);
      case 'R': return classOf((b) => b >= 10 && b <= 13 || b === 0x85);
      case 'n': return one(10);
      case 'r': return one(13);
      case 't': return one(9);
      case 'f': return one(12);
      case 'e': return one(27);
      case 'a': return one(7);
      case 'x': {
        let hex: string;
        if (src[this.pos] === '{') {
          const end = src.indexOf('}', this.pos);
          if (end < 0) this.fail('unterminated \\x{');
          hex = src.slice(this.pos + 1, end);
          this.pos = end + 1;
        } else {
          hex = '';
          while (hex.length < 2 && /[0-9a-fA-F]/.test(src[this.pos] ?? '')) hex += src[this.pos++];
        }
        const v = hex === '' ? 0 : parseInt(hex, 16);
        if (!/^[0-9a-fA-F]*$/.test(hex) || v > 255) this.fail('bad \\x escape');
        return one(v);
      }
      case 'c': {
        const ch = src[this.pos++];
        if (ch === undefined) this.fail('bad \\c');
        return one(UPPER[ch.charCodeAt(0) & 0xff] ^ 0x40);
      }
      case 'Q': {
        // \Q...\E quotes literally; as a set we can only return the first byte, so expand via a node.
        const end = src.indexOf('\\E', this.pos);
        const lit = src.slice(this.pos, end < 0 ? src.length : end);
        this.pos = end < 0 ? src.length : end + 2;
        if (inClass) this.fail('\\Q inside a class');
        const bytes = Array.from(lit, (ch) => ch.charCodeAt(0) & 0xff);
        return (i, k) => {
          if (i + bytes.length > ctx.len) return false;
          for (let n = 0; n < bytes.length; n++) if (ctx.buf[i + n] !== bytes[n]) return false;
          return k(i + bytes.length);
        };
      }
    }
    if (!inClass) {
      switch (c) {
        case 'b': case 'B': {
          const want = c === 'b';
          return (i, k) => {
            const a = i > 0 && WORD[ctx.buf[i - 1]] === 1;
            const z = i < ctx.len && WORD[ctx.buf[i]] === 1;
            return (a !== z) === want && k(i);
          };
        }
        case 'A': return (i, k) => i === 0 && k(i);
        case 'z': return (i, k) => i === ctx.len && k(i);
        case 'Z': return (i, k) => (i === ctx.len || (i === ctx.len - 1 && ctx.buf[i] === 10)) && k(i);
        case 'G': return (i, k) => k(i);
        case 'k': case 'g': {
          const open = src[this.pos];
          const close = open === '<' ? '>' : open === '{' ? '}' : open === "'" ? "'" : '';
          let ref: string;
          if (close) {
            const end = src.indexOf(close, this.pos + 1);
            if (end < 0) this.fail('unterminated backreference');
            ref = src.slice(this.pos + 1, end);
            this.pos = end + 1;
          } else {
            const m = /^\d+/.exec(src.slice(this.pos));
            if (!m) this.fail('bad backreference');
            ref = m[0];
            this.pos += ref.length;
          }
          return this.backref(ctx, ref);
        }
      }
      if (c >= '1' && c <= '9') {
        let num = c;
        while (/\d/.test(src[this.pos] ?? '') && num.length < 2) num += src[this.pos++];
        return this.backref(ctx, num);
      }
    }
    if (c >= '0' && c <= '7') {
      let oct = c;
      while (oct.length < 3 && /[0-7]/.test(src[this.pos] ?? '')) oct += src[this.pos++];
      return one(parseInt(oct, 8));
    }
    if (c === 'b') return one(8); // in a class: backspace
    return one(c.charCodeAt(0));
  }

  private backref(ctx: Ctx, ref: string): Node {
    const num = /^\d+$/.test(ref) ? Number(ref) : this.names.get(ref);
    if (num === undefined || num < 1 || num > 99) this.fail(`bad backreference ${ref}`);
    const si = num * 2;
    return (i, k) => {
      if (si + 1 >= ctx.caps.length) return false;
      const s = ctx.caps[si];
      const e = ctx.caps[si + 1];
      if (s < 0) return false;
      const n = e - s;
      if (i + n > ctx.len) return false;
      for (let x = 0; x < n; x++) if (ctx.buf[i + x] !== ctx.buf[s + x]) return false;
      return k(i + n);
    };
  }

  private parseClass(flags: Flags): Uint8Array {
    const src = this.src;
    const set = new Uint8Array(256);
    let negate = false;
    if (src[this.pos] === '^') { negate = true; this.pos++; }
    let first = true;
    for (;;) {
      if (this.pos >= src.length) this.fail('unterminated class');
      let c = src[this.pos];
      if (c === ']' && !first) { this.pos++; break; }
      first = false;
      if (c === '[' && src[this.pos + 1] === ':') {
        const end = src.indexOf(':]', this.pos + 2);
        if (end > 0) {
          let nm = src.slice(this.pos + 2, end);
          const neg = nm.startsWith('^');
          if (neg) nm = nm.slice(1);
          const pred = POSIX[nm];
          if (!pred) this.fail(`unknown class [:${nm}:]`);
          for (let b = 0; b < 256; b++) if (pred(b) !== neg) set[b] = 1;
          this.pos = end + 2;
          continue;
        }
      }
      this.pos++;
      let lo: number;
      if (c === '\\') {
        const r = this.parseEscape({} as Ctx, true);
        if (typeof r === 'function') this.fail('assertion in class');
        let count = 0;
        let only = -1;
        for (let b = 0; b < 256; b++) if (r[b]) { count++; only = b; }
        if (count !== 1) { for (let b = 0; b < 256; b++) if (r[b]) set[b] = 1; continue; }
        lo = only;
      } else lo = c.charCodeAt(0) & 0xff;
      if (src[this.pos] === '-' && src[this.pos + 1] !== ']' && this.pos + 1 < src.length) {
        this.pos++;
        c = src[this.pos++];
        let hi: number;
        if (c === '\\') {
          const r = this.parseEscape({} as Ctx, true);
          if (typeof r === 'function') this.fail('assertion in class');
          hi = r.indexOf(1);
        } else hi = c.charCodeAt(0) & 0xff;
        if (hi < lo) this.fail('range out of order in class');
        for (let b = lo; b <= hi; b++) set[b] = 1;
      } else set[lo] = 1;
    }
    if (flags.i) for (let b = 0; b < 256; b++) if (set[b]) { set[LOWER[b]] = 1; set[UPPER[b]] = 1; }
    if (negate) for (let b = 0; b < 256; b++) set[b] ^= 1;
    return set;
  }

  private parseQuantifier(flags: Flags, atom: Node): Quantified {
    const src = this.src;
    const c = src[this.pos];
    const set = this.single;
    let min: number;
    let max: number;
    if (c === '*') { min = 0; max = Infinity; this.pos++; }
    else if (c === '+') { min = 1; max = Infinity; this.pos++; }
    else if (c === '?') { min = 0; max = 1; this.pos++; }
    else if (c === '{' && /^\{\d+(,\d*)?\}/.test(src.slice(this.pos, this.pos + 16))) {
      const m = /^\{(\d+)(,?)(\d*)\}/.exec(src.slice(this.pos, this.pos + 16))!;
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
      if (max < min) this.fail('quantifier range out of order');
      if (min > 65535 || (max !== Infinity && max > 65535)) this.fail('quantifier too large');
      this.pos += m[0].length;
    } else return { atom, set, min: 1, max: 1, greedy: true, possessive: false, repeat: false };
    let greedy = !flags.G;
    let possessive = false;
    if (src[this.pos] === '?') { greedy = !greedy; this.pos++; }
    else if (src[this.pos] === '+') { possessive = true; this.pos++; }
    return { atom, set, min, max, greedy, possessive, repeat: true };
  }
}

/** An atom with its quantifier, before it is compiled (the next atom may refine it). */
interface Quantified {
  atom: Node;
  /** Set when the atom matches exactly one byte. */
  set: Uint8Array | undefined;
  min: number;
  max: number;
  greedy: boolean;
  possessive: boolean;
  repeat: boolean;
}

function wrapPossessive(node: Node, possessive: boolean): Node {
  if (!possessive) return node;
  return (i, k) => {
    let end = -1;
    if (!node(i, (j) => { end = j; return true; })) return false;
    return k(end);
  };
}

/**
 * `x{min,max}` for a one-byte atom: count the run once, then try the continuation (no recursion
 * per byte). Scanning is charged one step per 16 bytes so a run re-scanned from every start of an
 * unanchored search still draws down the budget. `follow`: bytes the continuation must start with.
 */
function repeatSingle(ctx: Ctx, set: Uint8Array, min: number, max: number, greedy: boolean, follow: Uint8Array | undefined): Node {
  return (i, k) => {
    const buf = ctx.buf;
    const len = ctx.len;
    const limit = max === Infinity ? len : Math.min(len, i + max);
    let n = i;
    while (n < limit && set[buf[n]] === 1) n++;
    const budget = ctx.budget;
    budget.pcreStepsLeft -= (n - i) >>> 4;
    if (n - i < min) return false;
    if (greedy) {
      for (let j = n; j >= i + min; j--) {
        if (follow && (j >= len || follow[buf[j]] !== 1)) continue;
        if (--budget.pcreStepsLeft < 0) throw EXHAUSTED;
        if (k(j)) return true;
      }
    } else {
      for (let j = i + min; j <= n; j++) {
        if (follow && (j >= len || follow[buf[j]] !== 1)) continue;
        if (--budget.pcreStepsLeft < 0) throw EXHAUSTED;
        if (k(j)) return true;
      }
    }
    if (budget.pcreStepsLeft < 0) throw EXHAUSTED;
    return false;
  };
}

/** `(...){min,max}` for a general node: recursive, each level one step and one unit of depth. */
function repeatNode(ctx: Ctx, atom: Node, min: number, max: number, greedy: boolean): Node {
  const step = (count: number, i: number, k: Cont): boolean => {
    if (--ctx.budget.pcreStepsLeft < 0 || ctx.depth > DETECT_LIMITS.pcreMaxDepth) throw EXHAUSTED;
    ctx.depth++;
    try {
      // An empty iteration past the minimum would loop forever: it ends the repetition instead.
      const more = (j: number): boolean => j !== i && step(count + 1, j, k);
      if (count < min) return atom(i, (j) => step(count + 1, j, k));
      if (greedy) return (count < max && atom(i, more)) || k(i);
      return k(i) || (count < max && atom(i, more));
    } finally {
      ctx.depth--;
    }
  };
  return (i, k) => step(0, i, k);
}
