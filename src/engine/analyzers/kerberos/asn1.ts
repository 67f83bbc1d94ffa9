/**
 * The part of ASN.1 DER/BER (X.690 §8.1) Kerberos (RFC 4120 §5) needs, bounded: single-byte
 * tags (Kerberos uses none above APPLICATION 30), definite lengths of at most 4 bytes, every
 * element inside its parent. "Not DER" is undefined, never an exception.
 */
import { LIMITS } from '../../support/limits.js';

import { type Tlv, readTlv } from '../../support/ber.js';

export { type Tlv, readTlv };

/**
 * True when buf[off, end) is a sequence of well-formed elements, constructed ones nested at most
 * LIMITS.krbMaxAsn1Depth deep, at most LIMITS.krbMaxAsn1Elements in all. One pass; primitive
 * contents (the encrypted parts) are skipped, not read.
 */
export function wellFormed(buf: Buffer, off: number, end: number): boolean {
  const budget = { n: LIMITS.krbMaxAsn1Elements };
  return walk(buf, off, end, 0, budget);
}

function walk(buf: Buffer, p: number, end: number, depth: number, budget: { n: number }): boolean {
  if (depth > LIMITS.krbMaxAsn1Depth) return false;
  while (p < end) {
    const t = readTlv(buf, p, end);
    if (!t || --budget.n < 0) return false;
    if (t.tag & 0x20 && !walk(buf, t.off, t.end, depth + 1, budget)) return false;
    p = t.end; // t.end > p: a header takes at least 2 bytes
  }
  return true;
}

/** The context-tagged [n] field of the SEQUENCE content [off, end): its inner element. */
export function field(buf: Buffer, seq: Tlv, n: number): Tlv | undefined {
  let p = seq.off;
  while (p < seq.end) {
    const t = readTlv(buf, p, seq.end);
    if (!t) return undefined;
    if (t.tag === (0xa0 | n)) return readTlv(buf, t.off, t.end);
    p = t.end;
  }
  return undefined;
}

/** Non-negative INTEGER content as a number (up to 6 bytes; Kerberos uses Int32/UInt32). */
export function intValue(buf: Buffer, t: Tlv | undefined): number | undefined {
  if (!t || t.tag !== 0x02) return undefined;
  const n = t.end - t.off;
  if (n < 1 || n > 6) return undefined;
  return buf.readIntBE(t.off, n);
}

/**
 * GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 4120 §5.2.3: KerberosTime) as epoch seconds. As Zeek's
 * GetTimeFromAsn1: 15 characters, or 17 whose first two are skipped; any other length is absent.
 */
export function timeValue(buf: Buffer, t: Tlv | undefined): number | undefined {
  if (!t || t.tag !== 0x18) return undefined;
  const n = t.end - t.off;
  if (n !== 15 && n !== 17) return undefined;
  const base = t.off + n - 15;
  const d = (i: number, n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) {
      const c = buf[base + i + k] - 0x30;
      if (c < 0 || c > 9) return NaN;
      v = v * 10 + c;
    }
    return v;
  };
  const ms = Date.UTC(d(0, 4), d(4, 2) - 1, d(6, 2), d(8, 2), d(10, 2), d(12, 2));
  return Number.isNaN(ms) ? undefined : ms / 1000;
}
