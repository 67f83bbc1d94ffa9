/**
 * Bytes from the wire → text for logs, as Zeek writes them: printable ASCII and valid UTF-8
 * sequences stay as they are; control characters, DEL and bytes that are not valid UTF-8 become
 * the four characters "\xNN". Nothing from a capture reaches a log, the store or the UI as raw
 * bytes, and the original bytes can always be recovered from the text.
 */

const HEX = '0123456789abcdef';

/**
 * Buffer's native latin1 decoder, called on any Uint8Array: a third of the cost of wrapping the
 * range in a new Buffer and calling toString('latin1') (which also checks its arguments and the
 * encoding name), and this runs for nearly every field an analyzer logs.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * buf[off, end) as latin1 text (each byte the code point of the same value), exactly as
 * buf.toString('latin1', off, end) gives it, a range reaching outside the buffer cut to it, but
 * without toString's argument and encoding checks (the per-line decoding of the mail and text
 * protocols). A String.fromCharCode path for short ranges was tried: it took the C++ API call's
 * cost off (node API 91M -> 15M instructions on a SIP-only capture) but its loop, inlined into
 * every caller, cost more in TurboFan and JIT code than it saved (bench-32m, all analyzers,
 * cachegrind --predictable: 10.797G with it, 10.713G without).
 */
export function latin1Text(buf: Uint8Array, off: number, end: number): string {
  if (off < 0) off = 0;
  if (end > buf.length) end = buf.length;
  const n = end - off;
  if (n <= 0) return '';
  return latin1Slice.call(buf, off, end);
}

function escapeByte(b: number): string {
  return '\\x' + HEX[b >> 4] + HEX[b & 15];
}

/** Length of the valid UTF-8 sequence starting at buf[i] (RFC 3629 §4), or 0 if invalid. */
function utf8SequenceLength(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i];
  let n: number, min: number, cp: number;
  if (b >= 0xc2 && b <= 0xdf) { n = 2; min = 0x80; cp = b & 0x1f; }
  else if (b >= 0xe0 && b <= 0xef) { n = 3; min = 0x800; cp = b & 0x0f; }
  else if (b >= 0xf0 && b <= 0xf4) { n = 4; min = 0x10000; cp = b & 0x07; }
  else return 0;
  if (i + n > end) return 0;
  for (let k = 1; k < n; k++) {
    const c = buf[i + k];
    if ((c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

export function wireText(buf: Uint8Array, off = 0, end = buf.length): string {
  // Fast path: plain printable ASCII (the common case) needs no escaping.
  let i = off;
  while (i < end && buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] !== 0x5c) i++;
  if (i === end) return latin1Text(buf, off, end);
  let out = latin1Text(buf, off, i);
  while (i < end) {
    const b = buf[i];
    if (b >= 0x20 && b < 0x7f) {
      // A literal backslash is escaped too, so "\x41" in the traffic stays distinguishable.
      out += b === 0x5c ? '\\x5c' : String.fromCharCode(b);
      i++;
    } else if (b >= 0x80) {
      const n = utf8SequenceLength(buf, i, end);
      if (n > 0) {
        out += Buffer.from(buf.buffer, buf.byteOffset + i, n).toString('utf8');
        i += n;
      } else {
        out += escapeByte(b);
        i++;
      }
    } else {
      out += escapeByte(b);
      i++;
    }
  }
  return out;
}
