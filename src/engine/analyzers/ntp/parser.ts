/**
 * NTP message parsing (RFC 5905 §7.3: the 48-byte header of modes 1-5; extension fields per
 * RFC 7822 §7.5; modes 6 and 7 are only recognised). Bounded: the header is read only when all
 * 48 bytes are there, extension fields are counted while more than a MAC's 24 bytes remain (as
 * Zeek does) and each must fit.
 */
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';

export const NTP_HEADER_LEN = 48;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970), RFC 5905 §6. */
const EPOCH_OFFSET = 2208988800;

export interface NtpStd {
  stratum: number;
  poll: number;
  precision: number;
  rootDelay: number;
  rootDisp: number;
  refId: string;
  refTime: number;
  orgTime: number;
  recTime: number;
  xmtTime: number;
  numExts: number;
}

export interface NtpMessage {
  leap: number;
  version: number;
  mode: number;
  /** Modes 1-5 only. */
  std?: NtpStd;
  weirds?: string[];
}

export type NtpParse = { msg: NtpMessage } | { error: string; weird: string };

/** RFC 5905 §6 short format: unsigned 16.16 seconds. */
function short(buf: Buffer, o: number): number {
  return buf.readUInt16BE(o) + buf.readUInt16BE(o + 2) / 65536;
}

/** RFC 5905 §6 timestamp → Unix time; all zero means "unset" and stays 0 (as Zeek). */
function timestamp(buf: Buffer, o: number): number {
  const s = buf.readUInt32BE(o), f = buf.readUInt32BE(o + 4);
  if (s === 0 && f === 0) return 0;
  return s - EPOCH_OFFSET + f / 4294967296;
}

export function parseNtp(buf: Buffer, off: number, len: number): NtpParse {
  if (len < 1) return { error: 'empty NTP message', weird: 'NTP_truncated' };
  const b0 = buf[off];
  const msg: NtpMessage = { leap: b0 >> 6, version: (b0 >> 3) & 7, mode: b0 & 7 };
  if (msg.mode < 1 || msg.mode > 5) {
    // Mode 6 (control) needs its 12-byte header, mode 7 (private) at least 4 bytes.
    if ((msg.mode === 6 && len < 12) || (msg.mode === 7 && len < 4)) return { error: 'truncated NTP message', weird: 'NTP_truncated' };
    return { msg };
  }
  if (len < NTP_HEADER_LEN) return { error: 'truncated NTP message', weird: 'NTP_truncated' };
  const stratum = buf[off + 1];
  const refOff = off + 12;
  let refId: string;
  if (stratum === 0 || stratum === 1) refId = wireText(buf, refOff, refOff + 4);
  else refId = `${buf[refOff]}.${buf[refOff + 1]}.${buf[refOff + 2]}.${buf[refOff + 3]}`;
  msg.std = {
    stratum,
    poll: 2 ** buf.readInt8(off + 2),
    precision: 2 ** buf.readInt8(off + 3),
    rootDelay: short(buf, off + 4),
    rootDisp: short(buf, off + 8),
    refId,
    refTime: timestamp(buf, off + 16),
    orgTime: timestamp(buf, off + 24),
    recTime: timestamp(buf, off + 32),
    xmtTime: timestamp(buf, off + 40),
    numExts: 0,
  };
  // RFC 7822 §7.5: after the header, extension fields (type, length >= 16, a multiple of 4),
  // then an optional MAC of 20 or 24 bytes.
  const end = off + len;
  let p = off + NTP_HEADER_LEN;
  while (end - p > 24) {
    const flen = buf.readUInt16BE(p + 2);
    if (flen < 16 || flen % 4 !== 0 || p + flen > end) {
      (msg.weirds ??= []).push('NTP_bad_extension_field');
      break;
    }
    if (++msg.std.numExts >= LIMITS.ntpMaxExtensions) break;
    p += flen;
  }
  return { msg };
}
