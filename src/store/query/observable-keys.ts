/**
 * Sortable keys the observables index carries next to each value, so wildcard and CIDR searches
 * become index range scans instead of a function called on every row:
 * - `ipKey`: 32 lower-case hex digits of the 16-byte address (IPv4 as ::ffff:a.b.c.d, as the
 *   engine keeps it), so a CIDR block is one contiguous `ipkey BETWEEN lo AND hi` range in both
 *   SQLite and PostgreSQL, with no UDF or `inet` cast on hostile text.
 * - `reverseValue`: the value reversed, so a suffix wildcard (`*.duckdns.org`) is a prefix range.
 * Ingest (store-core, store-pg) fills the columns with these functions; the compiler uses the same.
 */
import { parseAddr } from '../../engine/support/addr.js';

/** 32-hex key of an IPv4 or IPv6 address; undefined when the text is not an address. */
export function ipKey(text: string): string | undefined {
  const w = parseAddr(text);
  return w === undefined ? undefined : wordsKey(w);
}

export function wordsKey(w: readonly number[]): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += (w[i] >>> 0).toString(16).padStart(8, '0');
  return out;
}

/** The value with its code points in reverse order (surrogate pairs kept intact). */
export function reverseValue(value: string): string {
  return Array.from(value).reverse().join('');
}

/** The `ipkey` range [lo, hi] of a CIDR block given as address words and a 0..128 prefix length. */
export function cidrKeyRange(w: readonly number[], prefix: number): [string, string] {
  const lo: number[] = [];
  const hi: number[] = [];
  let bits = prefix;
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(32, bits));
    const mask = take === 0 ? 0 : take === 32 ? 0xffffffff : (~(0xffffffff >>> take)) >>> 0;
    lo.push((w[i] & mask) >>> 0);
    hi.push(((w[i] & mask) | (~mask >>> 0)) >>> 0);
    bits -= take;
  }
  return [wordsKey(lo), wordsKey(hi)];
}
