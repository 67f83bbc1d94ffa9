/**
 * RADIUS packet parsing (RFC 2865 §3: code, identifier, length, 16-byte authenticator, then
 * attributes of type, length >= 2, value). Bounded by the packet's length field and the
 * datagram; a broken attribute ends the list with a weird.
 */
import { LIMITS } from '../../support/limits.js';

export const RADIUS_HEADER_LEN = 20;

export interface RadiusMessage {
  code: number;
  id: number;
  /** Attribute type → raw values in order (Zeek's RADIUS::Attributes). */
  attrs: Map<number, Buffer[]>;
  weirds?: string[];
}

export type RadiusParse = { msg: RadiusMessage } | { error: string; weird: string };

export function parseRadius(buf: Buffer, off: number, len: number): RadiusParse {
  if (len < RADIUS_HEADER_LEN) return { error: 'truncated RADIUS header', weird: 'RADIUS_truncated' };
  const code = buf[off];
  const plen = buf.readUInt16BE(off + 2);
  // RFC 2865 §3: length 20..4096; octets past it are padding, fewer is a silent discard.
  if (plen < RADIUS_HEADER_LEN || plen > 4096) return { error: `bad RADIUS length ${plen}`, weird: 'RADIUS_bad_length' };
  const msg: RadiusMessage = { code, id: buf[off + 1], attrs: new Map() };
  const weird = (w: string) => (msg.weirds ??= []).push(w);
  let end = off + plen;
  if (plen > len) {
    weird('RADIUS_truncated');
    end = off + len;
  }
  let p = off + RADIUS_HEADER_LEN, n = 0;
  while (p < end) {
    if (end - p < 2 || buf[p + 1] < 2 || p + buf[p + 1] > end) {
      weird('RADIUS_bad_attribute');
      break;
    }
    if (++n > LIMITS.radiusMaxAttributes) {
      weird('RADIUS_too_many_attributes');
      break;
    }
    const t = buf[p], l = buf[p + 1];
    let list = msg.attrs.get(t);
    if (!list) msg.attrs.set(t, (list = []));
    list.push(buf.subarray(p + 2, p + l));
    p += l;
  }
  return { msg };
}

/** Zeek's normalize_mac: hex digits only; 12 (or 16) of them as colon-separated pairs, else "". */
export function normalizeMac(s: string): string {
  const hex = s.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  if (hex.length !== 12 && hex.length !== 16) return '';
  return hex.match(/../g)!.join(':');
}
