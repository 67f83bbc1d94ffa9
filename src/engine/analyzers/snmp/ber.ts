/**
 * The part of ASN.1 BER (X.690 §8.1) SNMP needs, bounded: single-byte tags (SNMP uses no tag
 * above 30), definite lengths only (RFC 3417 §8: SNMP messages use the definite form), at most
 * 4 length bytes, every element inside its parent. "Not BER" is undefined, never an exception.
 */
import { LIMITS } from '../../support/limits.js';

export interface Tlv {
  tag: number;
  /** Content: [off, end). */
  off: number;
  end: number;
}

/** The element starting at buf[p], which must end by `end`. */
export function readTlv(buf: Buffer, p: number, end: number): Tlv | undefined {
  if (p + 2 > end) return undefined;
  const tag = buf[p];
  if ((tag & 0x1f) === 0x1f) return undefined; // high-tag-number form
  let l = buf[p + 1];
  p += 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n === 0 || n > 4 || p + n > end) return undefined; // indefinite or absurd
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + buf[p + i];
    p += n;
  }
  if (l > end - p) return undefined;
  return { tag, off: p, end: p + l };
}

/** INTEGER content as a number (two's complement; up to 6 bytes stay exact). */
export function intValue(buf: Buffer, t: Tlv): number | undefined {
  const n = t.end - t.off;
  if (n < 1 || n > 6) return undefined;
  return buf.readIntBE(t.off, n);
}

/** Unsigned application types (Counter32, Gauge32, TimeTicks, Counter64): up to 9 bytes. */
export function uintValue(buf: Buffer, t: Tlv): number | undefined {
  const n = t.end - t.off;
  if (n < 1 || n > 9) return undefined;
  let v = 0;
  for (let i = t.off; i < t.end; i++) v = v * 256 + buf[i];
  return v;
}

/** OBJECT IDENTIFIER content in dotted form (X.690 §8.19), at most LIMITS.snmpMaxOidArcs arcs. */
export function oidValue(buf: Buffer, t: Tlv): string | undefined {
  if (t.off >= t.end) return undefined;
  const arcs: number[] = [];
  let v = 0;
  let first = true;
  for (let i = t.off; i < t.end; i++) {
    const b = buf[i];
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if (b & 0x80) continue;
    if (first) {
      const x = v < 40 ? 0 : v < 80 ? 1 : 2;
      arcs.push(x, v - 40 * x);
      first = false;
    } else arcs.push(v);
    if (arcs.length > LIMITS.snmpMaxOidArcs) return undefined;
    v = 0;
  }
  if (buf[t.end - 1] & 0x80) return undefined; // the last arc is unfinished
  return arcs.join('.');
}
