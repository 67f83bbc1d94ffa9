/**
 * SMB1 (CIFS, [MS-CIFS]/[MS-SMB]) where it is cheap: the 32-byte header, AndX chains, and the
 * commands that produce logs: SESSION_SETUP_ANDX with extended security (NTLM via SPNEGO),
 * TREE_CONNECT_ANDX (smb_mapping.log with service and native file system), NT_CREATE_ANDX
 * (smb_files.log), READ_ANDX / WRITE_ANDX (files.log, DCE/RPC on pipes), TransactNmPipe
 * transactions (DCE/RPC on pipes) and CLOSE. Other commands (other transactions, the pre-NT
 * dialects) are recognised and skipped.
 */
import { LIMITS } from '../../support/limits.js';
import { oemText, utf16Text } from '../../support/utf16-text.js';
import type { TailSink } from './framing.js';
import { macTimes, type SmbSession, type ShareType } from './state.js';

export const SMB1_MAGIC = 0x424d53ff; // "\xffSMB" little-endian

const HEADER = 32;
const CMD = { CLOSE: 0x04, TRANSACTION: 0x25, READ_ANDX: 0x2e, WRITE_ANDX: 0x2f, TREE_DISCONNECT: 0x71, SESSION_SETUP_ANDX: 0x73, TREE_CONNECT_ANDX: 0x75, NT_CREATE_ANDX: 0xa2 } as const;
const ANDX_COMMANDS = new Set<number>([CMD.READ_ANDX, CMD.WRITE_ANDX, CMD.SESSION_SETUP_ANDX, CMD.TREE_CONNECT_ANDX, CMD.NT_CREATE_ANDX, 0x74 /* LOGOFF_ANDX */]);
const FLAGS_REPLY = 0x80;
const FLAGS2_UNICODE = 0x8000;
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
const FILE_DELETE_ON_CLOSE = 0x00001000;
/** TRANSACTION subcommand on a named pipe carrying a DCE/RPC request ([MS-CIFS] §2.2.5.6). */
const TRANS_TRANSACT_NMPIPE = 0x0026;
/** Bytes of a NUL-terminated string we look through for its end (paths are < 32 KiB). */
const MAX_STRING = 4096;

/**
 * The SMB1 message in buf[off, headEnd) (msgLen bytes in all). Returns false if it is not SMB1.
 */
export function smb1Message(s: SmbSession, isOrig: boolean, buf: Buffer, off: number, headEnd: number, msgLen: number): { ok: boolean; tail?: TailSink } {
  if (headEnd - off < HEADER + 1 || buf.readUInt32LE(off) !== SMB1_MAGIC) return { ok: false };
  // The direction decides what a message is (as in Zeek); a reply flag that disagrees is a weird.
  const isReply = !isOrig;
  if (((buf[off + 9] & FLAGS_REPLY) !== 0) !== isReply) s.ctx.weird('SMB1_reply_direction_mismatch');
  const m: Msg = {
    h: off,
    end: headEnd,
    fullEnd: off + msgLen,
    status: buf.readUInt32LE(off + 5),
    unicode: (buf.readUInt16LE(off + 10) & FLAGS2_UNICODE) !== 0,
    treeKey: `1:${buf.readUInt16LE(off + 24)}`,
    mid: `1:${buf.readUInt16LE(off + 26)}:${buf.readUInt16LE(off + 30)}`,
  };
  let cmd = buf[off + 4];
  let p = off + HEADER; // the word count of the current command
  let tail: TailSink | undefined;
  for (let n = 0; n < LIMITS.smbMaxChainedCommands; n++) {
    if (p >= headEnd) break;
    const wc = buf[p];
    const words = p + 1;
    const bcAt = words + 2 * wc;
    if (bcAt + 2 > headEnd) break;
    const bytes = bcAt + 2;
    const bytesEnd = Math.min(bytes + buf.readUInt16LE(bcAt), headEnd);
    try {
      const t = isReply ? reply(s, m, buf, cmd, wc, words, bytes, bytesEnd, n) : request(s, m, buf, cmd, wc, words, bytes, bytesEnd);
      if (t) tail = t;
    } catch {
      s.ctx.weird('SMB1_malformed_command');
    }
    if (!ANDX_COMMANDS.has(cmd) || wc < 2) break;
    const next = buf[words];
    const nextAt = off + buf.readUInt16LE(words + 2);
    if (next === 0xff || nextAt <= p) break; // end of chain (or a loop)
    cmd = next;
    p = nextAt;
  }
  return { ok: true, tail };
}

interface Msg {
  h: number;
  end: number;
  fullEnd: number;
  status: number;
  unicode: boolean;
  treeKey: string;
  mid: string;
}

function request(s: SmbSession, m: Msg, buf: Buffer, cmd: number, wc: number, w: number, bytes: number, bytesEnd: number): TailSink | undefined {
  const now = s.ctx.now();
  switch (cmd) {
    case CMD.SESSION_SETUP_ANDX:
      if (wc === 12) s.ntlm.token(buf, bytes, Math.min(bytes + buf.readUInt16LE(w + 14), bytesEnd));
      return undefined;
    case CMD.TREE_CONNECT_ANDX: {
      if (wc !== 4) return undefined;
      let p = bytes + buf.readUInt16LE(w + 6); // after the password
      if (m.unicode && (p - m.h) & 1) p++;
      const [path, after] = str(buf, p, bytesEnd, m.unicode);
      const [service] = str(buf, after, bytesEnd, false);
      s.request(m.mid + ':tc', { ts: now, cmd, treeKey: m.treeKey, path, name: service });
      return undefined;
    }
    case CMD.TREE_DISCONNECT:
      s.treeDisconnected(m.treeKey);
      return undefined;
    case CMD.NT_CREATE_ANDX: {
      if (wc !== 24) return undefined;
      const nameLen = buf.readUInt16LE(w + 5);
      let p = bytes;
      if (m.unicode && (p - m.h) & 1) p++;
      const e = Math.min(p + nameLen, bytesEnd);
      let name = m.unicode ? utf16Text(buf, p, e) : oemText(buf, p, e);
      name = name.replace(/\0+$/, '').replace(/\\x00$/, '');
      s.request(m.mid + ':cr', { ts: now, cmd, treeKey: m.treeKey, name: name === '' ? '<share_root>' : name, createOptions: buf.readUInt32LE(w + 39) });
      return undefined;
    }
    case CMD.READ_ANDX:
      if (wc !== 10 && wc !== 12) return undefined;
      s.request(m.mid + ':rd', {
        ts: now, cmd, treeKey: m.treeKey, fileKey: fid(buf, w + 4),
        offset: buf.readUInt32LE(w + 6) + (wc === 12 ? buf.readUInt32LE(w + 20) * 4294967296 : 0),
      });
      return undefined;
    case CMD.WRITE_ANDX: {
      if (wc !== 12 && wc !== 14) return undefined;
      const length = buf.readUInt16LE(w + 20) + (buf.readUInt16LE(w + 18) << 16);
      const dataAt = m.h + buf.readUInt16LE(w + 22);
      const offset = buf.readUInt32LE(w + 6) + (wc === 14 ? buf.readUInt32LE(w + 24) * 4294967296 : 0);
      if (length === 0) return undefined;
      if (dataAt < bytes || dataAt > m.end || dataAt + length > m.fullEnd) {
        s.ctx.weird('SMB1_write_data_out_of_bounds');
        return undefined;
      }
      return s.content(fid(buf, w + 4), true, offset, buf, dataAt, Math.min(length, m.end - dataAt), length);
    }
    case CMD.CLOSE:
      if (wc >= 1) s.closed(fid(buf, w));
      return undefined;
    case CMD.TRANSACTION: {
      // TransactNmPipe: setup words (subcommand, FID); the data is a DCE/RPC PDU for the pipe.
      if (wc < 16 || buf[w + 26] < 2 || buf.readUInt16LE(w + 28) !== TRANS_TRANSACT_NMPIPE) return undefined;
      const key = fid(buf, w + 30);
      s.request(m.mid + ':tr', { ts: now, cmd, treeKey: m.treeKey, fileKey: key });
      const data = transData(buf, m, bytes, buf.readUInt16LE(w + 22), buf.readUInt16LE(w + 24));
      if (data) s.content(key, true, 0, buf, data[0], data[1] - data[0], data[1] - data[0]);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The data of a transaction (count, offset from the header) if it lies in the bytes at hand. */
function transData(buf: Buffer, m: Msg, bytes: number, count: number, offset: number): [number, number] | undefined {
  const at = m.h + offset;
  if (count === 0 || at < bytes || at + count > m.end) return undefined;
  return [at, at + count];
}

function reply(s: SmbSession, m: Msg, buf: Buffer, cmd: number, wc: number, w: number, bytes: number, bytesEnd: number, index: number): TailSink | undefined {
  switch (cmd) {
    case CMD.SESSION_SETUP_ANDX:
      if (wc === 4) s.ntlm.token(buf, bytes, Math.min(bytes + buf.readUInt16LE(w + 6), bytesEnd));
      if (index === 0 && s.ntlm.pending && m.status !== STATUS_MORE_PROCESSING_REQUIRED) s.ntlm.outcome(m.status === 0);
      return undefined;
    case CMD.TREE_CONNECT_ANDX: {
      const req = s.response(m.mid + ':tc');
      if (!req || m.status !== 0 || wc < 3) return undefined;
      const [service, after] = str(buf, bytes, bytesEnd, false);
      let p = after;
      if (m.unicode && (p - m.h) & 1) p++;
      const [fs] = str(buf, p, bytesEnd, m.unicode);
      s.treeConnected(m.treeKey, req.ts, { path: req.path, service, nativeFileSystem: fs || undefined, shareType: shareTypeOf(service) });
      return undefined;
    }
    case CMD.NT_CREATE_ANDX: {
      const req = s.response(m.mid + ':cr');
      if (!req || m.status !== 0 || wc < 34) return undefined;
      const times = macTimes(buf, w + 11, w + 19, w + 27, w + 35);
      s.opened(fid(buf, w + 5), {
        ts: req.ts, name: req.name ?? '<share_root>', size: u64(buf, w + 55), times: times.modified > 0 ? times : undefined,
      }, m.treeKey, ((req.createOptions ?? 0) & FILE_DELETE_ON_CLOSE) !== 0);
      return undefined;
    }
    case CMD.READ_ANDX: {
      const req = s.response(m.mid + ':rd');
      if (!req?.fileKey || (m.status !== 0 && m.status !== 0x80000005) || wc !== 12) return undefined;
      const length = buf.readUInt16LE(w + 10) + (buf.readUInt16LE(w + 14) << 16);
      const dataAt = m.h + buf.readUInt16LE(w + 12);
      if (length === 0) return undefined;
      if (dataAt < bytes || dataAt > m.end || dataAt + length > m.fullEnd) {
        s.ctx.weird('SMB1_read_data_out_of_bounds');
        return undefined;
      }
      return s.content(req.fileKey, false, req.offset ?? 0, buf, dataAt, Math.min(length, m.end - dataAt), length);
    }
    case CMD.TRANSACTION: {
      const req = s.response(m.mid + ':tr');
      if (!req?.fileKey || (m.status !== 0 && m.status !== 0x80000005) || wc < 10) return undefined;
      const data = transData(buf, m, bytes, buf.readUInt16LE(w + 12), buf.readUInt16LE(w + 14));
      if (data) s.content(req.fileKey, false, 0, buf, data[0], data[1] - data[0], data[1] - data[0]);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** SMB1 share type from the service the server answered (Zeek's smb1-main.zeek deduction). */
function shareTypeOf(service: string): ShareType {
  if (service === 'IPC') return 'PIPE';
  if (service.startsWith('LPT')) return 'PRINT';
  return 'DISK';
}

/** A NUL-terminated string at buf[p] (UTF-16LE or OEM) and where the next field starts. */
function str(buf: Buffer, p: number, end: number, unicode: boolean): [string, number] {
  const lim = Math.min(end, p + MAX_STRING);
  if (unicode) {
    let e = p;
    while (e + 1 < lim && (buf[e] | buf[e + 1]) !== 0) e += 2;
    return [utf16Text(buf, p, e), Math.min(e + 2, end)];
  }
  let e = p;
  while (e < lim && buf[e] !== 0) e++;
  return [oemText(buf, p, e), Math.min(e + 1, end)];
}

function fid(buf: Buffer, p: number): string {
  return '1:' + buf.readUInt16LE(p);
}

function u64(buf: Buffer, p: number): number {
  return buf.readUInt32LE(p + 4) * 4294967296 + buf.readUInt32LE(p);
}
