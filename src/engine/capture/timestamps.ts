/**
 * Exact conversion of 64-bit tick counts (pcapng timestamps) to seconds and nanoseconds without
 * BigInt in the packet loop: long division on 16-bit limbs keeps every intermediate below 2^53.
 */

const TWO32 = 4294967296;

/** Result slots, reused: the packet loop must not allocate. */
export const tsOut = { sec: 0, nsec: 0 };

/**
 * Splits the tick count hi*2^32+lo (ticks of 1/unitsPerSec s) into tsOut.sec / tsOut.nsec.
 * unitsPerSec must be a positive integer below 2^31.
 */
export function ticksToSecNsec(hi: number, lo: number, unitsPerSec: number): void {
  let sec: number;
  let rem: number;
  if (hi < 0x200000) {
    // Fits in 53 bits: exact in a double.
    const t = hi * TWO32 + lo;
    sec = Math.floor(t / unitsPerSec);
    rem = t - sec * unitsPerSec;
  } else {
    // Long division, limb by limb (most significant first); remainders stay < unitsPerSec < 2^31.
    const limbs0 = hi >>> 16, limbs1 = hi & 0xffff, limbs2 = lo >>> 16, limbs3 = lo & 0xffff;
    let r = 0;
    let q = 0;
    let acc = r * 65536 + limbs0; q = Math.floor(acc / unitsPerSec); r = acc - q * unitsPerSec; let quot = q;
    acc = r * 65536 + limbs1; q = Math.floor(acc / unitsPerSec); r = acc - q * unitsPerSec; quot = quot * 65536 + q;
    acc = r * 65536 + limbs2; q = Math.floor(acc / unitsPerSec); r = acc - q * unitsPerSec; quot = quot * 65536 + q;
    acc = r * 65536 + limbs3; q = Math.floor(acc / unitsPerSec); r = acc - q * unitsPerSec; quot = quot * 65536 + q;
    sec = quot;
    rem = r;
  }
  tsOut.sec = sec;
  tsOut.nsec = unitsPerSec === 1e9 ? rem : Math.round((rem * 1e9) / unitsPerSec);
  if (tsOut.nsec >= 1e9) { tsOut.sec += 1; tsOut.nsec -= 1e9; }
}
