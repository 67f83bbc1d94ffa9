/**
 * DHCP/BOOTP message parsing (RFC 2131 §2: the fixed 236-byte BOOTP header, then the magic
 * cookie 99.130.83.99 and the options of RFC 2132), bounded: every option length is checked
 * against the datagram, a malformed option costs that option only. Returns undefined when the
 * bytes are not a DHCP message at all (too short, bad op code, bad cookie).
 */
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';

export const DHCP_FIXED_LEN = 236;
export const DHCP_MIN_LEN = DHCP_FIXED_LEN + 4;
export const DHCP_COOKIE = 0x63825363;

export interface DhcpMessage {
  op: number;
  xid: number;
  /** Client hardware address as Zeek's fmt_mac formats chaddr ('' when not a MAC). */
  chaddr: string;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** Option 53; 0 when absent. */
  msgType: number;
  hostName?: string;
  domainName?: string;
  requestedAddr?: string;
  leaseTime?: number;
  serverId?: string;
  paramList?: number[];
  vendorClass?: string;
  /** Option 61 when its type is 1 (Ethernet): the MAC; `clientIdType` is always set with 61. */
  clientIdType?: number;
  clientIdHwAddr?: string;
  clientFqdn?: string;
  /** Option 56. */
  message?: string;
  /** Option 82: circuit id (sub-option 1) and remote id (2), as text. */
  circuitId?: string;
  remoteId?: string;
  /** Codes of every option, in order (Zeek's Options$options). */
  options: number[];
  weirds?: string[];
}

export type DhcpParse = { msg: DhcpMessage } | { error: string; weird: string };

const HEX = '0123456789abcdef';

/** Zeek's fmt_mac: 6 bytes, or 8 when bytes 6 and 7 are not both zero; '' below 6 bytes. */
export function fmtMac(buf: Buffer, off: number, len: number): string {
  if (len < 8 && len !== 6) return '';
  const n = len === 6 || (buf[off + 6] === 0 && buf[off + 7] === 0) ? 6 : 8;
  let s = '';
  for (let i = 0; i < n; i++) {
    const b = buf[off + i];
    if (i) s += ':';
    s += HEX[b >> 4] + HEX[b & 15];
  }
  return s;
}

function ip4(buf: Buffer, o: number): string {
  return `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
}

/** RFC 4702 §2.3.1: with the E flag the name is in DNS wire format (labels), else ASCII. */
function fqdnName(buf: Buffer, off: number, end: number, wire: boolean): string {
  if (!wire) return wireText(buf, off, end);
  const labels: string[] = [];
  let p = off;
  while (p < end) {
    const l = buf[p++];
    if (l === 0 || l > 63 || p + l > end) break;
    labels.push(wireText(buf, p, p + l));
    p += l;
  }
  return labels.join('.');
}

export function parseDhcp(buf: Buffer, off: number, len: number): DhcpParse {
  if (len < DHCP_MIN_LEN) return { error: 'message shorter than a DHCP header', weird: 'DHCP_truncated' };
  const op = buf[off];
  if (op !== 1 && op !== 2) return { error: `Unknown DHCP message op code (${op})`, weird: 'DHCP_bad_op' };
  const cookie = buf.readUInt32BE(off + DHCP_FIXED_LEN);
  if (cookie !== DHCP_COOKIE) return { error: `bad cookie (${cookie})`, weird: 'DHCP_bad_cookie' };
  const msg: DhcpMessage = {
    op,
    xid: buf.readUInt32BE(off + 4),
    ciaddr: ip4(buf, off + 12),
    yiaddr: ip4(buf, off + 16),
    siaddr: ip4(buf, off + 20),
    giaddr: ip4(buf, off + 24),
    chaddr: fmtMac(buf, off + 28, 16),
    msgType: 0,
    options: [],
  };
  const weird = (w: string) => (msg.weirds ??= []).push(w);
  const end = off + len;
  let p = off + DHCP_MIN_LEN;
  let count = 0;
  while (p < end) {
    const code = buf[p++];
    if (code === 0) continue; // pad
    if (code === 255) break; // end
    if (++count > LIMITS.dhcpMaxOptions) {
      weird('DHCP_too_many_options');
      break;
    }
    if (p >= end) {
      weird('DHCP_truncated_option');
      break;
    }
    const olen = buf[p++];
    if (p + olen > end) {
      weird('DHCP_truncated_option');
      break;
    }
    const v = p;
    p += olen;
    msg.options.push(code);
    if (!option(msg, code, buf, v, olen)) weird('DHCP_bad_option_length');
  }
  if (msg.msgType === 0) weird('DHCP_no_message_type');
  return { msg };
}

/** One option's value buf[v, v+len); false when its length is wrong for its code. */
function option(msg: DhcpMessage, code: number, buf: Buffer, v: number, len: number): boolean {
  switch (code) {
    case 53:
      if (len !== 1) return false;
      // Like Zeek, the first message-type option counts.
      if (msg.msgType === 0) msg.msgType = buf[v];
      return true;
    case 12:
      msg.hostName = wireText(buf, v, v + len);
      return true;
    case 15:
      msg.domainName = wireText(buf, v, v + len);
      return true;
    case 50:
      if (len !== 4) return false;
      msg.requestedAddr = ip4(buf, v);
      return true;
    case 51:
      if (len !== 4) return false;
      msg.leaseTime = buf.readUInt32BE(v);
      return true;
    case 54:
      if (len !== 4) return false;
      msg.serverId = ip4(buf, v);
      return true;
    case 55:
      msg.paramList = Array.from(buf.subarray(v, v + len));
      return true;
    case 56:
      msg.message = wireText(buf, v, v + len);
      return true;
    case 60:
      msg.vendorClass = wireText(buf, v, v + len);
      return true;
    case 61:
      if (len < 1) return false;
      msg.clientIdType = buf[v];
      if (buf[v] === 1) msg.clientIdHwAddr = fmtMac(buf, v + 1, len - 1);
      return true;
    case 81:
      // RFC 4702 §2: flags, two obsolete rcodes, then the name.
      if (len < 3) return false;
      msg.clientFqdn = fqdnName(buf, v + 3, v + len, (buf[v] & 0x04) !== 0);
      return true;
    case 82: {
      // RFC 3046 §2.0: sub-options, each code, length, value.
      let p = v;
      const end = v + len;
      while (p + 2 <= end) {
        const sc = buf[p], sl = buf[p + 1];
        if (p + 2 + sl > end) return false;
        if (sc === 1) msg.circuitId = wireText(buf, p + 2, p + 2 + sl);
        else if (sc === 2) msg.remoteId = wireText(buf, p + 2, p + 2 + sl);
        p += 2 + sl;
      }
      return p === end;
    }
    default:
      return true;
  }
}

/** Zeek's DHCP::message_types. */
const MESSAGE_TYPES = [
  '', 'DISCOVER', 'OFFER', 'REQUEST', 'DECLINE', 'ACK', 'NAK', 'RELEASE', 'INFORM', 'FORCERENEW',
  'LEASEQUERY', 'LEASEUNASSIGNED', 'LEASEUNKNOWN', 'LEASEACTIVE', 'BULKLEASEQUERY', 'LEASEQUERYDONE',
  'ACTIVELEASEQUERY', 'LEASEQUERYSTATUS', 'TLS',
];

export function messageTypeName(t: number): string {
  return (t > 0 && t < MESSAGE_TYPES.length) ? MESSAGE_TYPES[t] : `unknown-message-type-${t}`;
}
