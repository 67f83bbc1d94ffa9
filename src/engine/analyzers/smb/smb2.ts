/**
 * SMB2/SMB3 messages ([MS-SMB2] §2.2): the 64-byte header, compounded requests (NextCommand),
 * and the commands that produce logs: SESSION_SETUP (NTLM via SPNEGO), TREE_CONNECT,
 * TREE_DISCONNECT, CREATE, READ, WRITE, IOCTL (FSCTL_PIPE_TRANSCEIVE), SET_INFO (rename,
 * delete) and CLOSE. Every offset the message names is checked against the bytes at hand; a
 * command whose fixed part does not fit is skipped with a weird. Encrypted (transform header
 * 0xFD 'SMB') and compressed (0xFC 'SMB') messages are recognised and not opened.
 */
import { LIMITS } from '../../support/limits.js';
import { utf16Text } from '../../support/utf16-text.js';
import type { TailSink } from './framing.js';
import { macTimes, type SmbSession, type ShareType } from './state.js';

export const SMB2_MAGIC = 0x424d53fe; // "\xfeSMB" little-endian
export const SMB2_TRANSFORM_MAGIC = 0x424d53fd; // "\xfdSMB": encrypted (SMB 3.x)
export const SMB2_COMPRESSED_MAGIC = 0x424d53fc; // "\xfcSMB": compressed (SMB 3.1.1)

const HEADER = 64;
const CMD = {
  NEGOTIATE: 0, SESSION_SETUP: 1, LOGOFF: 2, TREE_CONNECT: 3, TREE_DISCONNECT: 4, CREATE: 5, CLOSE: 6, FLUSH: 7,
  READ: 8, WRITE: 9, LOCK: 10, IOCTL: 11, CANCEL: 12, ECHO: 13, QUERY_DIRECTORY: 14, CHANGE_NOTIFY: 15,
  QUERY_INFO: 16, SET_INFO: 17, OPLOCK_BREAK: 18,
} as const;
const FLAG_RESPONSE = 0x1;
const FLAG_ASYNC = 0x2;
const STATUS_SUCCESS = 0;
const STATUS_PENDING = 0x00000103;
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
const STATUS_BUFFER_OVERFLOW = 0x80000005; // a pipe read with more to come: data is valid
const FILE_DELETE_ON_CLOSE = 0x00001000;
const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
const SHARE_TYPES: Record<number, ShareType> = { 1: 'DISK', 2: 'PIPE', 3: 'PRINT' };
const INFO_FILE = 1, FILE_RENAME_INFORMATION = 10, FILE_DISPOSITION_INFORMATION = 13, FILE_DISPOSITION_INFORMATION_EX = 64;

/** What one SMB2 message yields: parsed cleanly or not, and where its tail goes. */
export interface Smb2Result {
  ok: boolean;
  tail?: TailSink;
}

/**
 * The SMB2 message in buf[off, headEnd); the message is msgLen bytes in all (its tail, beyond
 * headEnd, is streamed to the returned sink when it is file data).
 */
export function smb2Message(s: SmbSession, isOrig: boolean, buf: Buffer, off: number, headEnd: number, msgLen: number): Smb2Result {
  let p = off;
  let ok = false;
  const chain: Chain = {};
  for (let n = 0; n < LIMITS.smbMaxChainedCommands; n++) {
    if (headEnd - p < HEADER || buf.readUInt32LE(p) !== SMB2_MAGIC || buf.readUInt16LE(p + 4) !== HEADER) {
      if (!ok) return { ok: false };
      s.ctx.weird('SMB2_bad_compound_header');
      return { ok: true };
    }
    ok = true;
    const next = buf.readUInt32LE(p + 20);
    // This command's bytes: up to the next one, or to the end of the message (past the head).
    const cmdEnd = next !== 0 && next >= HEADER && next <= headEnd - p ? p + next : off + msgLen;
    let tail: TailSink | undefined;
    try {
      tail = command(s, isOrig, buf, p, Math.min(cmdEnd, headEnd), cmdEnd, chain);
    } catch {
      s.ctx.weird('SMB2_malformed_command'); // a bounds check missed: never take the connection down
    }
    if (next === 0 || next < HEADER || p + next >= headEnd) return { ok, tail };
    p += next;
  }
  return { ok };
}

/**
 * State of one compound: in related operations ([MS-SMB2] §3.2.4.1.4) a command after a CREATE
 * names the file 0xFF..FF, meaning the one that CREATE opened.
 */
interface Chain {
  lastFile?: string;
}
const RELATED_FILE = '2:' + 'ff'.repeat(16);

/** One command: header at buf[h], bytes at hand up to `end`, `fullEnd` where it ends on the wire (≥ end). */
function command(s: SmbSession, isOrig: boolean, buf: Buffer, h: number, end: number, fullEnd: number, chain: Chain): TailSink | undefined {
  const status = buf.readUInt32LE(h + 8);
  const cmd = buf.readUInt16LE(h + 12);
  const flags = buf.readUInt32LE(h + 16);
  // The direction decides what a message is (as in Zeek); a response flag that disagrees is a weird.
  const isResponse = !isOrig;
  if (((flags & FLAG_RESPONSE) !== 0) !== isResponse) s.ctx.weird('SMB2_response_direction_mismatch');
  const mid = `2:${buf.readUInt32LE(h + 24)}:${buf.readUInt32LE(h + 28)}`;
  const treeKey = (flags & FLAG_ASYNC) !== 0 ? '' : `2:${buf.readUInt32LE(h + 36)}`;
  const body = h + HEADER;
  const need = (n: number): boolean => {
    if (end - body >= n) return true;
    s.ctx.weird('SMB2_truncated_command');
    return false;
  };
  /** buf[h + at, h + at + len) if it lies within the bytes at hand. */
  const range = (at: number, len: number): [number, number] | undefined => (at >= HEADER && at + len <= end - h ? [h + at, h + at + len] : undefined);

  if (!isResponse) {
    const now = s.ctx.now();
    switch (cmd) {
      case CMD.SESSION_SETUP: {
        if (!need(24)) return undefined;
        const r = range(buf.readUInt16LE(body + 12), buf.readUInt16LE(body + 14));
        if (r) s.ntlm.token(buf, r[0], r[1]);
        s.request(mid, { ts: now, cmd, treeKey });
        return undefined;
      }
      case CMD.TREE_CONNECT: {
        if (!need(8)) return undefined;
        const r = range(buf.readUInt16LE(body + 4), buf.readUInt16LE(body + 6));
        s.request(mid, { ts: now, cmd, treeKey, path: r ? utf16Text(buf, r[0], r[1]) : undefined });
        return undefined;
      }
      case CMD.TREE_DISCONNECT:
        s.treeDisconnected(treeKey);
        return undefined;
      case CMD.CREATE: {
        if (!need(56)) return undefined;
        const r = range(buf.readUInt16LE(body + 44), buf.readUInt16LE(body + 46));
        const name = r && r[1] > r[0] ? utf16Text(buf, r[0], r[1]) : '<share_root>';
        s.request(mid, { ts: now, cmd, treeKey, name, createOptions: buf.readUInt32LE(body + 40) });
        return undefined;
      }
      case CMD.CLOSE: {
        if (!need(24)) return undefined;
        const key = fileKey(buf, body + 8);
        // In a compound the file is only known from the CREATE's response: close it then.
        if (key === RELATED_FILE) s.request(mid, { ts: now, cmd, treeKey, fileKey: key });
        else s.closed(key);
        return undefined;
      }
      case CMD.READ:
        if (!need(48)) return undefined;
        s.request(mid, { ts: now, cmd, treeKey, fileKey: fileKey(buf, body + 16), offset: u64(buf, body + 8) });
        return undefined;
      case CMD.WRITE: {
        if (!need(48)) return undefined;
        const dataAt = buf.readUInt16LE(body + 2);
        const length = buf.readUInt32LE(body + 4);
        const key = fileKey(buf, body + 16);
        s.request(mid, { ts: now, cmd, treeKey, fileKey: key });
        if (length === 0) return undefined;
        if (dataAt < HEADER || h + dataAt > end || h + dataAt + length > fullEnd) {
          s.ctx.weird('SMB2_write_data_out_of_bounds');
          return undefined;
        }
        const here = Math.min(length, end - (h + dataAt));
        return s.content(key, true, u64(buf, body + 8), buf, h + dataAt, here, length);
      }
      case CMD.IOCTL: {
        if (!need(56)) return undefined;
        const key = fileKey(buf, body + 8);
        s.request(mid, { ts: now, cmd, treeKey, fileKey: key });
        if (buf.readUInt32LE(body + 4) !== FSCTL_PIPE_TRANSCEIVE) return undefined;
        const r = range(buf.readUInt32LE(body + 24), buf.readUInt32LE(body + 28));
        if (r && r[1] > r[0]) s.content(key, true, 0, buf, r[0], r[1] - r[0], r[1] - r[0]);
        return undefined;
      }
      case CMD.SET_INFO: {
        if (!need(32) || buf[body + 2] !== INFO_FILE) return undefined;
        const cls = buf[body + 3];
        const key = fileKey(buf, body + 16);
        const r = range(buf.readUInt16LE(body + 8), buf.readUInt32LE(body + 4));
        if (!r) return undefined;
        if (cls === FILE_RENAME_INFORMATION && r[1] - r[0] >= 20) {
          const nameLen = buf.readUInt32LE(r[0] + 16);
          if (nameLen <= r[1] - r[0] - 20) s.renamed(key, utf16Text(buf, r[0] + 20, r[0] + 20 + nameLen));
        } else if (cls === FILE_DISPOSITION_INFORMATION && r[1] > r[0] && buf[r[0]] !== 0) {
          s.deleted(key);
        } else if (cls === FILE_DISPOSITION_INFORMATION_EX && r[1] - r[0] >= 4 && (buf.readUInt32LE(r[0]) & 1) !== 0) {
          s.deleted(key);
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  // Responses. An interim STATUS_PENDING leaves the request waiting for the final answer.
  if (status === STATUS_PENDING && (flags & FLAG_ASYNC) !== 0) return undefined;
  const req = s.response(mid);
  if (req?.fileKey === RELATED_FILE && chain.lastFile !== undefined) req.fileKey = chain.lastFile;
  switch (cmd) {
    case CMD.SESSION_SETUP: {
      if (end - body >= 8) {
        const r = range(buf.readUInt16LE(body + 4), buf.readUInt16LE(body + 6));
        if (r) s.ntlm.token(buf, r[0], r[1]);
      }
      if (s.ntlm.pending && status !== STATUS_MORE_PROCESSING_REQUIRED) s.ntlm.outcome(status === STATUS_SUCCESS);
      return undefined;
    }
    case CMD.TREE_CONNECT:
      if (status !== STATUS_SUCCESS || !req || !need(16)) return undefined;
      s.treeConnected(`2:${buf.readUInt32LE(h + 36)}`, req.ts, { path: req.path, shareType: SHARE_TYPES[buf[body + 2]] ?? 'DISK' });
      return undefined;
    case CMD.CREATE: {
      if (status !== STATUS_SUCCESS || !req || !need(88)) return undefined;
      const times = macTimes(buf, body + 8, body + 16, body + 24, body + 32);
      chain.lastFile = fileKey(buf, body + 64);
      s.opened(chain.lastFile, {
        ts: req.ts, name: req.name ?? '<share_root>', size: u64(buf, body + 48),
        // Zeek keeps the times only when they are set (IPC$ pipes report none).
        times: times.modified > 0 ? times : undefined,
      }, req.treeKey, ((req.createOptions ?? 0) & FILE_DELETE_ON_CLOSE) !== 0);
      return undefined;
    }
    case CMD.READ: {
      if ((status !== STATUS_SUCCESS && status !== STATUS_BUFFER_OVERFLOW) || !req?.fileKey || !need(16)) return undefined;
      const dataAt = buf[body + 2];
      const length = buf.readUInt32LE(body + 4);
      if (length === 0) return undefined;
      if (dataAt < HEADER || h + dataAt > end || h + dataAt + length > fullEnd) {
        s.ctx.weird('SMB2_read_data_out_of_bounds');
        return undefined;
      }
      const here = Math.min(length, end - (h + dataAt));
      return s.content(req.fileKey, false, req.offset ?? 0, buf, h + dataAt, here, length);
    }
    case CMD.IOCTL: {
      if ((status !== STATUS_SUCCESS && status !== STATUS_BUFFER_OVERFLOW) || !req?.fileKey || !need(48)) return undefined;
      if (buf.readUInt32LE(body + 4) !== FSCTL_PIPE_TRANSCEIVE) return undefined;
      const r = range(buf.readUInt32LE(body + 32), buf.readUInt32LE(body + 36));
      if (r && r[1] > r[0]) s.content(req.fileKey, false, 0, buf, r[0], r[1] - r[0], r[1] - r[0]);
      return undefined;
    }
    case CMD.CLOSE:
      if (req?.fileKey !== undefined && req.fileKey !== RELATED_FILE) s.closed(req.fileKey);
      return undefined;
    default:
      return undefined;
  }
}

/** The 16-byte SMB2_FILEID at buf[p] as a map key. */
function fileKey(buf: Buffer, p: number): string {
  return '2:' + buf.toString('hex', p, p + 16);
}

function u64(buf: Buffer, p: number): number {
  return buf.readUInt32LE(p + 4) * 4294967296 + buf.readUInt32LE(p);
}
