/**
 * UTF-16LE strings from the wire (SMB, NTLM, RDP) → log text. Control characters (C0, DEL, C1)
 * become "\xNN" as wireText writes them and lone surrogates become U+FFFD, so a name from a
 * capture never carries raw control bytes into a log. Unlike wireText, a backslash stays as it
 * is: Windows paths and DOMAIN\user names are made of them (Zeek shows them unescaped), and a
 * UTF-16 string has no undecodable bytes that an escape could be confused with. Odd trailing
 * bytes are dropped.
 */

import { wireText } from './wire-text.js';

const HEX = '0123456789abcdef';

/** Text of the UTF-16LE string in buf[off, end) (clamped to the buffer). */
export function utf16Text(buf: Buffer, off: number, end: number): string {
  if (off < 0) off = 0;
  if (end > buf.length) end = buf.length;
  if (end - off < 2) return '';
  end -= (end - off) & 1;
  const s = buf.toString('utf16le', off, end);
  // Fast path: nothing to escape (the common case for names).
  let clean = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0xd800 && c <= 0xdfff)) { clean = false; break; }
  }
  if (clean) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += '\\x' + HEX[c >> 4] + HEX[c & 15];
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s[i] + s[i + 1];
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

/** Like utf16Text, but the string ends at its first NUL unit (fixed-size, NUL-padded fields). */
export function utf16TextZ(buf: Buffer, off: number, end: number): string {
  if (end > buf.length) end = buf.length;
  let i = off;
  while (i + 1 < end && (buf[i] | buf[i + 1]) !== 0) i += 2;
  return utf16Text(buf, off, i);
}

/**
 * Single-byte (OEM/ASCII) strings from Windows protocols (SMB1 without Unicode, DCE/RPC
 * secondary addresses): as wireText, but a backslash stays as it is, as in utf16Text.
 */
export function oemText(buf: Buffer, off: number, end: number): string {
  if (end > buf.length) end = buf.length;
  if (off < 0) off = 0;
  if (end <= off) return '';
  const t = wireText(buf, off, end);
  return t.includes('\\x5c') ? t.split('\\x5c').join('\\') : t;
}
