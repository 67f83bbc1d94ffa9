/**
 * MinHash signatures (our own code): a capture's feature set → MINHASH_SIZE 32-bit minima, one per
 * hash function; the fraction of equal positions between two signatures estimates the Jaccard
 * similarity of the sets (error ~ 1/sqrt(MINHASH_SIZE) ≈ 0.09). Locality-sensitive hashing splits
 * a signature into LSH_BANDS bands of LSH_ROWS values: two captures share a band's bucket with
 * probability J^LSH_ROWS, so candidates for "similar" are the captures sharing any bucket (with
 * 32 × 4: J = 0.5 is found with probability 0.87, J = 0.2 with 0.05).
 *
 * Hash functions: each feature is hashed once to two 32-bit values (FNV-1a and a second seed);
 * function i is fmix32(h1 + i·h2) (Kirsch–Mitzenmacher double hashing), so a signature costs one
 * string hash and MINHASH_SIZE multiplies per feature, no allocation in the loop.
 */
import { fmix as fmix32 } from '../../engine/flow/uid.js';

export const MINHASH_SIZE = 128;
export const LSH_BANDS = 32;
export const LSH_ROWS = MINHASH_SIZE / LSH_BANDS;

/** FNV-1a over UTF-16 code units, from a seed. */
export function fnv1a(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** The signature of a set of feature strings (all 0xffffffff for an empty set). */
export function minhash(features: Iterable<string>): Uint32Array {
  const sig = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  for (const f of features) {
    const h1 = fnv1a(f, 0x811c9dc5);
    const h2 = fnv1a(f, 0x9747b28c) | 1;
    for (let i = 0; i < MINHASH_SIZE; i++) {
      const v = fmix32((h1 + Math.imul(i, h2)) >>> 0);
      if (v < sig[i]) sig[i] = v;
    }
  }
  return sig;
}

/** Estimated Jaccard similarity: the fraction of positions where the signatures agree. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < MINHASH_SIZE; i++) if (a[i] === b[i]) same++;
  return same / MINHASH_SIZE;
}

/** One LSH bucket per band: band · 2^32 + a 32-bit hash of the band's values (exact in a double). */
export function lshBuckets(sig: Uint32Array): number[] {
  const out: number[] = new Array<number>(LSH_BANDS);
  for (let b = 0; b < LSH_BANDS; b++) {
    let h = 0x2545f491 ^ b;
    for (let r = 0; r < LSH_ROWS; r++) h = fmix32((Math.imul(h, 31) + sig[b * LSH_ROWS + r]) >>> 0);
    out[b] = b * 0x1_0000_0000 + h;
  }
  return out;
}

/** Bytes as stored (little-endian u32s), and back; a wrong-sized blob reads as the empty signature. */
export function signatureBytes(sig: Uint32Array): Buffer {
  const buf = Buffer.alloc(MINHASH_SIZE * 4);
  for (let i = 0; i < MINHASH_SIZE; i++) buf.writeUInt32LE(sig[i], i * 4);
  return buf;
}

export function signatureFromBytes(buf: Uint8Array): Uint32Array {
  const sig = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  if (buf.length !== MINHASH_SIZE * 4) return sig;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < MINHASH_SIZE; i++) sig[i] = view.getUint32(i * 4, true);
  return sig;
}
