/**
 * The one way a capture-derived string becomes a link target: only http(s) URLs survive, anything
 * else (javascript:, data:, vbscript:, relative tricks) yields undefined and the caller renders text.
 */
export function safeHttpUrl(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
}
