/**
 * The part of ASN.1 BER (X.690 §8.1) SNMP needs, bounded: single-byte tags (SNMP uses no tag
 * above 30), definite lengths only (RFC 3417 §8: SNMP messages use the definite form), at most
 * 4 length bytes, every element inside its parent. "Not BER" is undefined, never an exception.
 */
import { LIMITS } from '../../support/limits.js';

import { type Tlv, readTlv } from '../../support/ber.js';

export { type Tlv, readTlv };

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
