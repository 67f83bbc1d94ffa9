/**
 * What PostgreSQL text and JSONB cannot hold, carried reversibly: NUL (text values are C strings;
 * JSONB rejects `\u0000`) and, in JSONB, lone UTF-16 surrogates (`\ud800` alone is refused). Both
 * come from hostile captures and hostile EVE/Zeek files, and the store promises to give every
 * string back unchanged, so they are escaped with a private-use character, U+E000, on the way in:
 *
 *   U+E000 '0'        NUL
 *   U+E000 'e'        U+E000 itself (so the escape never collides with real text)
 *   U+E000 'u' XXXX   a lone surrogate (JSON documents only)
 *
 * and decoded on the way out. Nothing else changes, so a value without these characters is stored
 * and searched byte for byte (the common case pays one indexOf).
 */
const ESC = '\uE000';

/**
 * Characters of a btree-indexed text column (uid, community_id, observable values). A btree entry
 * holds at most 2704 bytes; 600 characters stay under it even at 4 UTF-8 bytes each. Hostile logs
 * bring 1 MB "uids": the document keeps the whole value, the index a prefix, and lookups cut their
 * input the same way (indexKey) so they still find it.
 */
export const PG_INDEX_KEY_MAX_CHARS = 600;

/** A value for an indexed column or a lookup on one: encoded, then cut to PG_INDEX_KEY_MAX_CHARS. */
export function indexKey(s: string): string {
  const t = encodeText(s);
  return t.length > PG_INDEX_KEY_MAX_CHARS ? t.slice(0, PG_INDEX_KEY_MAX_CHARS) : t;
}

/** A string for a text column (COPY or a parameter). */
export function encodeText(s: string): string {
  if (s.indexOf('\0') < 0 && s.indexOf(ESC) < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    out += c === '\0' ? ESC + '0' : c === ESC ? ESC + 'e' : c;
  }
  return out;
}

export function decodeText(s: string): string {
  if (s.indexOf(ESC) < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== ESC || i + 1 >= s.length) { out += c; continue; }
    const k = s[++i];
    if (k === '0') out += '\0';
    else if (k === 'e') out += ESC;
    else if (k === 'u') { out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16) || 0xfffd); i += 4; }
    else out += c + k;
  }
  return out;
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** The `\uXXXX` code unit starting at json[i] (i at the backslash), or -1. */
function escapedUnit(json: string, i: number): number {
  if (json[i] !== '\\' || json[i + 1] !== 'u' || i + 6 > json.length) return -1;
  for (let k = i + 2; k < i + 6; k++) if (!isHex(json.charCodeAt(k))) return -1;
  return parseInt(json.slice(i + 2, i + 6), 16);
}

/** JSON text (as JSON.stringify or the engine's writer makes it) made acceptable to JSONB. */
export function encodeJson(json: string): string {
  if (json.indexOf('\\u') < 0 && json.indexOf(ESC) < 0) return json;
  let out = '';
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === ESC) {
      out += json.slice(from, i) + ESC + 'e';
      from = i + 1;
    } else if (c === '\\') {
      // Every escape is consumed whole, so an escaped backslash followed by "u0000" is left alone.
      const unit = escapedUnit(json, i);
      if (unit < 0) { i++; continue; }
      let rep: string | undefined;
      if (unit === 0) rep = ESC + '0';
      else if (unit === 0xe000) rep = ESC + 'e';
      else if (unit >= 0xd800 && unit <= 0xdbff) {
        const next = escapedUnit(json, i + 6);
        if (next >= 0xdc00 && next <= 0xdfff) { i += 11; continue; } // a proper pair: JSONB takes it
        rep = ESC + 'u' + json.slice(i + 2, i + 6);
      } else if (unit >= 0xdc00 && unit <= 0xdfff) rep = ESC + 'u' + json.slice(i + 2, i + 6);
      if (rep === undefined) { i += 5; continue; }
      out += json.slice(from, i) + rep;
      i += 5;
      from = i + 1;
    }
  }
  return out + json.slice(from);
}

/** JSONB's text output back to the JSON the store was given (up to key order and spacing). */
export function decodeJson(json: string): string {
  if (json.indexOf(ESC) < 0) return json;
  let out = '';
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c !== ESC || i + 1 >= json.length) { out += c; continue; }
    const k = json[++i];
    if (k === '0') out += '\\u0000';
    else if (k === 'e') out += ESC;
    else if (k === 'u') { out += '\\u' + json.slice(i + 1, i + 5); i += 4; }
    else out += c + k;
  }
  return out;
}
