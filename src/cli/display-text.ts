/**
 * Text from captures and submissions shown on a terminal: control characters (escape sequences
 * that could rewrite the screen) become visible `\xNN`, and long values are cut.
 */
const SHOWN_MAX_CHARS = 300;

export function displayText(s: string, max = SHOWN_MAX_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const safe = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  return safe.length > max ? safe.slice(0, max) + '…' : safe;
}
