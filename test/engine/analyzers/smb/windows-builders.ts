/**
 * Builders for the Windows-protocol tests: a TCP connection capture from segments (with optional
 * holes), NTLMSSP messages, SMB2 messages behind NetBIOS framing, DCE/RPC PDUs and RDP's
 * X.224/MCS connection sequence. The shared captures hold no SMB file transfer and no RDP over
 * TCP, so those tests build their own, byte by byte from the specifications.
 */
import { ACK, FIN, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

export const C = '10.5.0.1', S = '10.5.0.2';

/** Segments of one TCP connection ([fromClient, bytes, bytesNeverCaptured before it]). */
export function tcpPcap(dport: number, segs: Array<[boolean, Buffer, number?]>, sport = 49800): string {
  let cs = 1000, ss = 9000, t = 1000;
  const f: FrameSpec[] = [
    { ts: t, src: C, dst: S, proto: 'tcp', sport, dport, flags: SYN, seq: cs - 1, ack: 0 },
    { ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: SYN | ACK, seq: ss - 1, ack: cs },
    { ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK, seq: cs, ack: ss },
  ];
  for (const [o, b, skip] of segs) {
    if (o) {
      cs += skip ?? 0;
      f.push({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK | PSH, seq: cs, ack: ss, payload: b });
      cs += b.length;
    } else {
      ss += skip ?? 0;
      f.push({ ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: ACK | PSH, seq: ss, ack: cs, payload: b });
      ss += b.length;
    }
  }
  f.push({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK | FIN, seq: cs, ack: ss });
  f.push({ ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: ACK | FIN, seq: ss, ack: cs + 1 });
  f.push({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK, seq: cs + 1, ack: ss + 1 });
  return writeTemp(buildPcap(f));
}

/** Cuts a buffer into pieces of at most `n` bytes (TCP segments). */
export function segments(fromClient: boolean, b: Buffer, n = 1400): Array<[boolean, Buffer]> {
  const out: Array<[boolean, Buffer]> = [];
  for (let i = 0; i < b.length; i += n) out.push([fromClient, b.subarray(i, i + n)]);
  return out;
}

export const utf16 = (s: string) => Buffer.from(s, 'utf16le');
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeUInt32LE(n % 4294967296); b.writeUInt32LE(Math.floor(n / 4294967296), 4); return b; };

// ---- NTLMSSP ----
const SIG = Buffer.from('NTLMSSP\0', 'latin1');
export function ntlmNegotiate(): Buffer {
  return Buffer.concat([SIG, u32(1), u32(0x60088215), Buffer.alloc(16)]);
}
export function ntlmChallenge(nb: string, dns: string, tree: string): Buffer {
  const av = Buffer.concat([
    u16(1), u16(utf16(nb).length), utf16(nb), u16(3), u16(utf16(dns).length), utf16(dns), u16(5), u16(utf16(tree).length), utf16(tree), u16(0), u16(0),
  ]);
  return Buffer.concat([SIG, u32(2), u16(0), u16(0), u32(56), u32(0x60898215), Buffer.alloc(8, 0x11), Buffer.alloc(8), u16(av.length), u16(av.length), u32(56), Buffer.alloc(8), av]);
}
export function ntlmAuthenticate(domain: string, user: string, host: string, unicode = true): Buffer {
  const enc = (s: string) => (unicode ? utf16(s) : Buffer.from(s, 'latin1'));
  const d = enc(domain), u = enc(user), h = enc(host);
  let at = 72;
  const field = (b: Buffer) => { const f = Buffer.concat([u16(b.length), u16(b.length), u32(at)]); at += b.length; return f; };
  const lm = field(Buffer.alloc(0)), nt = field(Buffer.alloc(0));
  const fd = field(d), fu = field(u), fh = field(h), key = field(Buffer.alloc(0));
  return Buffer.concat([SIG, u32(3), lm, nt, fd, fu, fh, key, u32(unicode ? 0x60888215 : 0x60888214), Buffer.alloc(8), d, u, h]);
}
/** An SPNEGO negTokenResp with negState (and an optional response token). */
export function spnegoResp(state: number, token?: Buffer): Buffer {
  const tlv = (tag: number, c: Buffer) => Buffer.concat([Buffer.from([tag, c.length]), c]);
  const parts = [tlv(0xa0, Buffer.from([0x0a, 1, state]))];
  if (token) parts.push(tlv(0xa2, tlv(0x04, token)));
  return tlv(0xa1, tlv(0x30, Buffer.concat(parts)));
}

// ---- SMB2 ----
export const SMB2 = { SESSION_SETUP: 1, TREE_CONNECT: 3, CREATE: 5, CLOSE: 6, READ: 8, WRITE: 9, IOCTL: 11, SET_INFO: 17 } as const;
export const STATUS_MORE_PROCESSING = 0xc0000016, STATUS_LOGON_FAILURE = 0xc000006d;

/** NetBIOS session message around one or more SMB2 messages (compounded when several). */
export function nbss(...msgs: Buffer[]): Buffer {
  const body = Buffer.concat(msgs);
  const h = Buffer.alloc(4);
  h[1] = body.length >> 16;
  h.writeUInt16BE(body.length & 0xffff, 2);
  return Buffer.concat([h, body]);
}

export interface Smb2Opts { mid: number; tree?: number; status?: number; response?: boolean; next?: number }
export function smb2(cmd: number, o: Smb2Opts, body: Buffer): Buffer {
  const h = Buffer.alloc(64);
  h.writeUInt32LE(0x424d53fe, 0);
  h.writeUInt16LE(64, 4);
  h.writeUInt32LE(o.status ?? 0, 8);
  h.writeUInt16LE(cmd, 12);
  h.writeUInt32LE(o.response ? 1 : 0, 16);
  h.writeUInt32LE(o.next ?? 0, 20);
  h.writeUInt32LE(o.mid, 24);
  h.writeUInt32LE(o.tree ?? 0, 36);
  return Buffer.concat([h, body]);
}
export function sessionSetupReq(mid: number, token: Buffer): Buffer {
  return smb2(SMB2.SESSION_SETUP, { mid }, Buffer.concat([u16(25), Buffer.from([0, 1]), u32(0), u32(0), u16(64 + 24), u16(token.length), u64(0), token]));
}
export function sessionSetupResp(mid: number, status: number, token: Buffer): Buffer {
  return smb2(SMB2.SESSION_SETUP, { mid, status, response: true }, Buffer.concat([u16(9), u16(0), u16(token.length ? 64 + 8 : 0), u16(token.length), token]));
}
export function treeConnectReq(mid: number, path: string): Buffer {
  const p = utf16(path);
  return smb2(SMB2.TREE_CONNECT, { mid }, Buffer.concat([u16(9), u16(0), u16(64 + 8), u16(p.length), p]));
}
export function treeConnectResp(mid: number, tree: number, shareType: number): Buffer {
  return smb2(SMB2.TREE_CONNECT, { mid, tree, response: true }, Buffer.concat([u16(16), Buffer.from([shareType, 0]), u32(0), u32(0), u32(0x1f01ff)]));
}
export function createReq(mid: number, tree: number, name: string, createOptions = 0): Buffer {
  const n = utf16(name);
  return smb2(SMB2.CREATE, { mid, tree }, Buffer.concat([u16(57), Buffer.from([0, 0]), u32(2), u64(0), u64(0), u32(0x12019f), u32(0x80), u32(7), u32(1), u32(createOptions), u16(64 + 56), u16(n.length), u32(0), u32(0), n.length ? n : Buffer.alloc(1)]));
}
/** FILETIME of a Unix time. */
export function filetime(unix: number): Buffer {
  return u64((unix + 11644473600) * 1e7);
}
export function createResp(mid: number, tree: number, fileId: number, size: number, times?: [number, number, number, number]): Buffer {
  const t = times ? times.map(filetime) : [Buffer.alloc(8), Buffer.alloc(8), Buffer.alloc(8), Buffer.alloc(8)];
  return smb2(SMB2.CREATE, { mid, tree, response: true }, Buffer.concat([u16(89), Buffer.from([0, 0]), u32(1), t[0], t[1], t[2], t[3], u64(size), u64(size), u32(0x80), u32(0), fid(fileId), u32(0), u32(0)]));
}
export function fid(n: number): Buffer {
  return Buffer.concat([u64(n), u64(n + 0x1000)]);
}
export function readReq(mid: number, tree: number, fileId: number, offset: number, length: number): Buffer {
  return smb2(SMB2.READ, { mid, tree }, Buffer.concat([u16(49), Buffer.from([0x50, 0]), u32(length), u64(offset), fid(fileId), u32(0), u32(0), u32(0), u16(0), u16(0), Buffer.alloc(1)]));
}
export function readResp(mid: number, tree: number, data: Buffer): Buffer {
  return smb2(SMB2.READ, { mid, tree, response: true }, Buffer.concat([u16(17), Buffer.from([0x50, 0]), u32(data.length), u32(0), u32(0), data]));
}
export function writeReq(mid: number, tree: number, fileId: number, offset: number, data: Buffer): Buffer {
  return smb2(SMB2.WRITE, { mid, tree }, Buffer.concat([u16(49), u16(0x70), u32(data.length), u64(offset), fid(fileId), u32(0), u32(0), u16(0), u16(0), u32(0), data]));
}
export function writeResp(mid: number, tree: number, count: number): Buffer {
  return smb2(SMB2.WRITE, { mid, tree, response: true }, Buffer.concat([u16(17), u16(0), u32(count), u32(0), u16(0), u16(0)]));
}
export function closeReq(mid: number, tree: number, fileId: number): Buffer {
  return smb2(SMB2.CLOSE, { mid, tree }, Buffer.concat([u16(24), u16(0), u32(0), fid(fileId)]));
}
export function renameReq(mid: number, tree: number, fileId: number, newName: string): Buffer {
  const n = utf16(newName);
  const info = Buffer.concat([Buffer.from([0]), Buffer.alloc(7), u64(0), u32(n.length), n]);
  return smb2(SMB2.SET_INFO, { mid, tree }, Buffer.concat([u16(33), Buffer.from([1, 10]), u32(info.length), u16(64 + 32), u16(0), u32(0), fid(fileId), info]));
}

// ---- DCE/RPC ----
export function uuidBytes(uuid: string): Buffer {
  const h = uuid.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}
function pdu(ptype: number, callId: number, body: Buffer, auth?: Buffer, flags = 3): Buffer {
  const trailer = auth ? Buffer.concat([Buffer.from([10, 2, 0, 0]), u32(0), auth]) : Buffer.alloc(0);
  const len = 16 + body.length + trailer.length;
  return Buffer.concat([Buffer.from([5, 0, ptype, flags, 0x10, 0, 0, 0]), u16(len), u16(auth ? auth.length : 0), u32(callId), body, trailer]);
}
const NDR = Buffer.concat([uuidBytes('8a885d04-1ceb-11c9-9fe8-08002b104860'), u32(2)]);
export function dceBind(callId: number, contexts: Array<[number, string]>, auth?: Buffer): Buffer {
  const items = contexts.map(([id, uuid]) => Buffer.concat([u16(id), Buffer.from([1, 0]), uuidBytes(uuid), u16(3), u16(0), NDR]));
  return pdu(11, callId, Buffer.concat([u16(4280), u16(4280), u32(0), Buffer.from([contexts.length, 0, 0, 0]), ...items]), auth);
}
export function dceBindAck(callId: number, secAddr: string, auth?: Buffer): Buffer {
  const sa = Buffer.from(secAddr + '\0', 'latin1');
  const pad = Buffer.alloc((4 - ((26 + sa.length) % 4)) % 4);
  return pdu(12, callId, Buffer.concat([u16(4280), u16(4280), u32(0x1234), u16(sa.length), sa, pad, Buffer.from([1, 0, 0, 0]), u16(0), u16(0), NDR]), auth);
}
export function dceRequest(callId: number, ctxId: number, opnum: number, stub = Buffer.alloc(8)): Buffer {
  return pdu(0, callId, Buffer.concat([u32(stub.length), u16(ctxId), u16(opnum), stub]));
}
export function dceResponse(callId: number, ctxId: number, stub = Buffer.alloc(8)): Buffer {
  return pdu(2, callId, Buffer.concat([u32(stub.length), u16(ctxId), Buffer.from([0, 0]), stub]));
}

// ---- SMB1 ----
export const SMB1 = { CLOSE: 0x04, TRANSACTION: 0x25, READ_ANDX: 0x2e, WRITE_ANDX: 0x2f, TREE_CONNECT_ANDX: 0x75, NT_CREATE_ANDX: 0xa2 } as const;
/** One SMB1 command (no AndX chain): header, words, bytes; Unicode strings. */
export function smb1(cmd: number, o: { mid: number; tid?: number; reply?: boolean; status?: number }, words: Buffer, bytes: Buffer): Buffer {
  const h = Buffer.alloc(32);
  h.writeUInt32LE(0x424d53ff, 0);
  h[4] = cmd;
  h.writeUInt32LE(o.status ?? 0, 5);
  h[9] = o.reply ? 0x80 : 0;
  h.writeUInt16LE(0xc807, 10); // Unicode, NT status, extended security
  h.writeUInt16LE(o.tid ?? 0, 24);
  h.writeUInt16LE(o.mid, 30);
  return Buffer.concat([h, Buffer.from([words.length / 2]), words, u16(bytes.length), bytes]);
}
const andx = () => Buffer.from([0xff, 0, 0, 0]);
export function smb1TreeConnect(mid: number, path: string): Buffer {
  // Words end at 32 + 1 + 8 + 2 = 43; the password (1 byte) puts the path at 44: aligned.
  return smb1(SMB1.TREE_CONNECT_ANDX, { mid }, Buffer.concat([andx(), u16(0), u16(1)]), Buffer.concat([Buffer.alloc(1), utf16(path + '\0'), Buffer.from('?????\0', 'latin1')]));
}
export function smb1TreeConnectResp(mid: number, tid: number, service: string, fs: string): Buffer {
  const svc = Buffer.from(service + '\0', 'latin1');
  // Bytes start at 32 + 1 + 6 + 2 = 41; pad the file system name to an even offset.
  const pad = (41 + svc.length) % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
  return smb1(SMB1.TREE_CONNECT_ANDX, { mid, tid, reply: true }, Buffer.concat([andx(), u16(1)]), Buffer.concat([svc, pad, utf16(fs + '\0')]));
}
export function smb1NtCreate(mid: number, tid: number, name: string): Buffer {
  const n = utf16(name);
  const words = Buffer.concat([andx(), Buffer.from([0]), u16(n.length), u32(0), u32(0), u32(0x2019f), u64(0), u32(0), u32(3), u32(1), u32(0), u32(2), Buffer.from([0])]);
  // Bytes start at 32 + 1 + 48 + 2 = 83: one pad byte aligns the Unicode name.
  return smb1(SMB1.NT_CREATE_ANDX, { mid, tid }, words, Buffer.concat([Buffer.alloc(1), n]));
}
export function smb1NtCreateResp(mid: number, tid: number, fid: number, size: number, mtime: number): Buffer {
  const t = filetime(mtime);
  const words = Buffer.concat([andx(), Buffer.from([0]), u16(fid), u32(1), t, t, t, t, u32(0x80), u64(size), u64(size), u16(0), u16(0), Buffer.from([0])]);
  return smb1(SMB1.NT_CREATE_ANDX, { mid, tid, reply: true }, words, Buffer.alloc(0));
}
export function smb1ReadReq(mid: number, tid: number, fid: number, offset: number, count: number): Buffer {
  return smb1(SMB1.READ_ANDX, { mid, tid }, Buffer.concat([andx(), u16(fid), u32(offset), u16(count), u16(count), u32(0), u16(0), u32(0)]), Buffer.alloc(0));
}
export function smb1ReadResp(mid: number, tid: number, data: Buffer): Buffer {
  // Data right after the byte count: 32 + 1 + 24 + 2 = 59.
  return smb1(SMB1.READ_ANDX, { mid, tid, reply: true }, Buffer.concat([andx(), u16(0xffff), u16(0), u16(0), u16(data.length), u16(59), u16(0), Buffer.alloc(8)]), data);
}
export function smb1TransactNmPipe(mid: number, tid: number, fid: number, data: Buffer): Buffer {
  // Words: 16 (14 + 2 setup words); bytes start at 32 + 1 + 32 + 2 = 67: name "\PIPE\" (Unicode, padded), then data.
  const name = Buffer.concat([Buffer.alloc(1), utf16('\\PIPE\\\0')]);
  const dataAt = 67 + name.length;
  const words = Buffer.concat([u16(0), u16(data.length), u16(0), u16(1024), Buffer.from([0, 0]), u16(0), u32(0), u16(0), u16(0), u16(dataAt), u16(data.length), u16(dataAt), Buffer.from([2, 0]), u16(0x26), u16(fid)]);
  return smb1(SMB1.TRANSACTION, { mid, tid }, words, Buffer.concat([name, data]));
}
export function smb1TransactResp(mid: number, tid: number, data: Buffer): Buffer {
  // Words: 10; bytes start at 32 + 1 + 20 + 2 = 55, one pad byte, data at 56.
  const words = Buffer.concat([u16(0), u16(data.length), u16(0), u16(0), u16(56), u16(0), u16(data.length), u16(56), u16(0), Buffer.from([0, 0])]);
  return smb1(SMB1.TRANSACTION, { mid, tid, reply: true }, words, Buffer.concat([Buffer.alloc(1), data]));
}
