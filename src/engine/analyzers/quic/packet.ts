/**
 * QUIC packet headers and the frames of an opened Initial packet (RFC 9000 §17, §19; QUIC v2
 * packet types: RFC 9369 §3.2). Bounded: every length is checked against the datagram end and
 * results say "undefined" instead of throwing.
 */
import { QUIC_V2 } from './initial-crypto.js';

export const enum LongType { Initial, ZeroRtt, Handshake, Retry }

/** RFC 9000 §16 variable-length integer at b[p]; undefined when it runs past `end`. Values
 *  above 2^53 lose precision, which only matters for lengths that are rejected anyway. */
export function varint(b: Buffer, p: number, end: number): { value: number; next: number } | undefined {
  if (p >= end) return undefined;
  const n = 1 << (b[p] >> 6);
  if (p + n > end) return undefined;
  let v = b[p] & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + b[p + i];
  return { value: v, next: p + n };
}

export interface LongHeader {
  version: number;
  /** v1 numbering, whatever the version's wire encoding. */
  type: LongType;
  dcid: Buffer;
  scid: Buffer;
  /** Initial, 0-RTT, Handshake: offset of the packet number; the packet ends at `end`. */
  pnOff: number;
  /** End of this packet in the datagram (Retry: the datagram's end). */
  end: number;
  /** The Length field points past the datagram's end (a truncated capture or not QUIC). */
  truncated: boolean;
}

/** RFC 9000 §17.2: a connection ID is at most 20 bytes in QUIC v1 (longer is not QUIC). */
const MAX_CID = 20;

/** Packet type bits mapped to v1 numbering (v2 rotates them: RFC 9369 §3.2). */
function longType(version: number, bits: number): LongType {
  if (version !== QUIC_V2) return bits as LongType;
  return ((bits + 3) & 3) as LongType; // v2: 1 Initial, 2 0-RTT, 3 Handshake, 0 Retry
}

/**
 * The invariant part of a long header (RFC 8999 §5.1) and, for a known version, the rest of it.
 * `known` says whether the version's layout after the connection IDs may be read.
 */
export function parseLongHeader(b: Buffer, start: number, end: number, known: boolean): LongHeader | undefined {
  if (end - start < 7) return undefined;
  const version = b.readUInt32BE(start + 1);
  let p = start + 5;
  const dl = b[p++];
  if (dl > MAX_CID || p + dl + 1 > end) return undefined;
  const dcid = b.subarray(p, p + dl);
  p += dl;
  const sl = b[p++];
  if (sl > MAX_CID || p + sl > end) return undefined;
  const scid = b.subarray(p, p + sl);
  p += sl;
  const type = longType(version, (b[start] >> 4) & 3);
  const h: LongHeader = { version, type, dcid, scid, pnOff: p, end, truncated: false };
  if (!known || type === LongType.Retry) return h;
  if (type === LongType.Initial) {
    const tl = varint(b, p, end);
    if (!tl || tl.next + tl.value > end) return undefined;
    p = tl.next + tl.value;
  }
  const len = varint(b, p, end);
  if (!len) return undefined;
  h.pnOff = len.next;
  if (len.next + len.value > end) h.truncated = true;
  else h.end = len.next + len.value;
  return h;
}

export interface CryptoChunk {
  offset: number;
  data: Buffer;
}

export interface InitialFrames {
  crypto: CryptoChunk[];
  connectionClose: boolean;
  /** A frame that cannot appear in an Initial packet or is cut short (RFC 9000 §12.4). */
  bad: boolean;
}

/** The frames of an opened Initial packet: CRYPTO data and whether it closes the connection. */
export function parseInitialFrames(b: Buffer): InitialFrames {
  const out: InitialFrames = { crypto: [], connectionClose: false, bad: false };
  const end = b.length;
  let p = 0;
  while (p < end) {
    const t = b[p++];
    if (t === 0x00 || t === 0x01) continue; // PADDING, PING
    if (t === 0x02 || t === 0x03) { // ACK (§19.3)
      let v = varint(b, p, end); // largest acknowledged
      if (v) v = varint(b, v.next, end); // delay
      const count = v ? varint(b, v.next, end) : undefined;
      v = count ? varint(b, count.next, end) : undefined; // first range
      if (!v || !count || count.value > end) { out.bad = true; return out; }
      // Each range is two varints of at least one byte: count > remaining bytes is malformed.
      for (let i = 0; i < count.value * 2 + (t === 0x03 ? 3 : 0) && v; i++) v = varint(b, v.next, end);
      if (!v) { out.bad = true; return out; }
      p = v.next;
      continue;
    }
    if (t === 0x06) { // CRYPTO (§19.6)
      const off = varint(b, p, end);
      const len = off ? varint(b, off.next, end) : undefined;
      if (!off || !len || len.next + len.value > end) { out.bad = true; return out; }
      out.crypto.push({ offset: off.value, data: b.subarray(len.next, len.next + len.value) });
      p = len.next + len.value;
      continue;
    }
    if (t === 0x1c) { // CONNECTION_CLOSE, transport error (§19.19)
      out.connectionClose = true;
      return out;
    }
    out.bad = true; // any other frame type is not allowed in Initial packets
    return out;
  }
  return out;
}
