/**
 * Addresses travel through the engine as four uint32 words (IPv4 as the v4-mapped IPv6
 * address ::ffff:a.b.c.d, as Zeek stores them), so one code path keys, compares and hashes
 * both families. Strings are made only when a record is written.
 */

export const V4_MAPPED_W2 = 0x0000ffff;

export function isV4(w0: number, w1: number, w2: number): boolean {
  return w0 === 0 && w1 === 0 && w2 === V4_MAPPED_W2;
}

export function formatV4(a: number): string {
  return ((a >>> 24) & 255) + '.' + ((a >>> 16) & 255) + '.' + ((a >>> 8) & 255) + '.' + (a & 255);
}

/** RFC 5952 text form of an IPv6 address given as four words. */
export function formatV6(w0: number, w1: number, w2: number, w3: number): string {
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  // Longest run of >= 2 zero groups becomes "::" (first one wins on ties, RFC 5952 §4.2.3).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return head + '::' + tail;
}

export function formatAddr(w0: number, w1: number, w2: number, w3: number): string {
  return isV4(w0, w1, w2) ? formatV4(w3) : formatV6(w0, w1, w2, w3);
}

/** Parses dotted IPv4 or IPv6 text into four words; undefined when it is not an address. */
export function parseAddr(text: string): [number, number, number, number] | undefined {
  if (text.includes('.') && !text.includes(':')) {
    const parts = text.split('.');
    if (parts.length !== 4) return undefined;
    let v = 0;
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
      v = v * 256 + Number(p);
    }
    return [0, 0, V4_MAPPED_W2, v >>> 0];
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const part of s.split(':')) {
      if (part.includes('.')) {
        const v4 = parseAddr(part);
        if (!v4) return undefined;
        out.push(v4[3] >>> 16, v4[3] & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const g = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return [
    ((g[0] << 16) | g[1]) >>> 0,
    ((g[2] << 16) | g[3]) >>> 0,
    ((g[4] << 16) | g[5]) >>> 0,
    ((g[6] << 16) | g[7]) >>> 0,
  ];
}
