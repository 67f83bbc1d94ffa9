/**
 * xbits and hostbits (Suricata's detect-xbits.c / detect-hostbits.c): named bits kept on an
 * address (track ip_src / ip_dst) or an address pair (track ip_pair, either order), so one
 * connection can set what a later one tests — "this host fetched the dropper", then "the same
 * host beacons". Each bit lapses `expire` seconds (capture time) after it was last set.
 *
 * Bounded by LIMITS.detectMaxXbits: a full table first sweeps lapsed bits, then forgets the
 * longest-untouched ones (a bit forgotten early can at worst make an isset rule miss).
 */
import { LIMITS } from '../support/limits.js';

/** An address as the engine holds it: four 32-bit words (IPv4 in the last one). */
export interface AddrWords { w0: number; w1: number; w2: number; w3: number }

export class XbitTable {
  /** key → capture time at which the bit lapses; insertion order = least recently set first. */
  private readonly bits = new Map<string, number>();

  /** Key of bit `id` on one address. */
  static hostKey(id: number, a0: number, a1: number, a2: number, a3: number): string {
    return `${id}|${a0}.${a1}.${a2}.${a3}`;
  }

  /** Key of bit `id` on an address pair, the same in both orders. */
  static pairKey(id: number, a0: number, a1: number, a2: number, a3: number, b0: number, b1: number, b2: number, b3: number): string {
    const aFirst = a0 !== b0 ? a0 < b0 : a1 !== b1 ? a1 < b1 : a2 !== b2 ? a2 < b2 : a3 <= b3;
    return aFirst ? `${id}|${a0}.${a1}.${a2}.${a3}|${b0}.${b1}.${b2}.${b3}` : `${id}|${b0}.${b1}.${b2}.${b3}|${a0}.${a1}.${a2}.${a3}`;
  }

  get size(): number {
    return this.bits.size;
  }

  isSet(key: string, now: number): boolean {
    const until = this.bits.get(key);
    if (until === undefined) return false;
    if (until < now) { this.bits.delete(key); return false; }
    return true;
  }

  set(key: string, now: number, expire: number): void {
    this.bits.delete(key); // re-insert: most recently set goes last
    if (this.bits.size >= LIMITS.detectMaxXbits) this.makeRoom(now);
    this.bits.set(key, now + expire);
  }

  unset(key: string): void {
    this.bits.delete(key);
  }

  private makeRoom(now: number): void {
    for (const [k, until] of this.bits) if (until < now) this.bits.delete(k);
    const excess = this.bits.size - LIMITS.detectMaxXbits + 1;
    if (excess <= 0) return;
    let n = 0;
    for (const k of this.bits.keys()) {
      if (n++ >= excess) break;
      this.bits.delete(k);
    }
  }
}
