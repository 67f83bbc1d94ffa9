/**
 * Software names and versions from the strings protocols announce (User-Agent, SSH banners,
 * X-Mailer), after Zeek's Software::parse and parse_mozilla (base/frameworks/software/main.zeek):
 * browsers get their real name out of "Mozilla/5.0 (...) ... Chrome/120.0.1", everything else
 * is "name[/ _-]major.minor.minor2.minor3[addl]".
 */
export interface SoftwareVersion {
  name: string;
  major?: number;
  minor?: number;
  minor2?: number;
  minor3?: number;
  addl?: string;
}

/** Browser tokens in the order that identifies them (Edge and Opera also carry "Chrome/"). */
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\/([0-9][0-9.]*)/, 'Edge'],
  [/\bOPR\/([0-9][0-9.]*)/, 'Opera'],
  [/\bFirefox\/([0-9][0-9.]*)/, 'Firefox'],
  [/\bChrome\/([0-9][0-9.]*)/, 'Chrome'],
  [/\bMSIE ([0-9][0-9.]*)/, 'MSIE'],
  [/\bTrident\/[0-9.]+;.*\brv:([0-9][0-9.]*)/, 'MSIE'],
  [/\bVersion\/([0-9][0-9.]*).*\bSafari\//, 'Safari'],
];

/** The dotted version right after the name separator, and what clings to it ("p1" in 7.4p1). */
const VERSION = /^v?([0-9]+(?:\.[0-9]+){0,3})([^\s;()]*)/;

/** Where the name ends: the first separator followed by a digit (or "v" and a digit). A scan,
 *  not a regex: names like "a-b-c-..." would make a backtracking pattern exponential. */
function nameEnd(s: string): number {
  for (let i = 1; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x2f && c !== 0x20 && c !== 0x5f && c !== 0x2d) continue; // / space _ -
    let d = s.charCodeAt(i + 1);
    if (d === 0x76 /* v */ && i + 2 < s.length) d = s.charCodeAt(i + 2);
    if (d >= 0x30 && d <= 0x39) return i;
  }
  return -1;
}

export function parseSoftware(unparsed: string): SoftwareVersion {
  const s = unparsed.slice(0, 512);
  if (s.startsWith('Mozilla/')) {
    for (const [re, name] of BROWSERS) {
      const m = re.exec(s);
      if (m) return withNumbers({ name }, m[1]);
    }
  }
  const end = nameEnd(s);
  const m = end > 0 ? VERSION.exec(s.slice(end + 1)) : null;
  if (!m) return { name: s.trim() };
  const v = withNumbers({ name: s.slice(0, end).trim() }, m[1]);
  const addl = m[2].replace(/^[-_.+~]/, '');
  if (addl) v.addl = addl;
  return v;
}

function withNumbers(v: SoftwareVersion, dotted: string): SoftwareVersion {
  const parts = dotted.split('.').filter((p) => p !== '').slice(0, 4).map(Number);
  if (parts.length > 0 && Number.isFinite(parts[0])) v.major = parts[0];
  if (parts.length > 1 && Number.isFinite(parts[1])) v.minor = parts[1];
  if (parts.length > 2 && Number.isFinite(parts[2])) v.minor2 = parts[2];
  if (parts.length > 3 && Number.isFinite(parts[3])) v.minor3 = parts[3];
  return v;
}
