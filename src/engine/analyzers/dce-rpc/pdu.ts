/**
 * Connection-oriented DCE/RPC PDUs (C706 §12.6, [MS-RPCE] §2.2.2): the 16-byte common header,
 * the presentation contexts of bind/alter_context, the secondary address of bind_ack, the
 * context id and opnum of request/response, and the auth verifier at the end of the fragment.
 * Reads stay inside the fragment; a PDU too short for its fixed part yields what could be read.
 */
import { LIMITS } from '../../support/limits.js';
import { oemText } from '../../support/utf16-text.js';

export const PTYPE = {
  REQUEST: 0, RESPONSE: 2, FAULT: 3, BIND: 11, BIND_ACK: 12, BIND_NAK: 13, ALTER_CONTEXT: 14, ALTER_CONTEXT_RESP: 15, AUTH3: 16,
} as const;

export const HEADER_BYTES = 16;
/** pfc_flags: first / last fragment of a call; object UUID present in a request. */
export const PFC_FIRST_FRAG = 0x01, PFC_LAST_FRAG = 0x02, PFC_OBJECT_UUID = 0x80;

export interface PduHeader {
  ptype: number;
  flags: number;
  littleEndian: boolean;
  fragLen: number;
  authLen: number;
  callId: number;
}

/** The common header at buf[off] (16 bytes must be there), or undefined if it is not DCE/RPC v5. */
export function readHeader(buf: Buffer, off: number): PduHeader | undefined {
  if (buf[off] !== 5 || buf[off + 1] > 1) return undefined;
  const drep = buf[off + 4];
  if ((drep & 0xe0) !== 0 || (drep & 0x0f) > 1) return undefined; // integer rep 0/1, ASCII or EBCDIC
  const le = (drep & 0x10) !== 0;
  const fragLen = le ? buf.readUInt16LE(off + 8) : buf.readUInt16BE(off + 8);
  const authLen = le ? buf.readUInt16LE(off + 10) : buf.readUInt16BE(off + 10);
  const callId = le ? buf.readUInt32LE(off + 12) : buf.readUInt32BE(off + 12);
  if (fragLen < HEADER_BYTES) return undefined;
  return { ptype: buf[off + 2], flags: buf[off + 3], littleEndian: le, fragLen, authLen, callId };
}

const u16 = (b: Buffer, p: number, le: boolean) => (le ? b.readUInt16LE(p) : b.readUInt16BE(p));
const u32 = (b: Buffer, p: number, le: boolean) => (le ? b.readUInt32LE(p) : b.readUInt32BE(p));

const hex = (b: Buffer, p: number, n: number) => b.toString('hex', p, p + n);
function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
function hex16(v: number): string {
  return v.toString(16).padStart(4, '0');
}

/** The UUID at buf[p] (16 bytes) in its usual string form; the first three fields follow drep. */
export function uuidText(buf: Buffer, p: number, le: boolean): string {
  return `${hex32(u32(buf, p, le))}-${hex16(u16(buf, p + 4, le))}-${hex16(u16(buf, p + 6, le))}-${hex(buf, p + 8, 2)}-${hex(buf, p + 10, 6)}`;
}

export interface PresentationContext {
  ctxId: number;
  uuid: string;
  /** The abstract syntax's major version (dce_iface tests it). */
  version: number;
}

/** Presentation contexts of a bind or alter_context PDU in buf[off, off+fragLen). */
export function bindContexts(buf: Buffer, off: number, h: PduHeader): PresentationContext[] {
  const end = off + h.fragLen - authBytes(h);
  const out: PresentationContext[] = [];
  if (off + 28 > end) return out;
  const n = buf[off + 24];
  let p = off + 28;
  for (let i = 0; i < n && i < LIMITS.dceRpcMaxContexts; i++) {
    if (p + 24 > end) break;
    const ctxId = u16(buf, p, h.littleEndian);
    const nTransfer = buf[p + 2];
    out.push({ ctxId, uuid: uuidText(buf, p + 4, h.littleEndian), version: u16(buf, p + 20, h.littleEndian) });
    p += 24 + nTransfer * 20;
  }
  return out;
}

/** Secondary address of a bind_ack ("\PIPE\srvsvc", "135"), without its terminating NUL. */
export function bindAckSecAddr(buf: Buffer, off: number, h: PduHeader): string | undefined {
  const end = off + h.fragLen;
  if (off + 26 > end) return undefined;
  const len = u16(buf, off + 24, h.littleEndian);
  if (len === 0 || off + 26 + len > end) return undefined;
  let e = off + 26 + len;
  while (e > off + 26 && buf[e - 1] === 0) e--;
  return e > off + 26 ? oemText(buf, off + 26, e) : undefined;
}

/** Context id and opnum of a request; context id of a response or fault. */
export function callContext(buf: Buffer, off: number, h: PduHeader): { ctxId: number; opnum: number } | undefined {
  if (h.fragLen < 24) return undefined;
  return { ctxId: u16(buf, off + 20, h.littleEndian), opnum: h.ptype === PTYPE.REQUEST ? u16(buf, off + 22, h.littleEndian) : -1 };
}

/**
 * The stub data of a request or response fragment: [start, end) in buf, after the fixed part
 * (and a request's object UUID), before the auth verifier; undefined when nothing fits.
 */
export function stubRange(off: number, h: PduHeader): [number, number] | undefined {
  const start = off + 24 + (h.ptype === PTYPE.REQUEST && (h.flags & PFC_OBJECT_UUID) ? 16 : 0);
  const end = off + h.fragLen - authBytes(h);
  return end > start ? [start, end] : undefined;
}

/** Bytes the auth verifier takes at the end of the fragment (sec_trailer + auth value), 0 if none fits. */
function authBytes(h: PduHeader): number {
  return h.authLen > 0 && h.authLen + 8 <= h.fragLen - HEADER_BYTES ? h.authLen + 8 : 0;
}

/** The auth value (e.g. an NTLMSSP message) of the PDU: [start, end) in buf, or undefined. */
export function authValue(buf: Buffer, off: number, h: PduHeader): [number, number] | undefined {
  if (authBytes(h) === 0) return undefined;
  const end = off + h.fragLen;
  return [end - h.authLen, end];
}
