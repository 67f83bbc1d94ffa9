/**
 * SNMP message parsing (RFC 1157 v1, RFC 1901/3416 v2c, RFC 3412 §6 v3): the version, the v1/v2c
 * community, the PDU type and its variable bindings (OIDs, and the values Zeek's script uses:
 * octet strings and unsigned numbers). v3 messages are read up to the plaintext scoped PDU when
 * the privacy flag is clear; an encrypted one stops at its header.
 */
import { LIMITS } from '../../support/limits.js';
import { wireText } from '../../support/wire-text.js';
import { type Tlv, intValue, oidValue, readTlv, uintValue } from './ber.js';

export const SEQUENCE = 0x30;
const INTEGER = 0x02, OCTET_STRING = 0x04, OID = 0x06;

/** PDU tags (RFC 3416 §3). */
export const PDU = {
  GetRequest: 0xa0, GetNextRequest: 0xa1, Response: 0xa2, SetRequest: 0xa3, TrapV1: 0xa4,
  GetBulkRequest: 0xa5, InformRequest: 0xa6, TrapV2: 0xa7, Report: 0xa8,
} as const;

export interface Binding {
  oid: string;
  /** OCTET STRING value as log text. */
  octets?: string;
  /** Counter32, Gauge32, TimeTicks, Counter64 value. */
  unsigned?: number;
}

export interface SnmpMessage {
  /** 0 (v1), 1 (v2c), 3 (v3); others are rejected. */
  version: number;
  community?: string;
  /** The PDU's tag; undefined for an encrypted v3 PDU. */
  pduTag?: number;
  bindings: Binding[];
  encrypted: boolean;
  weirds?: string[];
}

export type SnmpParse = { msg: SnmpMessage } | { error: string; weird: string };

const bad = (error: string, weird = 'SNMP_malformed'): SnmpParse => ({ error, weird });

export function parseSnmp(buf: Buffer, off: number, len: number): SnmpParse {
  const end = off + len;
  const top = readTlv(buf, off, end);
  if (!top || top.tag !== SEQUENCE) return bad('not a BER SEQUENCE');
  const ver = readTlv(buf, top.off, top.end);
  const version = ver && ver.tag === INTEGER ? intValue(buf, ver) : undefined;
  if (version === undefined) return bad('no version');
  if (version !== 0 && version !== 1 && version !== 3) return bad(`unknown SNMP version ${version}`, 'SNMP_unknown_header_version');
  const msg: SnmpMessage = { version, bindings: [], encrypted: false };
  let pdu: Tlv | undefined;
  if (version === 3) {
    // HeaderData (msgID, msgMaxSize, msgFlags, msgSecurityModel), then the security parameters.
    const global = readTlv(buf, ver!.end, top.end);
    if (!global || global.tag !== SEQUENCE) return bad('no v3 header data');
    let p = global.off, flags = 0;
    for (let i = 0; i < 4; i++) {
      const t = readTlv(buf, p, global.end);
      if (!t) return bad('bad v3 header data');
      if (i === 2) {
        if (t.tag !== OCTET_STRING || t.end - t.off !== 1) return bad('bad v3 msgFlags');
        flags = buf[t.off];
      }
      p = t.end;
    }
    const sec = readTlv(buf, global.end, top.end);
    if (!sec || sec.tag !== OCTET_STRING) return bad('no v3 security parameters');
    if (flags & 0x02) {
      msg.encrypted = true;
      return { msg };
    }
    const scoped = readTlv(buf, sec.end, top.end);
    const engine = scoped && scoped.tag === SEQUENCE ? readTlv(buf, scoped.off, scoped.end) : undefined;
    const name = engine && readTlv(buf, engine.end, scoped!.end);
    pdu = name && readTlv(buf, name.end, scoped!.end);
    if (!pdu) return malformedPdu(msg);
  } else {
    const comm = readTlv(buf, ver!.end, top.end);
    if (!comm || comm.tag !== OCTET_STRING) return bad('no community');
    msg.community = wireText(buf, comm.off, comm.end);
    pdu = readTlv(buf, comm.end, top.end);
  }
  if (!pdu) return malformedPdu(msg);
  msg.pduTag = pdu.tag;
  if (pdu.tag < PDU.GetRequest || pdu.tag > PDU.Report) return { msg }; // unknown PDU: header only
  const vbl = varbindList(buf, pdu);
  if (!vbl) return malformedPdu(msg);
  if (!readBindings(buf, vbl, msg)) (msg.weirds ??= []).push('SNMP_bad_varbind');
  return { msg };
}

/** A good header (version, community or v3 header data) with a PDU that does not parse: the
 *  message counts for the session (version, community) but none of its bindings do. */
function malformedPdu(msg: SnmpMessage): SnmpParse {
  msg.pduTag = undefined;
  (msg.weirds ??= []).push('SNMP_malformed_PDU');
  return { msg };
}

/** The VarBindList of a PDU: after request-id, error-status, error-index (or, in a v1 trap,
 *  enterprise, agent-addr, generic-trap, specific-trap, time-stamp). */
function varbindList(buf: Buffer, pdu: Tlv): Tlv | undefined {
  const fields = pdu.tag === PDU.TrapV1 ? 5 : 3;
  let p = pdu.off;
  for (let i = 0; i < fields; i++) {
    const t = readTlv(buf, p, pdu.end);
    if (!t) return undefined;
    p = t.end;
  }
  const vbl = readTlv(buf, p, pdu.end);
  return vbl && vbl.tag === SEQUENCE ? vbl : undefined;
}

/** Each binding is SEQUENCE { name OID, value }; false at the first malformed one. */
function readBindings(buf: Buffer, vbl: Tlv, msg: SnmpMessage): boolean {
  let p = vbl.off;
  while (p < vbl.end) {
    const vb = readTlv(buf, p, vbl.end);
    if (!vb || vb.tag !== SEQUENCE) return false;
    p = vb.end;
    const name = readTlv(buf, vb.off, vb.end);
    const value = name && readTlv(buf, name.end, vb.end);
    const oid = name && name.tag === OID ? oidValue(buf, name) : undefined;
    if (!value || oid === undefined) return false;
    if (msg.bindings.length >= LIMITS.snmpMaxBindings) {
      (msg.weirds ??= []).push('SNMP_too_many_bindings');
      return true;
    }
    const b: Binding = { oid };
    if (value.tag === OCTET_STRING) b.octets = wireText(buf, value.off, value.end);
    else if (value.tag === 0x41 || value.tag === 0x42 || value.tag === 0x43 || value.tag === 0x46) b.unsigned = uintValue(buf, value);
    msg.bindings.push(b);
  }
  return true;
}
