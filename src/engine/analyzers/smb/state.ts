/**
 * SMB state of one connection, shared by the SMB1 and SMB2 parsers (as Zeek's SMB::State): the
 * mapped trees, the open files by file id, the requests awaiting their response, and what they
 * produce: smb_mapping.log on a tree connect, smb_files.log for the logged file actions,
 * files.log for file contents (reads and writes put in order by offset), DCE/RPC for named pipes
 * and ntlm.log for the session setup tokens.
 *
 * Logged file actions: Zeek's default SMB::logged_file_actions (FILE_OPEN, FILE_RENAME,
 * FILE_DELETE, PRINT_OPEN, PRINT_CLOSE) plus FILE_READ and FILE_WRITE once per file, at its
 * first data, with the fuid (a deliberate difference: Zeek logs none by default, and every read
 * request when they are enabled). Records repeating an earlier one (same action, fuid, name, path,
 * size and times) are not written again, as Zeek's recent_files does.
 */
import type { AnalyzerContext } from '../analyzer.js';
import type { FileHandle } from '../files/index.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { NtlmSession } from '../ntlm/session.js';
import { DceRpcSession, type DceRpcChannel } from '../dce-rpc/session.js';
import { SMB_FILES_LOG, SMB_MAPPING_LOG } from './smb-log.js';
import type { TailSink } from './framing.js';

export type ShareType = 'DISK' | 'PIPE' | 'PRINT';

/** Named pipes of the common DCE/RPC services, for files opened on a tree we never saw mapped. */
const WELL_KNOWN_PIPES = new Set(['srvsvc', 'wkssvc', 'samr', 'lsarpc', 'lsass', 'netlogon', 'winreg', 'svcctl', 'spoolss', 'atsvc', 'epmapper', 'drsuapi', 'eventlog', 'ntsvcs', 'browser', 'netdfs', 'protected_storage', 'efsrpc']);

export interface Tree {
  path?: string;
  service?: string;
  nativeFileSystem?: string;
  shareType: ShareType;
}

export interface MacTimes {
  modified: number;
  accessed: number;
  created: number;
  changed: number;
}

export interface SmbFile {
  readonly ts: number;
  name: string;
  path?: string;
  size: number;
  times?: MacTimes;
  prevName?: string;
  readonly isPipe: boolean;
  readonly shareType: ShareType;
  handle?: FileHandle;
  /** Next file offset expected, to put reads and writes in order. */
  next: number;
  readLogged: boolean;
  writeLogged: boolean;
  pipe?: DceRpcChannel;
}

/** A request awaiting its response. */
export interface Pending {
  ts: number;
  cmd: number;
  treeKey: string;
  path?: string;
  name?: string;
  createOptions?: number;
  fileKey?: string;
  offset?: number;
}

/** FILETIME (100 ns since 1601) at buf[p] → Unix seconds; 0 when unset. */
export function filetime(buf: Buffer, p: number): number {
  const lo = buf.readUInt32LE(p), hi = buf.readUInt32LE(p + 4);
  if (lo === 0 && hi === 0) return 0;
  return hi * 429.4967296 + lo / 1e7 - 11644473600;
}

export function macTimes(buf: Buffer, created: number, accessed: number, modified: number, changed: number): MacTimes {
  return { created: filetime(buf, created), accessed: filetime(buf, accessed), modified: filetime(buf, modified), changed: filetime(buf, changed) };
}

export class SmbSession {
  readonly ntlm: NtlmSession;
  readonly dce: DceRpcSession;
  private readonly trees = new Map<string, Tree>();
  private readonly files = new Map<string, SmbFile>();
  private readonly pending = new Map<string, Pending>();
  private readonly recent = new Set<string>();

  constructor(readonly ctx: AnalyzerContext) {
    this.ntlm = new NtlmSession(ctx);
    this.dce = new DceRpcSession(ctx, this.ntlm);
  }

  // ---- requests and responses ----

  request(key: string, p: Pending): void {
    if (this.pending.size >= LIMITS.smbMaxPendingCommands && !this.pending.has(key)) {
      this.pending.delete(this.pending.keys().next().value as string);
      this.ctx.weird('SMB_excessive_pending_cmds');
    }
    this.pending.set(key, p);
  }

  /** The request a response answers (left pending when `keep`: an interim STATUS_PENDING). */
  response(key: string, keep = false): Pending | undefined {
    const p = this.pending.get(key);
    if (p && !keep) this.pending.delete(key);
    return p;
  }

  // ---- trees ----

  tree(key: string): Tree | undefined {
    return this.trees.get(key);
  }

  /** A tree connect succeeded: remember the tree and write smb_mapping.log. */
  treeConnected(key: string, ts: number, t: Tree): void {
    if (this.trees.size >= LIMITS.smbMaxTrees && !this.trees.has(key)) this.trees.delete(this.trees.keys().next().value as string);
    this.trees.set(key, t);
    const rec: LogRecord = { ts, ...this.ctx.connFields() };
    if (t.path !== undefined) rec.path = t.path;
    if (t.service !== undefined) rec.service = t.service;
    if (t.nativeFileSystem !== undefined) rec.native_file_system = t.nativeFileSystem;
    rec.share_type = t.shareType;
    this.ctx.log(SMB_MAPPING_LOG, rec);
  }

  treeDisconnected(key: string): void {
    this.trees.delete(key);
  }

  // ---- files ----

  file(key: string): SmbFile | undefined {
    return this.files.get(key);
  }

  /** A create succeeded: the file is open under `key`; FILE_OPEN (or PRINT_OPEN) is logged. */
  opened(key: string, f: Omit<SmbFile, 'next' | 'readLogged' | 'writeLogged' | 'isPipe' | 'shareType' | 'pipe'>, treeKey: string, deleteOnClose: boolean): void {
    const tree = this.trees.get(treeKey);
    // Tree connect not seen (capture started later): a well-known pipe name says PIPE, as
    // Zeek's smb_pipe_connect_heuristic does.
    const type = tree?.shareType ?? (WELL_KNOWN_PIPES.has(f.name.replace(/^\\+/, '').toLowerCase()) ? 'PIPE' : 'DISK');
    const old = this.files.get(key);
    if (old) this.closed(key);
    if (this.files.size >= LIMITS.smbMaxOpenFiles) {
      this.closed(this.files.keys().next().value as string);
      this.ctx.weird('SMB_too_many_open_files');
    }
    const file: SmbFile = { ...f, path: f.path ?? tree?.path, next: 0, readLogged: false, writeLogged: false, isPipe: type === 'PIPE', shareType: type };
    if (file.isPipe) file.pipe = this.dce.channel(key, file.name);
    this.files.set(key, file);
    if (type === 'DISK') this.logFile(file, 'SMB::FILE_OPEN');
    else if (type === 'PRINT') this.logFile(file, 'SMB::PRINT_OPEN');
    if (deleteOnClose && type !== 'PIPE') this.logFile(file, 'SMB::FILE_DELETE');
  }

  renamed(key: string, newName: string): void {
    const f = this.files.get(key);
    if (!f) return;
    f.prevName = f.name;
    f.name = newName;
    this.logFile(f, 'SMB::FILE_RENAME');
  }

  deleted(key: string): void {
    const f = this.files.get(key);
    if (f && !f.isPipe) this.logFile(f, 'SMB::FILE_DELETE');
  }

  closed(key: string): void {
    const f = this.files.get(key);
    if (!f) return;
    this.files.delete(key);
    f.handle?.end();
    if (f.isPipe) this.dce.close(key);
    if (f.shareType === 'PRINT') this.logFile(f, 'SMB::PRINT_CLOSE');
  }

  /**
   * Content of file `key` at `offset`: buf[off, off+len) is here, `total` bytes in all (the rest
   * comes as the message's tail). Pipes go to DCE/RPC, files to the files framework in offset
   * order. Returns where the tail goes.
   */
  content(key: string, isOrig: boolean, offset: number, buf: Buffer, off: number, len: number, total: number): TailSink | undefined {
    const f = this.files.get(key);
    if (!f) return undefined;
    if (f.isPipe) {
      const ch = f.pipe!;
      if (len > 0) ch.data(isOrig, buf, off, len);
      return total > len ? { data: (b, o, l) => ch.data(isOrig, b, o, l), gap: () => ch.gap(isOrig) } : undefined;
    }
    if (!f.handle) {
      f.handle = this.ctx.files.begin({ source: 'SMB', isOrig, filename: f.name, totalBytes: f.size > 0 ? f.size : undefined });
    }
    if (isOrig ? !f.writeLogged : !f.readLogged) {
      if (isOrig) f.writeLogged = true;
      else f.readLogged = true;
      this.logFile(f, isOrig ? 'SMB::FILE_WRITE' : 'SMB::FILE_READ');
    }
    let at = offset;
    const put = (b: Buffer, o: number, l: number): void => {
      if (l <= 0) return;
      if (at > f.next) {
        f.handle!.gap(at - f.next); // a read or write we did not see: missing bytes
        f.next = at;
      } else if (at < f.next) {
        const skip = Math.min(f.next - at, l); // already delivered (a retried or overlapping read)
        at += skip;
        o += skip;
        l -= skip;
        if (l === 0) return;
      }
      f.handle!.data(b, o, l);
      at += l;
      f.next = at;
    };
    put(buf, off, len);
    if (total <= len) return undefined;
    return {
      data: put,
      gap: (n) => {
        if (at >= f.next) {
          f.handle!.gap(n);
          f.next = at + n;
        }
        at += n;
      },
    };
  }

  done(): void {
    for (const key of [...this.files.keys()]) this.closed(key);
    this.dce.done();
    this.ntlm.done();
  }

  private logFile(f: SmbFile, action: string): void {
    const fuid = f.handle?.fuid;
    const t = f.times;
    const ident = `${action}|${fuid ?? ''}|${f.name}|${f.path ?? ''}|${f.size}|${t ? `${t.modified},${t.accessed},${t.created},${t.changed}` : ''}`;
    if (this.recent.has(ident)) return;
    if (this.recent.size >= LIMITS.smbMaxOpenFiles) this.recent.delete(this.recent.values().next().value as string);
    this.recent.add(ident);
    const rec: LogRecord = { ts: f.ts, ...this.ctx.connFields() };
    if (fuid !== undefined) rec.fuid = fuid;
    rec.action = action;
    if (f.path !== undefined) rec.path = f.path;
    rec.name = f.name;
    rec.size = f.size;
    if (f.prevName !== undefined) rec.prev_name = f.prevName;
    if (t) {
      rec['times.modified'] = t.modified;
      rec['times.accessed'] = t.accessed;
      rec['times.created'] = t.created;
      rec['times.changed'] = t.changed;
    }
    this.ctx.log(SMB_FILES_LOG, rec);
  }
}
