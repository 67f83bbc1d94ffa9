/**
 * IP → autonomous system from @ip-location-db/asn's numeric CSVs (`start,end,asn,"org"`, inclusive
 * ranges, sorted, non-overlapping). Built once at first use into typed arrays (about 400k IPv4 and
 * 100k IPv6 ranges): a binary search per lookup, organisation names interned (far fewer than ranges).
 */
import { readFile } from 'node:fs/promises';

export interface AsnAnswer {
  asn: number;
  org: string;
}

interface V4Table { start: Uint32Array; end: Uint32Array; asn: Uint32Array; org: Uint32Array; n: number }
interface V6Table { startHi: BigUint64Array; startLo: BigUint64Array; endHi: BigUint64Array; endLo: BigUint64Array; asn: Uint32Array; org: Uint32Array; n: number }

/** One CSV line's byte offsets: the three numeric fields and the organisation (quotes stripped). */
interface Fields { a0: number; a1: number; b0: number; b1: number; n0: number; n1: number; o0: number; o1: number }

/** Rows parsed between yields to the event loop: the server keeps answering while the table builds. */
const ROWS_PER_SLICE = 20_000;

/**
 * Walks `buf` line by line without building per-line strings (the IPv4 file is 21 MB: splitting it
 * into strings took seconds); calls `row` with the field offsets of each well-formed line.
 */
async function eachRow(buf: Buffer, row: (f: Fields) => void): Promise<void> {
  let sinceYield = 0;
  const f: Fields = { a0: 0, a1: 0, b0: 0, b1: 0, n0: 0, n1: 0, o0: 0, o1: 0 };
  let pos = 0;
  while (pos < buf.length) {
    let eol = buf.indexOf(0x0a, pos);
    if (eol < 0) eol = buf.length;
    const c1 = buf.indexOf(0x2c, pos);
    const c2 = c1 < 0 || c1 >= eol ? -1 : buf.indexOf(0x2c, c1 + 1);
    const c3 = c2 < 0 || c2 >= eol ? -1 : buf.indexOf(0x2c, c2 + 1);
    if (c3 >= 0 && c3 < eol) {
      let o0 = c3 + 1; let o1 = eol;
      if (o1 > o0 && buf[o1 - 1] === 0x0d) o1--;
      if (o1 - o0 >= 2 && buf[o0] === 0x22 && buf[o1 - 1] === 0x22) { o0++; o1--; }
      f.a0 = pos; f.a1 = c1; f.b0 = c1 + 1; f.b1 = c2; f.n0 = c2 + 1; f.n1 = c3; f.o0 = o0; f.o1 = o1;
      row(f);
    }
    pos = eol + 1;
    if (++sinceYield >= ROWS_PER_SLICE) { sinceYield = 0; await new Promise<void>((r) => setImmediate(r)); }
  }
}

/** A decimal field as a number (IPv4 addresses and AS numbers fit); NaN when not all digits. */
function decimal(buf: Buffer, from: number, to: number): number {
  if (to <= from || to - from > 15) return NaN;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** A decimal field of up to 39 digits (an IPv6 address); undefined when not all digits. */
function bigDecimal(buf: Buffer, from: number, to: number): bigint | undefined {
  if (to <= from || to - from > 39) return undefined;
  for (let i = from; i < to; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return undefined;
  return BigInt(buf.toString('latin1', from, to));
}

/** Counts lines (an upper bound on rows) to size the typed arrays once. */
function lineCount(buf: Buffer): number {
  let n = 1;
  for (let p = buf.indexOf(0x0a); p >= 0; p = buf.indexOf(0x0a, p + 1)) n++;
  return n;
}

const MASK64 = (1n << 64n) - 1n;

export class AsnTable {
  private readonly orgs: string[] = [];
  private readonly orgIndex = new Map<string, number>();

  private constructor(private readonly v4: V4Table, private readonly v6: V6Table) {}

  private intern(buf: Buffer, from: number, to: number): number {
    const org = buf.toString('utf8', from, to).replaceAll('""', '"');
    let i = this.orgIndex.get(org);
    if (i === undefined) { i = this.orgs.length; this.orgs.push(org); this.orgIndex.set(org, i); }
    return i;
  }

  /** Reads both CSVs (the -num variants) from the package folder `dir`. */
  static async load(dir: string): Promise<AsnTable> {
    const [b4, b6] = await Promise.all([readFile(`${dir}/asn-ipv4-num.csv`), readFile(`${dir}/asn-ipv6-num.csv`)]);
    const n4 = lineCount(b4);
    const n6 = lineCount(b6);
    const v4: V4Table = { start: new Uint32Array(n4), end: new Uint32Array(n4), asn: new Uint32Array(n4), org: new Uint32Array(n4), n: 0 };
    const v6: V6Table = { startHi: new BigUint64Array(n6), startLo: new BigUint64Array(n6), endHi: new BigUint64Array(n6), endLo: new BigUint64Array(n6), asn: new Uint32Array(n6), org: new Uint32Array(n6), n: 0 };
    const table = new AsnTable(v4, v6);
    await eachRow(b4, (f) => {
      const s = decimal(b4, f.a0, f.a1); const e = decimal(b4, f.b0, f.b1); const as = decimal(b4, f.n0, f.n1);
      if (!(s <= e && e <= 0xffffffff) || Number.isNaN(as)) return;
      const i = v4.n++;
      v4.start[i] = s; v4.end[i] = e; v4.asn[i] = as; v4.org[i] = table.intern(b4, f.o0, f.o1);
    });
    await eachRow(b6, (f) => {
      const s = bigDecimal(b6, f.a0, f.a1); const e = bigDecimal(b6, f.b0, f.b1); const as = decimal(b6, f.n0, f.n1);
      if (s === undefined || e === undefined || s > e || Number.isNaN(as)) return;
      const i = v6.n++;
      v6.startHi[i] = (s >> 64n) & MASK64; v6.startLo[i] = s & MASK64; v6.endHi[i] = (e >> 64n) & MASK64; v6.endLo[i] = e & MASK64;
      v6.asn[i] = as; v6.org[i] = table.intern(b6, f.o0, f.o1);
    });
    return table;
  }

  get size(): { v4: number; v6: number } {
    return { v4: this.v4.n, v6: this.v6.n };
  }

  /** The AS of an IPv4 address given as an unsigned 32-bit number. */
  lookupV4(ip: number): AsnAnswer | undefined {
    const t = this.v4;
    let lo = 0; let hi = t.n - 1; let found = -1;
    while (lo <= hi) { // last range whose start <= ip
      const mid = (lo + hi) >>> 1;
      if (t.start[mid] <= ip) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0 || t.end[found] < ip) return undefined;
    return { asn: t.asn[found], org: this.orgs[t.org[found]] };
  }

  /** The AS of an IPv6 address given as four 32-bit words. */
  lookupV6(w: readonly [number, number, number, number]): AsnAnswer | undefined {
    const t = this.v6;
    const ipHi = (BigInt(w[0]) << 32n) | BigInt(w[1]);
    const ipLo = (BigInt(w[2]) << 32n) | BigInt(w[3]);
    const le = (aHi: bigint, aLo: bigint, bHi: bigint, bLo: bigint) => aHi < bHi || (aHi === bHi && aLo <= bLo);
    let lo = 0; let hi = t.n - 1; let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (le(t.startHi[mid], t.startLo[mid], ipHi, ipLo)) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0 || !le(ipHi, ipLo, t.endHi[found], t.endLo[found])) return undefined;
    return { asn: t.asn[found], org: this.orgs[t.org[found]] };
  }
}
