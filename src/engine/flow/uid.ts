/**
 * Connection uids in Zeek's shape ("C" + 17 base62 characters, 96 bits), derived from the
 * connection's identity and start time instead of a random source, so analysing the same capture
 * again gives the same uids and a uid found in a report can be looked up again.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 32-bit avalanche (murmur3 fmix32). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes a list of 32-bit values into one 32-bit hash with the given seed. */
export function hashWords(seed: number, words: readonly number[]): number {
  let h = seed >>> 0;
  for (const w of words) {
    h = Math.imul(h ^ fmix(w >>> 0), 0x9e3779b1) + 0x7f4a7c15;
    h = (h << 13) | (h >>> 19);
  }
  return fmix(h ^ words.length);
}

/** "C" + 17 base62 digits of the 96-bit number a:b:c. */
export function base62Uid(prefix: string, a: number, b: number, c: number): string {
  const limbs = [a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, c >>> 16, c & 0xffff];
  let out = '';
  for (let digit = 0; digit < 17; digit++) {
    let rem = 0;
    for (let i = 0; i < limbs.length; i++) {
      const acc = rem * 65536 + limbs[i];
      limbs[i] = Math.floor(acc / 62);
      rem = acc - limbs[i] * 62;
    }
    out = ALPHABET[rem] + out;
  }
  return prefix + out;
}

/** A uid for an identity (any list of numbers that pins the flow down, start time included). */
export function uidFor(prefix: string, identity: readonly number[]): string {
  return base62Uid(prefix, hashWords(0x43617064, identity), hashWords(0x65782121, identity), hashWords(0x5a65656b, identity));
}
