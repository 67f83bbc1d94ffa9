/**
 * Reading a query value as the field's type: numbers, times (epoch or ISO 8601 dates, to the
 * precision written), IP addresses and CIDR blocks (as `ipkey` ranges), booleans, and wildcard
 * patterns (as LIKE patterns and the literal prefix/suffix an index range can use). A value that
 * does not fit its field is a QuerySyntaxError at the value's position, never a silent no-match.
 */
import type { PatternPart, Value } from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { formatAddr, parseAddr } from '../../engine/support/addr.js';
import { cidrKeyRange, wordsKey } from './observable-keys.js';

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?$/;

export function parseNumber(v: Value): number {
  const n = NUMBER.test(v.text) ? Number(v.text) : NaN;
  if (!Number.isFinite(n)) throw new QuerySyntaxError(v.pos, 'a number', `expected a number, found '${clip(v.text)}'`);
  return n;
}

/** A time as written: the span [from, to) it names (a day, a minute, a second), or an exact instant. */
export interface TimeSpan {
  readonly from: number;
  readonly to: number;
  readonly exact: boolean;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function parseTime(v: Value): TimeSpan {
  if (NUMBER.test(v.text)) {
    const t = Number(v.text);
    if (Number.isFinite(t)) return /^[-+]?\d+$/.test(v.text) ? { from: t, to: t + 1, exact: false } : { from: t, to: t, exact: true };
  }
  const m = ISO.exec(v.text);
  if (m) {
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? 0 : Number(m[i])));
    const frac = m[7] ? Number(m[7]) : 0;
    let ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    // Date.UTC rolls 2024-02-31 over to March: a date that does not round-trip does not exist.
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60) {
      if (m[8] && m[8] !== 'Z') {
        const sign = m[8][0] === '-' ? -1 : 1;
        const digits = m[8].slice(1).replace(':', '');
        ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
      }
      const from = ms / 1000 + frac;
      const unit = m[7] ? 0 : m[6] !== undefined ? 1 : m[4] !== undefined ? 60 : 86_400;
      return { from, to: from + unit, exact: unit === 0 };
    }
  }
  throw new QuerySyntaxError(v.pos, 'a time', `expected a time (2024-01-31, 2024-01-31T10:00:00Z or epoch seconds), found '${clip(v.text)}'`);
}

export function parseBool(v: Value): boolean {
  const t = v.text.toLowerCase();
  if (t === 'true' || t === 't' || t === '1') return true;
  if (t === 'false' || t === 'f' || t === '0') return false;
  throw new QuerySyntaxError(v.pos, 'true or false', `expected true or false, found '${clip(v.text)}'`);
}

export type IpValue =
  | { readonly kind: 'exact'; readonly canonical: string; readonly key: string }
  | { readonly kind: 'cidr'; readonly lo: string; readonly hi: string };

/** An address (canonical text, as ingest normalises it) or a CIDR block (its ipkey range). */
export function parseIp(v: Value): IpValue {
  const slash = v.text.indexOf('/');
  const addrText = slash < 0 ? v.text : v.text.slice(0, slash);
  const words = parseAddr(addrText);
  if (words) {
    if (slash < 0) return { kind: 'exact', canonical: formatAddr(...words), key: wordsKey(words) };
    const v4 = !addrText.includes(':');
    const lenText = v.text.slice(slash + 1);
    const len = /^\d{1,3}$/.test(lenText) ? Number(lenText) : -1;
    if (len >= 0 && len <= (v4 ? 32 : 128)) {
      const [lo, hi] = cidrKeyRange(words, v4 ? len + 96 : len);
      return { kind: 'cidr', lo, hi };
    }
    throw new QuerySyntaxError(v.pos + slash + 1, 'a prefix length', `expected a prefix length from 0 to ${v4 ? 32 : 128} after '/'`);
  }
  throw new QuerySyntaxError(v.pos, 'an IP address or CIDR block', `expected an IP address or CIDR block (10.0.0.0/8, 2001:db8::/32), found '${clip(v.text)}'`);
}

/** The ipkey of a range bound (an address; a CIDR block's first or last address). */
export function ipBoundKey(v: Value, end: 'lo' | 'hi'): string {
  const ip = parseIp(v);
  return ip.kind === 'exact' ? ip.key : ip[end];
}

/** LIKE pattern for SQL with ESCAPE '\': `*` → %, `?` → _, literal %, _ and \ escaped. */
export function likePattern(parts: readonly PatternPart[], map: (s: string) => string = (s) => s): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += map(p).replace(/[\\%_]/g, (c) => '\\' + c);
    else out += p.wildcard === '*' ? '%' : '_';
  }
  return out;
}

/** LIKE pattern matching the literal text anywhere (PG free text). */
export function containsPattern(text: string): string {
  return '%' + text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/** Literal text before the first wildcard ('' when the pattern starts with one). */
export function literalPrefix(parts: readonly PatternPart[]): string {
  return typeof parts[0] === 'string' ? parts[0] : '';
}

/** Literal text after the last wildcard. */
export function literalSuffix(parts: readonly PatternPart[]): string {
  const last = parts[parts.length - 1];
  return typeof last === 'string' ? last : '';
}

/** True when the pattern is literal text followed by one trailing `*` (a pure prefix). */
export function isPrefixOnly(parts: readonly PatternPart[]): boolean {
  return parts.length === 2 && typeof parts[0] === 'string' && typeof parts[1] !== 'string' && parts[1].wildcard === '*';
}

/** True when the pattern is one leading `*` followed by literal text (a pure suffix). */
export function isSuffixOnly(parts: readonly PatternPart[]): boolean {
  return parts.length === 2 && typeof parts[0] !== 'string' && parts[0].wildcard === '*' && typeof parts[1] === 'string';
}

/** Upper bound of a prefix range: every string starting with `prefix` is below it (byte order). */
export function prefixEnd(prefix: string): string {
  return prefix + '\u{10FFFF}';
}

/** A value shown in an error message: hostile values are long and hold control characters. */
export function clip(s: string): string {
  const shown = s.length > 40 ? s.slice(0, 40) + '…' : s;
  return shown.replace(/[\u0000-\u001f\u007f]/g, '.');
}
