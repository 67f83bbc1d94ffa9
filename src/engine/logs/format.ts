/** Value formatting shared by the writers. */

/** Seconds with microsecond precision, trailing zeros trimmed: 1320279566.452687, 3.0. */
export function formatSeconds(v: number): string {
  let s = v.toFixed(6);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (s.charCodeAt(end - 1) === 46 /* . */) end++;
  s = s.slice(0, end);
  return s;
}
