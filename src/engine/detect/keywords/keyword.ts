/**
 * The keyword descriptor: one table entry per rule keyword (Suricata's sigmatch_table): its name,
 * what it does, and how its value is parsed into the rule being built. Families of keywords live
 * in one file each in this folder; keywords/index.ts is the one list.
 */
import type { RuleBuilder } from '../rules/builder.js';

export interface KeywordDescriptor {
  readonly name: string;
  /** Other spellings accepted for the same keyword (legacy names). */
  readonly aliases?: readonly string[];
  /** One line for `capdex rules` help and docs. */
  readonly docs: string;
  /** 'none': `keyword;` only; 'required': `keyword:value;`; 'optional': either. */
  readonly value: 'none' | 'required' | 'optional';
  /** Applies the keyword to the rule; throws KeywordError (or UnsupportedKeyword) for bad input. */
  parse(value: string | undefined, rule: RuleBuilder): void;
}

/** A keyword's value is wrong: the rule is reported as an error. */
export class KeywordError extends Error {}

/** The rule uses something we do not implement: not loaded, counted under `keyword`. */
export class UnsupportedKeyword extends Error {
  constructor(readonly keyword: string) {
    super(`unsupported keyword ${keyword}`);
  }
}

/** Splits "a, b ,c" at commas, trimmed. */
export function splitArgs(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

/** An integer in decimal or 0x hex, else KeywordError. */
export function parseInteger(text: string, what: string, min = -(2 ** 53), max = 2 ** 53): number {
  const t = text.trim();
  const n = /^-?\d+$/.test(t) ? Number(t) : /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new KeywordError(`${what}: expected an integer${min > -(2 ** 53) ? ` from ${min}` : ''}${max < 2 ** 53 ? ` to ${max}` : ''}, got ${JSON.stringify(t)}`);
  return n;
}

/**
 * Suricata's unsigned-integer test syntax (dsize, ttl, bsize, filesize, ...): `5`, `!5`, `<5`,
 * `>5`, `<=5`, `>=5`, `5<>10` and `5-10` (both exclusive ranges, as Suricata reads them).
 */
export function parseUintTest(value: string, what: string, max = 2 ** 53): (n: number) => boolean {
  const v = value.trim().replace(/\s+/g, '');
  let m: RegExpExecArray | null;
  const num = (t: string): number => parseInteger(t, what, 0, max);
  if ((m = /^(\d+)(?:<>|-)(\d+)$/.exec(v))) {
    const lo = num(m[1]);
    const hi = num(m[2]);
    if (hi <= lo) throw new KeywordError(`${what}: range ${v} is empty`);
    return (n) => n > lo && n < hi;
  }
  if ((m = /^(<=|>=|<|>|!|=)?(\d+)$/.exec(v))) {
    const x = num(m[2]);
    switch (m[1]) {
      case '<': return (n) => n >= 0 && n < x;
      case '>': return (n) => n > x;
      case '<=': return (n) => n >= 0 && n <= x;
      case '>=': return (n) => n >= x;
      case '!': return (n) => n >= 0 && n !== x;
      default: return (n) => n === x;
    }
  }
  throw new KeywordError(`${what}: cannot read ${JSON.stringify(value)}`);
}

/**
 * A double-quoted rule string (msg, content, ...) with Suricata's escapes `\"` `\;` `\\` `\:`
 * (and any other `\x` kept as x). Returns the text between the quotes, unescaped.
 */
export function unquote(value: string, what: string): string {
  const v = value.trim();
  if (v.length < 2 || v[0] !== '"' || v[v.length - 1] !== '"') throw new KeywordError(`${what}: value must be in double quotes`);
  let out = '';
  for (let i = 1; i < v.length - 1; i++) {
    const c = v[i];
    if (c === '\\') {
      if (i + 1 >= v.length - 1) throw new KeywordError(`${what}: trailing backslash`);
      out += v[++i];
    } else if (c === '"') throw new KeywordError(`${what}: unescaped " inside the value`);
    else out += c;
  }
  return out;
}

/** Rule text is UTF-8: a non-ASCII character in a content stands for its UTF-8 bytes (raw bytes go in |hex|). */
export function toBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}
