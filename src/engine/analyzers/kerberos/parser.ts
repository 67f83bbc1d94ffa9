/**
 * Kerberos V5 messages (RFC 4120 §5): the fields Zeek's KRB analyzer hands to
 * base/protocols/krb/main.zeek, read from one DER message with bounded parsing (asn1.ts).
 */
import { wireText } from '../../support/wire-text.js';
import type { DatagramParse } from '../parsed-datagrams.js';
import { field, intValue, readTlv, timeValue, wellFormed, type Tlv } from './asn1.js';

/** The [APPLICATION n] tags of the messages (RFC 4120 §5.4.1 ff.). */
export const MSG = {
  AS_REQ: 10, AS_REP: 11, TGS_REQ: 12, TGS_REP: 13, AP_REQ: 14, AP_REP: 15,
  SAFE: 20, PRIV: 21, CRED: 22, ERROR: 30,
} as const;

export interface KrbMessage {
  /** The application tag number: one of MSG. */
  type: number;
  /** cname as Zeek formats a PrincipalName ("a", "a/b", "a/b/c", else "unknown"). */
  clientName?: string;
  /** KDC-REQ realm (Zeek's service_realm); KDC-REP and KRB-ERROR crealm (client_realm). */
  realm?: string;
  /** KDC-REQ and KRB-ERROR sname; KDC-REP: the ticket's sname. */
  serviceName?: string;
  from?: number;
  till?: number;
  forwardable?: boolean;
  renewable?: boolean;
  /** KDC-REP: etype of the ticket's enc-part. */
  ticketCipher?: number;
  errorCode?: number;
  errorText?: string;
  weirds?: string[];
}

const SEQUENCE = 0x30;

/** A string element (GeneralString, or any other primitive string type) as log text. */
function str(buf: Buffer, t: Tlv | undefined): string | undefined {
  if (!t || t.tag & 0x20 || t.tag & 0xc0) return undefined;
  return wireText(buf, t.off, t.end);
}

/** Zeek's GetStringFromPrincipalName: 1 to 3 name-string parts joined by "/", else "unknown". */
function principal(buf: Buffer, t: Tlv | undefined): string | undefined {
  if (!t || t.tag !== SEQUENCE) return undefined;
  const names = field(buf, t, 1);
  if (!names || names.tag !== SEQUENCE) return undefined;
  const parts: string[] = [];
  let p = names.off;
  while (p < names.end) {
    const s = readTlv(buf, p, names.end);
    if (!s) return undefined;
    if (parts.length === 3) return 'unknown'; // bounded: Zeek formats no more than three
    const v = str(buf, s);
    if (v === undefined) return undefined;
    parts.push(v);
    p = s.end;
  }
  return parts.length === 0 ? 'unknown' : parts.join('/');
}

/** Bit `n` (0 = most significant, RFC 4120 §5.2.8) of a BIT STRING. */
function bit(buf: Buffer, t: Tlv, n: number): boolean {
  const i = t.off + 1 + (n >> 3);
  return i < t.end && (buf[i] & (0x80 >> (n & 7))) !== 0;
}

function kdcReq(buf: Buffer, seq: Tlv, m: KrbMessage): void {
  const body = field(buf, seq, 4);
  if (!body || body.tag !== SEQUENCE) return;
  const opts = field(buf, body, 0);
  if (opts && opts.tag === 0x03 && opts.end > opts.off) {
    m.forwardable = bit(buf, opts, 1);
    m.renewable = bit(buf, opts, 8);
  }
  m.clientName = principal(buf, field(buf, body, 1));
  m.realm = str(buf, field(buf, body, 2));
  m.serviceName = principal(buf, field(buf, body, 3));
  m.from = timeValue(buf, field(buf, body, 4));
  m.till = timeValue(buf, field(buf, body, 5));
}

function kdcRep(buf: Buffer, seq: Tlv, m: KrbMessage): void {
  m.realm = str(buf, field(buf, seq, 3));
  m.clientName = principal(buf, field(buf, seq, 4));
  const ticket = field(buf, seq, 5);
  if (!ticket || ticket.tag !== 0x61) return; // Ticket ::= [APPLICATION 1] SEQUENCE
  const t = readTlv(buf, ticket.off, ticket.end);
  if (!t || t.tag !== SEQUENCE) return;
  m.serviceName = principal(buf, field(buf, t, 2));
  const enc = field(buf, t, 3);
  if (enc && enc.tag === SEQUENCE) m.ticketCipher = intValue(buf, field(buf, enc, 0));
}

function krbError(buf: Buffer, seq: Tlv, m: KrbMessage): void {
  m.errorCode = intValue(buf, field(buf, seq, 6));
  m.realm = str(buf, field(buf, seq, 7));
  m.clientName = principal(buf, field(buf, seq, 8));
  m.serviceName = principal(buf, field(buf, seq, 10));
  m.errorText = str(buf, field(buf, seq, 11));
  if (m.errorCode === undefined) (m.weirds ??= []).push('KRB_error_without_code');
}

/** One Kerberos message in buf[off, off+len) (a UDP datagram or one TCP record). */
export function parseKrb(buf: Buffer, off: number, len: number): DatagramParse<KrbMessage> {
  const end = off + len;
  const top = readTlv(buf, off, end);
  if (!top) return { error: 'not a DER element', weird: 'KRB_malformed_message' };
  const type = top.tag & 0x1f;
  // Constructed, APPLICATION class, a known message type.
  if ((top.tag & 0xe0) !== 0x60 || !(type in TYPES)) return { error: 'not a Kerberos message type', weird: 'KRB_malformed_message' };
  const seq = readTlv(buf, top.off, top.end);
  if (!seq || seq.tag !== SEQUENCE || seq.end !== top.end) return { error: 'message is not a SEQUENCE', weird: 'KRB_malformed_message' };
  if (!wellFormed(buf, seq.off, seq.end)) return { error: 'malformed ASN.1 in message', weird: 'KRB_malformed_message' };
  const m: KrbMessage = { type };
  switch (type) {
    case MSG.AS_REQ: case MSG.TGS_REQ: kdcReq(buf, seq, m); break;
    case MSG.AS_REP: case MSG.TGS_REP: kdcRep(buf, seq, m); break;
    case MSG.ERROR: krbError(buf, seq, m); break;
  }
  if (top.end !== end) (m.weirds ??= []).push('KRB_trailing_bytes');
  return { msg: m };
}

const TYPES: Record<number, true> = { 10: true, 11: true, 12: true, 13: true, 14: true, 15: true, 20: true, 21: true, 22: true, 30: true };
