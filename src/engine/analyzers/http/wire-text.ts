/** Turning HTTP bytes into log strings the way Zeek shows them. */
import { wireText } from '../../support/wire-text.js';

/**
 * A latin1 string of wire bytes (one char per byte) as log text, the house way
 * (support/wire-text.ts: printable ASCII and valid UTF-8 as is, anything else as \xNN).
 */
export function logText(latin1: string): string {
  let plain = true;
  for (let i = 0; i < latin1.length; i++) {
    const c = latin1.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) { plain = false; break; }
  }
  return plain ? latin1 : wireText(Buffer.from(latin1, 'latin1'));
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Zeek's unescape_URI (src/analyzer/protocol/http/HTTP.cc): %XX decoded, IIS-style %uXXXX
 * decoded, "%%" collapsed with a weird, a stray or trailing % kept with a weird. Input and
 * output are latin1 strings (one char per byte).
 */
export function unescapeUri(uri: string, weird?: (name: string) => void): string {
  if (uri.indexOf('%') < 0) return uri;
  let out = '';
  const n = uri.length;
  let i = 0;
  while (i < n) {
    const c = uri.charCodeAt(i);
    if (c !== 0x25) { out += uri[i]; i++; continue; }
    i++; // past '%'
    if (i === n) { out += '%'; weird?.('illegal_%_at_end_of_URI'); break; }
    if (i + 1 === n) { out += '%' + uri[i]; weird?.('partial_escape_at_end_of_URI'); break; }
    if (uri.charCodeAt(i) === 0x25) { weird?.('double_%_in_URI'); continue; } // the second % starts over
    const h1 = hexVal(uri.charCodeAt(i)), h2 = hexVal(uri.charCodeAt(i + 1));
    if (h1 >= 0 && h2 >= 0) { out += String.fromCharCode((h1 << 4) | h2); i += 2; continue; }
    if (n - i >= 5 && uri[i] === 'u') {
      const a = hexVal(uri.charCodeAt(i + 1)), b = hexVal(uri.charCodeAt(i + 2));
      const d = hexVal(uri.charCodeAt(i + 3)), e = hexVal(uri.charCodeAt(i + 4));
      if (a >= 0 && b >= 0 && d >= 0 && e >= 0) {
        if (!(a === 0 && b === 0)) out += String.fromCharCode((a << 4) | b);
        out += String.fromCharCode((d << 4) | e);
        i += 5;
        continue;
      }
    }
    weird?.('unescaped_%_in_URI');
    out += '%' + uri[i];
    i++;
  }
  return out;
}

/**
 * The file name of a Content-Disposition (or Content-Type name=) value, as Zeek's
 * extract_filename_from_content_disposition: filename*= (RFC 5987, charset'lang'value,
 * percent-decoded) preferred, else filename=, else name=, quotes removed (Zeek takes the last
 * name-ish parameter; preferring filename= gives the same answer for form-data parts, which put
 * name= first). Shown only, never a path.
 */
export function dispositionFilename(value: string): string | undefined {
  const star = /(?:^|[;\s])filename\*\s*=\s*([^;]*)/i.exec(value);
  if (star) {
    let v = star[1].trim();
    const q = v.indexOf("'");
    const q2 = q >= 0 ? v.indexOf("'", q + 1) : -1;
    if (q2 >= 0) v = v.slice(q2 + 1);
    return unescapeUri(unquote(v)); // bytes (latin1); logText() shows them as UTF-8
  }
  const m = /(?:^|[;\s])filename\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)/i.exec(value) ?? /(?:^|[;\s])name\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)/i.exec(value);
  if (!m) return undefined;
  const v = unquote(m[1].trim());
  return v.length > 0 ? v : undefined;
}

function unquote(v: string): string {
  if (v.length >= 1 && v[0] === '"') {
    const end = v.lastIndexOf('"');
    v = end > 0 ? v.slice(1, end) : v.slice(1);
    return v.replace(/\\(.)/g, '$1');
  }
  return v;
}
