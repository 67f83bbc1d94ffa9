/**
 * Connection uids in Zeek's shape ("C" + 17 base62 characters, 96 bits), derived from the
 * connection's identity and start time instead of a random source, so analysing the same capture
 * again gives the same uids and a uid found in a report can be looked up again.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (ch) => ch.charCodeAt(0));

/** 32-bit avalanche (murmur3 fmix32). */
export function fmix(h: number): number {
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

/** 62^4: four base62 digits per long division keeps every intermediate below 2^40. */
const B62_4 = 14776336;

/** Digits are written here, last first, and read out as one latin1 string: building the uid by
 *  prepending characters made ~20 intermediate strings per connection (a measurable share of the
 *  flow layer's allocation, bench/engine-stages.ts --alloc flow). */
const digits = Buffer.alloc(18);

/** "C" + 17 base62 digits of the 96-bit number a:b:c. */
export function base62Uid(prefix: string, a: number, b: number, c: number): string {
  let l0 = a >>> 16, l1 = a & 0xffff, l2 = b >>> 16, l3 = b & 0xffff, l4 = c >>> 16, l5 = c & 0xffff;
  // 20 digits are produced, least significant first; the 17 least significant are kept.
  let at = 17;
  for (let chunk = 0; chunk < 5; chunk++) {
    // Long division of the six 16-bit limbs by 62^4; the remainder holds the next four digits.
    let acc = l0; l0 = Math.floor(acc / B62_4); let rem = acc - l0 * B62_4;
    acc = rem * 65536 + l1; l1 = Math.floor(acc / B62_4); rem = acc - l1 * B62_4;
    acc = rem * 65536 + l2; l2 = Math.floor(acc / B62_4); rem = acc - l2 * B62_4;
    acc = rem * 65536 + l3; l3 = Math.floor(acc / B62_4); rem = acc - l3 * B62_4;
    acc = rem * 65536 + l4; l4 = Math.floor(acc / B62_4); rem = acc - l4 * B62_4;
    acc = rem * 65536 + l5; l5 = Math.floor(acc / B62_4); rem = acc - l5 * B62_4;
    for (let k = 0; k < 4 && at > 0; k++) {
      const q = Math.floor(rem / 62);
      digits[at--] = ALPHABET_CODES[rem - q * 62];
      rem = q;
    }
  }
  if (prefix.length === 1 && prefix.charCodeAt(0) < 0x80) {
    digits[0] = prefix.charCodeAt(0);
    return digits.toString('latin1', 0, 18);
  }
  return prefix + digits.toString('latin1', 1, 18);
}

/** A uid for an identity (any list of numbers that pins the flow down, start time included). */
export function uidFor(prefix: string, identity: readonly number[]): string {
  return base62Uid(prefix, hashWords(0x43617064, identity), hashWords(0x65782121, identity), hashWords(0x5a65656b, identity));
}
