/**
 * Text helpers of Zeek's mail scripts (base/utils/email.zeek, addrs.zeek, files.zeek), applied
 * to short header and command values only (bounded by LIMITS.mailMaxLineBytes /
 * mimeMaxHeaderBytes), never to bodies.
 */

/** Zeek's extract_email_addrs_vec: "user@host" tokens, delimiters <>,:; and blanks stripped. */
const EMAIL = /(?:^|[<,:\s])[^<,:\s@]+@[^>,;\s]+(?:[>,;\s]|$)/g;

export function extractEmailAddrs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(EMAIL)) out.push(m[0].replace(/[<>,:;\s]/g, ''));
  return out;
}

/** Zeek's extract_first_email_addr. */
export function firstEmailAddr(s: string): string | undefined {
  return extractEmailAddrs(s)[0];
}

const IPV4 = /(?:^|[^\d.])((?:25[0-5]|2[0-4]\d|1\d\d|\d{1,2})(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|\d{1,2})){3})(?![\d.]*\d)/g;

/** IPv4 addresses in a header value, in order (Zeek's extract_ip_addresses; IPv6 not looked for). */
export function extractIpv4(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(IPV4)) out.push(m[1]);
  return out;
}

/** Zeek's find_address_in_smtp_header: the second address of a Received header if there are
 *  several ("from name (rdns [client]) by ..."), else the first. */
export function receivedAddress(v: string): string | undefined {
  const ips = extractIpv4(v);
  return ips.length > 1 ? ips[1] : ips[0];
}

/** Zeek's extract_filename_from_content_disposition (also used for Content-Type name=). */
export function filenameParam(v: string, param: 'filename' | 'name'): string | undefined {
  const re = param === 'filename' ? /filename\s*\*?=/gi : /name\s*\*?=/gi;
  let last = -1;
  for (const m of v.matchAll(re)) last = m.index + m[0].length;
  if (last < 0) return undefined;
  let f = v.slice(last).replace(/^[ \t]+/, '');
  if (f.startsWith('"')) {
    const q = f.indexOf('"', 1);
    f = q < 0 ? f.slice(1) : f.slice(1, q);
  }
  // RFC 2231 charset'language' prefix
  f = f.replace(/^[a-zA-Z0-9_-]+'[a-zA-Z_-]*'/, '');
  return f.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Zeek's SMTP::webmail_user_agents (base/protocols/smtp/software.zeek). */
const WEBMAIL = /^iPlanet Messenger|^Sun Java\(tm\) System Messenger Express|\(IMP\)|^SquirrelMail|^NeoMail|ZimbraWebClient/;

export function isWebmail(userAgent: string | undefined): boolean {
  return userAgent !== undefined && WEBMAIL.test(userAgent);
}

/** Base64 text → bytes, undefined when it is not base64 (SASL responses). */
export function decodeBase64(s: string): Buffer | undefined {
  const t = s.trim();
  if (t.length === 0 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64');
}
