/**
 * Distinguished names as Zeek prints them (OpenSSL's X509_NAME_print_ex with XN_FLAG_RFC2253:
 * last RDN first, short attribute names, RFC 2253 escaping, non-ASCII bytes as \XX), and
 * hostname matching against a certificate's names.
 */
import { LIMITS } from '../../support/limits.js';
import { type Tlv, Tag, oidString, readSeq, readTlv } from './der.js';
import { ATTRIBUTES, OID_CN } from './oids.js';
import type { X509Info } from './x509.js';

interface NameEntry { set: number; attr: string; value: string }

export function formatName(buf: Buffer, name: Tlv): { text: string; cns: string[] } | undefined {
  const entries: NameEntry[] = [];
  const cns: string[] = [];
  let set = 0;
  for (let p = name.start; p < name.end; set++) {
    const rdn = readTlv(buf, p, name.end);
    if (!rdn || rdn.tag !== Tag.Set || !rdn.constructed) return undefined;
    for (let q = rdn.start; q < rdn.end; ) {
      const atv = readSeq(buf, q, rdn.end);
      if (!atv) return undefined;
      const o = readTlv(buf, atv.start, atv.end);
      if (!o || o.tag !== Tag.Oid) return undefined;
      const v = readTlv(buf, o.end, atv.end);
      if (!v) return undefined;
      const oid = oidString(buf, o.start, o.end) ?? '';
      const short = ATTRIBUTES.get(oid);
      const str = v.cls === 0 ? decodeString(buf, v) : undefined;
      if (oid === OID_CN && str !== undefined) cns.push(str);
      if (entries.length < LIMITS.x509MaxNameAttributes) {
        // Unknown attribute types and non-string values are dumped as #hex of the DER
        // (XN_FLAG_DUMP_UNKNOWN_FIELDS, ASN1_STRFLGS_DUMP_UNKNOWN).
        const value = short !== undefined && str !== undefined ? escape2253(str) : '#' + buf.toString('hex', v.off, v.end).toUpperCase();
        entries.push({ set, attr: short ?? oid, value });
      }
      q = atv.end;
    }
    p = rdn.end;
  }
  let text = '';
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (i !== entries.length - 1) text += entries[i + 1].set === e.set ? '+' : ',';
    text += e.attr + '=' + e.value;
  }
  return { text, cns };
}

/** The text of a directory string, converted to a JS string (OpenSSL's UTF8_CONVERT). */
function decodeString(buf: Buffer, v: Tlv): string | undefined {
  switch (v.tag) {
    case Tag.Utf8String:
      return buf.toString('utf8', v.start, v.end);
    case Tag.PrintableString: case Tag.Ia5String: case Tag.NumericString: case Tag.VisibleString: case Tag.T61String:
      return buf.toString('latin1', v.start, v.end);
    case Tag.BmpString: {
      let s = '';
      for (let p = v.start; p + 1 < v.end; p += 2) s += String.fromCharCode((buf[p] << 8) | buf[p + 1]);
      return s;
    }
    case Tag.UniversalString: {
      let s = '';
      for (let p = v.start; p + 3 < v.end; p += 4) {
        const cp = buf.readUInt32BE(p);
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default:
      return undefined;
  }
}

/** RFC 2253 §2.4 escaping as OpenSSL's ASN1_STRFLGS_ESC_2253 | ESC_CTRL | ESC_MSB does it. */
function escape2253(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      // UTF8_CONVERT then ESC_MSB: each byte of the UTF-8 encoding as \XX.
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const byte of Buffer.from(String.fromCodePoint(cp), 'utf8')) out += '\\' + byte.toString(16).toUpperCase();
    } else if (c < 0x20 || c === 0x7f) out += '\\' + c.toString(16).toUpperCase().padStart(2, '0');
    else if (ch === ',' || ch === '+' || ch === '"' || ch === '\\' || ch === '<' || ch === '>' || ch === ';') out += '\\' + ch;
    else if ((ch === '#' && i === 0) || (ch === ' ' && (i === 0 || i === s.length - 1))) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

/** x509_check_cert_hostname: SAN dNSNames (or the subject CNs when there are none), with a
 *  leading "*." wildcard standing for exactly one label (RFC 6125 §6.4.3). */
export function certMatchesHost(info: X509Info, host: string): boolean {
  const names = info.san && info.san.dns.length > 0 ? info.san.dns : info.subjectCns;
  const h = host.toLowerCase();
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === h) return true;
    if (n.startsWith('*.')) {
      const dot = h.indexOf('.');
      if (dot > 0 && h.slice(dot) === n.slice(1)) return true;
    }
  }
  return false;
}
