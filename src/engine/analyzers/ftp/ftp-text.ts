/**
 * Parsers of Zeek's base/protocols/ftp/utils (PORT, EPRT, PASV, EPSV arguments) and its path
 * helpers, on single bounded lines.
 */

export interface HostPort { h: string; p: number }

function byteOk(s: string): boolean {
  return /^\d{1,3}$/.test(s) && Number(s) <= 255;
}

/** "h1,h2,h3,h4,p1,p2" (RFC 959 §4.1.2 PORT). */
export function parseFtpPort(s: string): HostPort | undefined {
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(s);
  if (!m || !m.slice(1).every(byteOk)) return undefined;
  return { h: `${m[1]}.${m[2]}.${m[3]}.${m[4]}`.replace(/(^|\.)0+(\d)/g, '$1$2'), p: Number(m[5]) * 256 + Number(m[6]) };
}

/** Reply 227: the six numbers, in parentheses or after the text (RFC 959 §4.2 PASV). */
export function parseFtpPasv(msg: string): HostPort | undefined {
  const open = msg.indexOf('(');
  return parseFtpPort(open >= 0 ? msg.slice(open + 1) : msg);
}

/** EPRT "|af|addr|port|" with any delimiter (RFC 2428 §2). */
export function parseEftpPort(s: string): HostPort | undefined {
  const t = s.trim();
  if (t.length < 7) return undefined;
  const d = t[0];
  const parts = t.split(d);
  if (parts.length < 5) return undefined;
  const [, af, addr, port] = parts;
  const p = Number(port);
  if (!/^\d{1,5}$/.test(port) || p > 65535) return undefined;
  if (af === '1' && /^(\d{1,3}\.){3}\d{1,3}$/.test(addr) && addr.split('.').every(byteOk)) return { h: addr, p };
  if (af === '2' && /^[0-9a-fA-F:.]+$/.test(addr) && addr.includes(':')) return { h: addr.toLowerCase(), p };
  return undefined;
}

/** Reply 229 "(|||port|)" (RFC 2428 §3): the host is the control connection's server. */
export function parseFtpEpsv(msg: string): number | undefined {
  const open = msg.indexOf('(');
  if (open < 0 || open + 1 >= msg.length) return undefined;
  const d = msg[open + 1];
  const parts = msg.slice(open + 1).split(d);
  if (parts.length < 5 || !/^\d{1,5}$/.test(parts[3])) return undefined;
  const p = Number(parts[3]);
  return p <= 65535 ? p : undefined;
}

/** Zeek's build_path_compressed: `path` relative to `dir`, "." and ".." resolved. */
export function buildPath(dir: string, path: string): string {
  const full = path.startsWith('/') ? path : `${dir}/${path}`;
  const abs = full.startsWith('/');
  const out: string[] = [];
  for (const seg of full.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { if (out.length > 0 && out[out.length - 1] !== '..') out.pop(); else if (!abs) out.push('..'); continue; }
    out.push(seg);
  }
  return (abs ? '/' : '') + out.join('/');
}

/** Zeek's extract_path: the quoted path of a 257 reply ("\"/dir\" is current directory"). */
export function extractPath(msg: string): string | undefined {
  const m = /"([^"]*)"/.exec(msg);
  return m ? m[1] : undefined;
}

/** Zeek's extract_count(s, F): the last number in the text. */
export function lastCount(s: string): number | undefined {
  const all = s.match(/\d+/g);
  if (!all) return undefined;
  const n = Number(all[all.length - 1]);
  return Number.isSafeInteger(n) ? n : undefined;
}
