/**
 * The RDP connection sequence up to where it is encrypted ([MS-RDPBCGR] §1.3.1.1): TPKT (RFC 1006)
 * and X.224 (ISO 8073) connection request / confirm with the RDP negotiation request, response or
 * failure, then the MCS Connect-Initial / Connect-Response (T.125, BER) carrying the GCC
 * conference create request / response (T.124, PER) with the client and server data blocks.
 * Each function reads only inside the PDU it is given and returns undefined for what it cannot
 * read.
 */
import { readTlv } from '../../support/ber.js';
import { LIMITS } from '../../support/limits.js';
import { oemText, utf16TextZ } from '../../support/utf16-text.js';

export const X224_CR = 0xe0, X224_CC = 0xd0, X224_DT = 0xf0;
const NEG_RSP = 2, NEG_FAILURE = 3;
const COOKIE = Buffer.from('Cookie: mstshash=', 'latin1');
/** Bytes of the cookie kept (a user name; the CR fits one TPKT anyway). */
const MAX_COOKIE = 1024;

/** The X.224 TPDU in a TPKT payload tpkt[off, end): its code and where its user data starts. */
export function x224(buf: Buffer, off: number, end: number): { code: number; data: number } | undefined {
  if (end - off < 2) return undefined;
  const li = buf[off];
  const code = buf[off + 1] & 0xf0;
  if (li < 1 || off + 1 + li > end) return undefined;
  return { code, data: off + 1 + li };
}

/** Cookie and RDP_NEG_REQ of a connection request (variable part buf[p, end)). */
export function connectRequest(buf: Buffer, p: number, end: number): { cookie?: string } {
  if (end - p >= COOKIE.length && buf.compare(COOKIE, 0, COOKIE.length, p, p + COOKIE.length) === 0) {
    const v = p + COOKIE.length;
    let e = v;
    const lim = Math.min(end, v + MAX_COOKIE);
    while (e < lim && buf[e] !== 0x0d) e++;
    return { cookie: oemText(buf, v, e) };
  }
  return {};
}

/** The negotiation response or failure after a connection confirm's fixed part (buf[p, end)). */
export function connectConfirm(buf: Buffer, p: number, end: number): { selected?: number; failure?: number } {
  if (end - p < 8) return {};
  const type = buf[p];
  if (type === NEG_RSP) return { selected: buf.readUInt32LE(p + 4) };
  if (type === NEG_FAILURE) return { failure: buf.readUInt32LE(p + 4) };
  return {};
}

/** A BER length at buf[p]: [length, where the content starts]. */
function berLength(buf: Buffer, p: number, end: number): [number, number] | undefined {
  if (p >= end) return undefined;
  const b = buf[p];
  if (b < 0x80) return [b, p + 1];
  const n = b & 0x7f;
  if (n === 0 || n > 2 || p + 1 + n > end) return undefined;
  return [n === 1 ? buf[p + 1] : buf.readUInt16BE(p + 1), p + 1 + n];
}

/** A PER length determinant (X.691 §10.9) at buf[p]: [length, next]. */
function perLength(buf: Buffer, p: number, end: number): [number, number] | undefined {
  if (p >= end) return undefined;
  const b = buf[p];
  if (!(b & 0x80)) return [b, p + 1];
  if (p + 2 > end) return undefined;
  return [((b & 0x3f) << 8) | buf[p + 1], p + 2];
}

/**
 * The userData OCTET STRING of an MCS Connect-Initial (tag 7f 65) or Connect-Response (7f 66)
 * starting at buf[p]; for the response also its MCS result. [start, end) of the GCC bytes.
 */
export function mcsUserData(buf: Buffer, p: number, end: number, response: boolean): [number, number] | undefined {
  if (end - p < 3 || buf[p] !== 0x7f || buf[p + 1] !== (response ? 0x66 : 0x65)) return undefined;
  const l = berLength(buf, p + 2, end);
  if (!l) return undefined;
  const bodyEnd = Math.min(end, l[1] + l[0]);
  let q = l[1];
  // Connect-Initial: two domain selectors, upward flag, three domain parameter sets, user data.
  // Connect-Response: result, called connect id, domain parameters, user data.
  for (let i = 0; i < 8 && q < bodyEnd; i++) {
    const t = readTlv(buf, q, bodyEnd);
    if (!t) return undefined;
    if (t.tag === 0x04 && i >= (response ? 3 : 6)) return [t.off, t.end];
    q = t.end;
  }
  return undefined;
}

/** GCC (T.124) around the data blocks: [blocksStart, blocksEnd) and, for a response, its result byte. */
export function gccBlocks(buf: Buffer, p: number, end: number, response: boolean): { blocks: [number, number]; result?: number } | undefined {
  // Key: object identifier t124 (00 05 00 14 7c 00 01), then the ConnectPDU's length.
  if (end - p < 8 || buf[p] !== 0 || buf[p + 1] !== 5) return undefined;
  const l = perLength(buf, p + 7, end);
  if (!l) return undefined;
  let q = l[1];
  let result: number | undefined;
  if (response) {
    // conferenceCreateResponse: choice, nodeID (2), tag (length + value), result.
    if (q + 4 > end) return undefined;
    const tagLen = buf[q + 3];
    if (tagLen > 4 || q + 4 + tagLen >= end) return undefined;
    result = buf[q + 4 + tagLen];
  }
  const key = response ? 'McDn' : 'Duca';
  const at = buf.indexOf(key, q, 'latin1');
  if (at < 0 || at + 4 >= end || at - q > 32) return undefined;
  q = at + 4;
  const bl = perLength(buf, q, end);
  if (!bl) return undefined;
  return { blocks: [bl[1], Math.min(end, bl[1] + bl[0])], result };
}

export interface ClientCore {
  desktopWidth: number;
  desktopHeight: number;
  keyboardLayout: number;
  clientBuild: number;
  clientName: string;
  highColorDepth?: number;
  earlyCapabilityFlags?: number;
  digProductId?: string;
}

export interface ServerSecurity {
  encryptionMethod: number;
  encryptionLevel: number;
  certType?: number;
  certPermanent?: boolean;
  certCount?: number;
}

/** The data blocks (type u16, length u16, body) in buf[p, end), bounded by the blocks' own lengths. */
export function* dataBlocks(buf: Buffer, p: number, end: number): Generator<{ type: number; off: number; end: number }> {
  for (let n = 0; n < 32 && p + 4 <= end; n++) {
    const type = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    if (len < 4 || p + len > end) return;
    yield { type, off: p, end: p + len };
    p += len;
  }
}

/** CS_CORE (0xC001, §2.2.1.3.2). */
export function clientCore(buf: Buffer, p: number, end: number): ClientCore | undefined {
  if (end - p < 56) return undefined;
  const c: ClientCore = {
    desktopWidth: buf.readUInt16LE(p + 8),
    desktopHeight: buf.readUInt16LE(p + 10),
    keyboardLayout: buf.readUInt32LE(p + 16),
    clientBuild: buf.readUInt32LE(p + 20),
    clientName: utf16TextZ(buf, p + 24, p + 56),
  };
  if (end - p >= 142) c.highColorDepth = buf.readUInt16LE(p + 140);
  if (end - p >= 146) c.earlyCapabilityFlags = buf.readUInt16LE(p + 144);
  if (end - p >= 210) c.digProductId = utf16TextZ(buf, p + 146, p + 210);
  return c;
}

/** CS_NET (0xC003, §2.2.1.3.4): channel names, and how many the client claimed. */
export function clientChannels(buf: Buffer, p: number, end: number): { names: string[]; count: number } {
  const names: string[] = [];
  if (end - p < 8) return { names, count: 0 };
  const count = buf.readUInt32LE(p + 4);
  let q = p + 8;
  for (let i = 0; i < count && i < LIMITS.rdpMaxChannels && q + 12 <= end; i++, q += 12) {
    let e = q;
    while (e < q + 8 && buf[e] !== 0) e++;
    names.push(oemText(buf, q, e));
  }
  return { names, count };
}

/** SC_SECURITY (0x0C02, §2.2.1.4.3) with the server certificate's type and count. */
export function serverSecurity(buf: Buffer, p: number, end: number): ServerSecurity | undefined {
  if (end - p < 12) return undefined;
  const s: ServerSecurity = { encryptionMethod: buf.readUInt32LE(p + 4), encryptionLevel: buf.readUInt32LE(p + 8) };
  if (s.encryptionMethod === 0 && s.encryptionLevel === 0) return s;
  if (end - p < 20) return s;
  const randomLen = buf.readUInt32LE(p + 12);
  const certLen = buf.readUInt32LE(p + 16);
  const cert = p + 20 + randomLen;
  if (randomLen > end - p - 20 || certLen < 4 || certLen > end - cert) return s;
  const version = buf.readUInt32LE(cert);
  s.certType = version & 0x7fffffff;
  s.certPermanent = (version & 0x80000000) === 0;
  if (s.certType === 1) s.certCount = 1;
  else if (s.certType === 2 && certLen >= 8) {
    // X.509 chain (§2.2.1.4.3.1): NumCertBlobs, then (cbCert, cert) pairs; count those present.
    const chainEnd = cert + certLen;
    const claimed = buf.readUInt32LE(cert + 4);
    let q = cert + 8, n = 0;
    while (n < claimed && n < LIMITS.sslMaxCertificates && q + 4 <= chainEnd) {
      const len = buf.readUInt32LE(q);
      if (len > chainEnd - q - 4) break;
      q += 4 + len;
      n++;
    }
    s.certCount = n;
  }
  return s;
}
