/**
 * ClientHello and ServerHello bodies (RFC 8446 §4.1.2-4.1.3, RFC 5246 §7.4.1, SSLv2 §2.5) parsed
 * into what ssl.log and the fingerprints need. Every length is checked against the message end;
 * a malformed hello yields undefined (the caller reports it), never a throw. Names that reach
 * logs (SNI, the server's ALPN choice) go through wireText; the client's ALPN list stays raw
 * (latin1) because JA4 looks at its bytes.
 */
import { wireText } from '../../support/wire-text.js';

export interface ClientHello {
  version: number;
  sessionId: string;
  ciphers: number[];
  /** Extension types in wire order. */
  extensions: number[];
  serverNames: string[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  alpn: string[];
  supportedVersions: number[];
  /** Non-empty session_ticket extension (Zeek's client_ticket_empty_session_seen input). */
  ticket: boolean;
  psk: boolean;
  ech: boolean;
  /** SSLv2-format hello: 3-byte cipher kinds, no extensions. */
  v2: boolean;
}

export interface ServerHello {
  version: number;
  random: Buffer;
  sessionId: string;
  cipher: number;
  extensions: number[];
  /** supported_versions selected by the server (TLS 1.3). */
  selectedVersion?: number;
  keyShareGroup?: number;
  alpn: string[];
  psk: boolean;
}

const ALL_ZERO_32 = /^(00){32}$/;

function sessionHex(b: Buffer, start: number, len: number): string {
  if (len === 0) return '';
  const hex = b.toString('hex', start, start + len);
  return ALL_ZERO_32.test(hex) ? '' : hex; // Zeek ignores an all-zero 32-byte id
}

export function parseClientHello(b: Buffer, p: number, end: number): ClientHello | undefined {
  if (end - p < 2 + 32 + 1) return undefined;
  const h: ClientHello = {
    version: b.readUInt16BE(p), sessionId: '', ciphers: [], extensions: [], serverNames: [], groups: [],
    pointFormats: [], sigAlgs: [], alpn: [], supportedVersions: [], ticket: false, psk: false, ech: false, v2: false,
  };
  p += 34;
  const sidLen = b[p++];
  if (sidLen > 32 || p + sidLen > end) return undefined;
  h.sessionId = sessionHex(b, p, sidLen);
  p += sidLen;
  if (p + 2 > end) return undefined;
  const csLen = b.readUInt16BE(p);
  p += 2;
  if (csLen < 2 || csLen % 2 !== 0 || p + csLen > end) return undefined;
  for (let i = 0; i < csLen; i += 2) h.ciphers.push(b.readUInt16BE(p + i));
  p += csLen;
  if (p >= end) return undefined;
  const cmLen = b[p++];
  if (cmLen === 0 || p + cmLen > end) return undefined;
  p += cmLen;
  if (p + 2 > end) return h; // no extensions (SSLv3 style)
  const extEnd = p + 2 + b.readUInt16BE(p);
  if (extEnd > end) return undefined;
  p += 2;
  while (p + 4 <= extEnd) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    const s = p + 4;
    const e = s + len;
    if (e > extEnd) return undefined;
    h.extensions.push(type);
    clientExtension(h, type, b, s, e);
    p = e;
  }
  return h;
}

function clientExtension(h: ClientHello, type: number, b: Buffer, s: number, e: number): void {
  switch (type) {
    case 0: { // server_name (RFC 6066 §3)
      if (e - s < 2) return;
      const le = Math.min(e, s + 2 + b.readUInt16BE(s));
      for (let q = s + 2; q + 3 <= le; ) {
        const nt = b[q];
        const nl = b.readUInt16BE(q + 1);
        if (q + 3 + nl > le) break;
        if (nt === 0) h.serverNames.push(wireText(b, q + 3, q + 3 + nl));
        q += 3 + nl;
      }
      return;
    }
    case 10: u16List(b, s, e, h.groups, 2); return;
    case 11: { // ec_point_formats: 1-byte length, 1-byte values
      if (e - s < 1) return;
      const le = Math.min(e, s + 1 + b[s]);
      for (let q = s + 1; q < le; q++) h.pointFormats.push(b[q]);
      return;
    }
    case 13: u16List(b, s, e, h.sigAlgs, 2); return;
    case 16: alpnList(b, s, e, h.alpn, false); return;
    case 35: h.ticket = e > s; return;
    case 41: h.psk = true; return;
    case 43: u16List(b, s, e, h.supportedVersions, 1); return;
    case 0xfe0d: h.ech = true; return;
  }
}

/** A list of 16-bit values behind a `lenBytes`-byte length. */
function u16List(b: Buffer, s: number, e: number, out: number[], lenBytes: 1 | 2): void {
  if (e - s < lenBytes) return;
  const n = lenBytes === 1 ? b[s] : b.readUInt16BE(s);
  const le = Math.min(e, s + lenBytes + n);
  for (let q = s + lenBytes; q + 2 <= le; q += 2) out.push(b.readUInt16BE(q));
}

function alpnList(b: Buffer, s: number, e: number, out: string[], forLog: boolean): void {
  if (e - s < 2) return;
  const le = Math.min(e, s + 2 + b.readUInt16BE(s));
  for (let q = s + 2; q < le; ) {
    const n = b[q];
    if (q + 1 + n > le) break;
    out.push(forLog ? wireText(b, q + 1, q + 1 + n) : b.toString('latin1', q + 1, q + 1 + n));
    q += 1 + n;
  }
}

/** SSLv2 CLIENT-HELLO body after the 2-byte record header and message type (SSLv2 §2.5). */
export function parseV2ClientHello(b: Buffer, p: number, end: number): ClientHello | undefined {
  if (end - p < 8) return undefined;
  const version = b.readUInt16BE(p);
  const csLen = b.readUInt16BE(p + 2);
  const sidLen = b.readUInt16BE(p + 4);
  const chLen = b.readUInt16BE(p + 6);
  p += 8;
  if (csLen % 3 !== 0 || p + csLen + sidLen + chLen > end) return undefined;
  const h: ClientHello = {
    version, sessionId: '', ciphers: [], extensions: [], serverNames: [], groups: [], pointFormats: [],
    sigAlgs: [], alpn: [], supportedVersions: [], ticket: false, psk: false, ech: false, v2: true,
  };
  for (let i = 0; i < csLen; i += 3) h.ciphers.push((b[p + i] << 16) | (b[p + i + 1] << 8) | b[p + i + 2]);
  h.sessionId = sessionHex(b, p + csLen, sidLen);
  return h;
}

export function parseServerHello(b: Buffer, p: number, end: number): ServerHello | undefined {
  if (end - p < 2 + 32 + 2) return undefined;
  const version = b.readUInt16BE(p);
  const h: ServerHello = { version, random: b.subarray(p + 2, p + 34), sessionId: '', cipher: 0, extensions: [], alpn: [], psk: false };
  p += 34;
  if (version >> 8 !== 0x7f) {
    // TLS 1.3 drafts (0x7fNN, before draft 22) drop session id and compression.
    const sidLen = b[p++];
    if (sidLen > 32 || p + sidLen + 3 > end) return undefined;
    h.sessionId = sessionHex(b, p, sidLen);
    p += sidLen;
    h.cipher = b.readUInt16BE(p);
    p += 3;
  } else {
    h.cipher = b.readUInt16BE(p);
    p += 2;
  }
  if (p + 2 > end) return h;
  const extEnd = p + 2 + b.readUInt16BE(p);
  if (extEnd > end) return undefined;
  p += 2;
  while (p + 4 <= extEnd) {
    const type = b.readUInt16BE(p);
    const s = p + 4;
    const e = s + b.readUInt16BE(p + 2);
    if (e > extEnd) return undefined;
    h.extensions.push(type);
    if (type === 43 && e - s === 2) h.selectedVersion = b.readUInt16BE(s);
    else if (type === 51 && e - s >= 2) h.keyShareGroup = b.readUInt16BE(s);
    else if (type === 16) alpnList(b, s, e, h.alpn, true);
    else if (type === 41) h.psk = true;
    p = e;
  }
  return h;
}
