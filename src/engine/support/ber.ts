/**
 * One ASN.1 BER/DER element (X.690 §8.1), bounded, for every protocol that speaks ASN.1 (SNMP,
 * Kerberos, ...): single-byte tags (none of them uses tag numbers above 30), definite lengths of
 * at most 4 bytes, the element inside its parent. "Not BER" is undefined, never an exception.
 */

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
