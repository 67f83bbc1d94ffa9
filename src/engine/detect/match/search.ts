/**
 * Single-pattern search over bytes for content matching (the prefilter handles many patterns at
 * once; this confirms one). No allocation: the first byte is found with the native indexOf (or a
 * two-case scan for nocase), the rest compared in place.
 */

/** ASCII lower-case table; nocase patterns are stored lower-cased. */
export const TO_LOWER = new Uint8Array(256).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

/**
 * First start >= `from` where `pattern` occurs entirely inside [from, end), or -1.
 * `anchorEnd`: the occurrence must end exactly at `end` (endswith).
 */
export function findPattern(buf: Uint8Array, pattern: Uint8Array, nocase: boolean, from: number, end: number, anchorEnd = false): number {
  const plen = pattern.length;
  if (from < 0) from = 0;
  if (end > buf.length) end = buf.length;
  const last = end - plen;
  if (last < from) return -1;
  if (anchorEnd) return equalsAt(buf, last, pattern, nocase) ? last : -1;
  if (plen === 0) return from;
  const first = pattern[0];
  if (!nocase) {
    let i = from;
    while (i <= last) {
      i = buf.indexOf(first, i);
      if (i < 0 || i > last) return -1;
      let n = 1;
      while (n < plen && buf[i + n] === pattern[n]) n++;
      if (n === plen) return i;
      i++;
    }
    return -1;
  }
  for (let i = from; i <= last; i++) {
    if (TO_LOWER[buf[i]] !== first) continue;
    let n = 1;
    while (n < plen && TO_LOWER[buf[i + n]] === pattern[n]) n++;
    if (n === plen) return i;
  }
  return -1;
}

function equalsAt(buf: Uint8Array, at: number, pattern: Uint8Array, nocase: boolean): boolean {
  for (let n = 0; n < pattern.length; n++) {
    const b = nocase ? TO_LOWER[buf[at + n]] : buf[at + n];
    if (b !== pattern[n]) return false;
  }
  return true;
}
