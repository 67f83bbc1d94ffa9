/**
 * A bounded DER (X.690) TLV reader. Every length is checked against the enclosing element, only
 * definite lengths are accepted (DER forbids the indefinite form, X.690 §10.1), and a length
 * needing more than 4 octets is refused: nothing in a certificate is that large.
 */

/** One decoded TLV: the value is buf[start, end); the whole element is buf[off, end). */
export interface Tlv {
  /** Class bits (0 universal, 1 application, 2 context, 3 private). */
  cls: number;
  constructed: boolean;
  /** Tag number (low tag number form, or high form up to 2^28). */
  tag: number;
  off: number;
  start: number;
  end: number;
}

/** Reads the TLV at buf[off] that must end by `limit`; undefined when malformed. */
export function readTlv(buf: Buffer, off: number, limit: number): Tlv | undefined {
  if (off + 2 > limit) return undefined;
  const id = buf[off];
  let p = off + 1;
  let tag = id & 0x1f;
  if (tag === 0x1f) {
    // High tag number form (X.690 §8.1.2.4): base-128, at most 4 octets.
    tag = 0;
    for (let i = 0; ; i++) {
      if (p >= limit || i >= 4) return undefined;
      const b = buf[p++];
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= limit) return undefined;
  let len = buf[p++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return undefined; // indefinite or absurd
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  }
  if (len > limit - p) return undefined;
  return { cls: id >> 6, constructed: (id & 0x20) !== 0, tag, off, start: p, end: p + len };
}

/** Universal tags used by X.509. */
export const enum Tag {
  Boolean = 1, Integer = 2, BitString = 3, OctetString = 4, Null = 5, Oid = 6,
  Utf8String = 12, Sequence = 16, Set = 17, NumericString = 18, PrintableString = 19,
  T61String = 20, Ia5String = 22, UtcTime = 23, GeneralizedTime = 24, VisibleString = 26,
  UniversalString = 28, BmpString = 30,
}

/** The universal SEQUENCE at buf[off] (undefined if it is anything else). */
export function readSeq(buf: Buffer, off: number, limit: number): Tlv | undefined {
  const t = readTlv(buf, off, limit);
  return t && t.cls === 0 && t.constructed && t.tag === Tag.Sequence ? t : undefined;
}

/** Dotted-decimal form of an OBJECT IDENTIFIER value (X.690 §8.19); undefined if malformed. */
export function oidString(buf: Buffer, start: number, end: number): string | undefined {
  if (start >= end || end - start > 64) return undefined;
  const parts: number[] = [];
  let v = 0;
  let digits = 0;
  for (let p = start; p < end; p++) {
    const b = buf[p];
    if (digits === 0 && b === 0x80) return undefined; // non-minimal encoding
    v = v * 128 + (b & 0x7f);
    digits++;
    if (digits > 8) return undefined;
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
      digits = 0;
    }
  }
  if (digits !== 0) return undefined;
  return parts.join('.');
}

/** Upper-case hex of buf[start, end). */
export function hexUpper(buf: Buffer, start: number, end: number): string {
  return buf.toString('hex', start, end).toUpperCase();
}
