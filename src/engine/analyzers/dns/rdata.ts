/**
 * One-line summaries of answer record data, as Zeek's base/protocols/dns/main.zeek writes them
 * into dns.log `answers` (addresses, target names, "TXT <len> <text>", "RRSIG <type> <signer>",
 * "<unknown type=N>", ...). CAA and SVCB/HTTPS, which Zeek's base scripts leave out of dns.log,
 * get a summary of our own in the same style ("CAA 0 issue letsencrypt.org",
 * "HTTPS 1 . alpn=h3,h2 ipv4hint=104.16.132.229 ech").
 */
import { wireText } from '../../support/wire-text.js';
import { formatAddr, formatV4 } from '../../support/addr.js';
import { T, svcParamKeyName } from './consts.js';
import type { DnsReader } from './parser.js';

/**
 * Summarises the record data in r.buf[r.pos, rdEnd). Returns the text for `answers` ('' when
 * Zeek's handler adds nothing, e.g. WKS), or undefined when Zeek reports no answer for this
 * record (OPT, HINFO, TSIG, ...) or its data is malformed (a weird is recorded).
 */
export function rdataSummary(r: DnsReader, type: number, rdEnd: number, owner: string): string | undefined {
  const rdlen = rdEnd - r.pos;
  r.end = rdEnd; // names inside the data must end inside it
  switch (type) {
    case T.A:
      if (rdlen !== 4) return bad(r, 'DNS_RR_bad_length');
      return formatV4(r.u32());
    case T.AAAA:
    case T.A6:
      if (rdlen !== 16) return bad(r, 'DNS_RR_bad_length');
      return formatAddr(r.u32(), r.u32(), r.u32(), r.u32());
    case T.NS:
    case T.CNAME:
    case T.PTR:
      return nameAtEnd(r, rdEnd);
    case T.SOA: {
      const mname = r.name(true);
      if (mname === undefined || r.name(true) === undefined) return undefined;
      if (rdEnd - r.pos < 20) return bad(r, 'DNS_RR_bad_length');
      return mname;
    }
    case T.MX:
      if (rdlen < 3) return bad(r, 'DNS_RR_bad_length');
      r.pos += 2;
      return nameAtEnd(r, rdEnd);
    case T.TXT:
    case T.SPF:
      return charStrings(r, rdEnd, type === T.TXT ? 'TXT' : 'SPF');
    case T.SRV:
      // On the NetBIOS name service, type 33 is NBSTAT, which Zeek does not parse.
      if (r.netbios) return undefined;
      if (rdlen < 7) return bad(r, 'DNS_RR_bad_length');
      r.pos += 6;
      return nameAtEnd(r, rdEnd);
    case T.NAPTR:
      return naptr(r, rdEnd);
    case T.WKS:
      return '';
    case T.HINFO: case T.NB: case T.OPT: case T.TSIG: case T.TKEY:
      return undefined;
    case T.RRSIG: {
      if (rdlen < 18) return bad(r, 'DNS_RR_bad_length');
      const covered = r.u16();
      r.pos += 16;
      const signer = r.name(true);
      if (signer === undefined) return undefined;
      return `RRSIG ${covered} ${signer === '' ? '<Root>' : signer}`;
    }
    case T.DNSKEY:
      if (rdlen < 4) return bad(r, 'DNS_RR_bad_length');
      if (r.buf[r.pos + 2] !== 3) r.weird('DNSSEC_DNSKEY_Invalid_Protocol', String(r.buf[r.pos + 2]));
      return `DNSKEY ${r.buf[r.pos + 3]}`;
    case T.NSEC: {
      const next = r.name(true);
      return next === undefined ? undefined : `NSEC ${owner} ${next}`;
    }
    case T.NSEC3:
      return 'NSEC3';
    case T.NSEC3PARAM:
      return 'NSEC3PARAM';
    case T.DS:
      if (rdlen < 4) return bad(r, 'DNS_RR_bad_length');
      return `DS ${r.buf[r.pos + 2]} ${r.buf[r.pos + 3]}`;
    case T.BINDS:
      return 'BIND9 signing signal';
    case T.SSHFP:
      if (rdlen < 2) return bad(r, 'DNS_RR_bad_length');
      return 'SSHFP: ' + r.buf.toString('hex', r.pos + 2, rdEnd);
    case T.LOC: {
      if (rdlen < 16) return bad(r, 'DNS_RR_bad_length');
      const b = r.buf, p = r.pos;
      if (b[p] !== 0) r.weird('DNS_LOC_version_unrecognized', String(b[p]));
      return `LOC:  ${b[p + 1]} ${b[p + 2]} ${b[p + 3]}`;
    }
    case T.CAA: {
      if (rdlen < 2) return bad(r, 'DNS_CAA_char_str_past_rdlen');
      const flags = r.u8(), tagLen = r.u8();
      if (tagLen >= rdlen - 2) return bad(r, 'DNS_CAA_char_str_past_rdlen');
      const tag = wireText(r.buf, r.pos, r.pos + tagLen);
      return `CAA ${flags} ${tag} ${wireText(r.buf, r.pos + tagLen, rdEnd)}`;
    }
    case T.SVCB:
    case T.HTTPS:
      return svcb(r, rdEnd, type === T.HTTPS ? 'HTTPS' : 'SVCB');
    default:
      r.weird('DNS_RR_unknown_type', String(type));
      return `<unknown type=${type}>`;
  }
}

/** A name that should fill the rest of the record data (Zeek weirds when it does not). */
function nameAtEnd(r: DnsReader, rdEnd: number): string | undefined {
  const name = r.name(true);
  if (name !== undefined && r.pos !== rdEnd) r.weird('DNS_RR_length_mismatch');
  return name;
}

function bad(r: DnsReader, weird: string): undefined {
  r.weird(weird);
  return undefined;
}

/** TXT/SPF: "TXT <len> <text>" per character-string (RFC 1035 §3.3), space-separated. */
function charStrings(r: DnsReader, rdEnd: number, label: string): string {
  const b = r.buf;
  let out = '';
  while (r.pos < rdEnd) {
    const n = b[r.pos++];
    if (r.pos + n > rdEnd) {
      // Zeek logs the strings read so far.
      r.weird('DNS_TXT_char_str_past_rdlen');
      break;
    }
    if (out !== '') out += ' ';
    out += `${label} ${n} ${wireText(b, r.pos, r.pos + n)}`;
    r.pos += n;
  }
  return out;
}

/** NAPTR (RFC 3403 §4.1), as Zeek: "NAPTR <order> <preference> <flags> <service> <regexp> <replacement>". */
function naptr(r: DnsReader, rdEnd: number): string | undefined {
  if (rdEnd - r.pos < 7) return bad(r, 'DNS_RR_bad_length');
  const order = r.u16(), pref = r.u16();
  const strs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const n = r.pos < rdEnd ? r.buf[r.pos++] : -1;
    if (n < 0 || r.pos + n > rdEnd) return bad(r, 'DNS_NAPTR_char_str_past_rdlen');
    strs.push(wireText(r.buf, r.pos, r.pos + n));
    r.pos += n;
  }
  const replacement = r.name(true);
  if (replacement === undefined) return undefined;
  let tail = strs[2];
  if (replacement.length > 0) tail += (tail.length > 0 ? ' ' : '') + replacement;
  return `NAPTR ${order} ${pref} ${strs[0]} ${strs[1]} ${tail}`;
}

/**
 * SVCB/HTTPS (RFC 9460 §2.2): "<HTTPS|SVCB> <priority> <target> key=value ...", the target as
 * sent ('.' for the root), values in presentation form; ech is shown by name only.
 */
function svcb(r: DnsReader, rdEnd: number, label: string): string | undefined {
  if (rdEnd - r.pos < 3) return bad(r, 'DNS_SVBC_wrong_length');
  const priority = r.u16();
  const target = r.name(false);
  if (target === undefined) return undefined;
  let out = `${label} ${priority} ${target === '' ? '.' : target}`;
  const b = r.buf;
  while (r.pos < rdEnd) {
    if (rdEnd - r.pos < 4) return bad(r, 'DNS_SVCB_bad_param');
    const key = r.u16(), len = r.u16();
    const vEnd = r.pos + len;
    if (vEnd > rdEnd) return bad(r, 'DNS_SVCB_bad_param');
    const name = svcParamKeyName(key);
    let value: string | undefined;
    switch (key) {
      case 0: { // mandatory: list of keys
        const keys: string[] = [];
        for (let p = r.pos; p + 1 < vEnd; p += 2) keys.push(svcParamKeyName((b[p] << 8) | b[p + 1]));
        value = keys.join(',');
        break;
      }
      case 1: { // alpn: length-prefixed protocol ids
        const ids: string[] = [];
        for (let p = r.pos; p < vEnd; ) {
          const n = b[p++];
          if (p + n > vEnd) return bad(r, 'DNS_SVCB_bad_param');
          ids.push(wireText(b, p, p + n));
          p += n;
        }
        value = ids.join(',');
        break;
      }
      case 3: // port
        value = len === 2 ? String((b[r.pos] << 8) | b[r.pos + 1]) : undefined;
        break;
      case 4: { // ipv4hint
        const a: string[] = [];
        for (let p = r.pos; p + 4 <= vEnd; p += 4) a.push(formatV4(b.readUInt32BE(p)));
        value = a.join(',');
        break;
      }
      case 6: { // ipv6hint
        const a: string[] = [];
        for (let p = r.pos; p + 16 <= vEnd; p += 16) {
          a.push(formatAddr(b.readUInt32BE(p), b.readUInt32BE(p + 4), b.readUInt32BE(p + 8), b.readUInt32BE(p + 12)));
        }
        value = a.join(',');
        break;
      }
      case 2: case 5: // no-default-alpn (empty), ech (an ECHConfigList: shown as present)
        value = undefined;
        break;
      default:
        value = len > 0 ? b.toString('hex', r.pos, vEnd) : undefined;
    }
    out += value === undefined ? ` ${name}` : ` ${name}=${value}`;
    r.pos = vEnd;
  }
  return out;
}
