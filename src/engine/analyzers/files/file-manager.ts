/**
 * The files framework (Zeek's Files::*): protocols hand over file contents as they stream by
 * and the manager hashes them (MD5, SHA1, SHA256), sniffs their MIME type from the first bytes,
 * counts seen/missing bytes, optionally extracts them to disk, and writes one files.log record
 * per file when it ends.
 *
 * Protocol analyzers use it through `ctx.files.begin({...})`, which returns a FileHandle:
 *   const f = ctx.files.begin({ source: 'HTTP', isOrig: false, filename, totalBytes, depth });
 *   f.data(buf, off, len); f.gap(n); ... f.end();
 * `end()` is idempotent; a handle still open when the engine finishes is ended then.
 *
 * Extraction (EngineOptions.extractDir): contents are streamed to a temporary file named after
 * the process id and fuid (ours, never anything from the traffic) inside the directory, renamed to the SHA256
 * of the extracted bytes when the file ends (content-addressed: the same content is stored
 * once), and cut at LIMITS.fileExtractMaxBytes (extracted_cutoff). A file with missing bytes
 * has no hashes (as in Zeek, whose hash analyzers give up at a gap) and is not extracted, since
 * a content address cannot be computed for it.
 *
 * Detection: when the connection's analyzer context is given (forConn's second argument) and the
 * detection engine inspects 'file', a file that ends is handed over as a unit with file.data
 * (its first LIMITS.inspectFileBytes, copied only then), file.name and the facts the file.*
 * keywords test (size, md5, sha1, sha256, mime, magic: a libmagic-like description from
 * describe.ts). With a scanner (--yara), the first
 * LIMITS.yaraScanBytes are scanned at the end; matching rule names go to files.log yara_matches.
 * X.509 certificates (logged: false) are neither: Suricata does not treat them as files.
 */
import { createHash, type Hash, hash as oneShotHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogRecord, RecordSink } from '../../logs/schema.js';
import { parseAddr } from '../../support/addr.js';
import { LIMITS } from '../../support/limits.js';
import type { NetworkSet } from '../../support/networks.js';
import { uidFor } from '../../flow/uid.js';
import { FILES_LOG } from './files-log.js';
import { sniffMime } from './magic.js';
import { describeFile } from './describe.js';
import type { ConnInfo } from '../analyzer.js';
import type { InspectionUnit } from '../../detect/inspection.js';

export interface FileBeginOptions {
  /** Protocol the file comes from, as files.log `source` shows it ("HTTP", "SMTP", "FTP_DATA"). */
  source: string;
  /** Sent by the connection's originator. */
  isOrig: boolean;
  /** Name the protocol gave the file, as log text (support/wire-text.ts); shown in files.log, never used as a path. */
  filename?: string;
  /** Type the sender claimed (e.g. HTTP Content-Type): informational, kept on the handle;
   *  files.log shows the type sniffed from the content, as Zeek does for HTTP. */
  mimeHint?: string;
  /** Type the protocol itself establishes (e.g. X.509 certificates in TLS): files.log shows it
   *  and no sniffing is done (Zeek's protocol-supplied MIME type, File::SetMime). */
  mimeType?: string;
  /** Announced size, when the protocol says it (files.log total_bytes). */
  totalBytes?: number;
  /** Depth in the source (HTTP: transaction depth; SMTP: MIME depth). */
  depth?: number;
  /** Container file this one was extracted from. */
  parentFuid?: string;
  /** Write a files.log record (default true). TLS certificates pass false: Zeek keeps X.509
   *  files out of files.log by default (X509::log_x509_in_files_log = F); x509.log has them. */
  logged?: boolean;
  /** The name detection rules see as file.name when the protocol gave none in `filename`
   *  (HTTP: the request URI's path, as Suricata names HTTP files). */
  detectName?: string;
}

export interface FileHandle {
  readonly fuid: string;
  /** Sniffed MIME type: known once LIMITS.fileBofBytes were seen, or after end(). */
  readonly mimeType: string | undefined;
  readonly mimeHint: string | undefined;
  readonly filename: string | undefined;
  /** Content bytes, in order: buf[off, off+len), valid only during the call. */
  data(buf: Buffer, off: number, len: number): void;
  /** `len` bytes of the content that were never seen. */
  gap(len: number): void;
  /** The file is over: writes its files.log record. Idempotent. */
  end(): void;
}

/** What an analyzer sees as `ctx.files`: file analysis bound to its connection. */
export interface ConnFiles {
  begin(opts: FileBeginOptions): FileHandle;
}

/** The analyzer context a file travels in: its connection and the door to the detection engine. */
export interface FileContext {
  readonly conn: ConnInfo;
  inspecting(proto: string): boolean;
  inspect(unit: InspectionUnit): void;
}

/** A file that ended, as a scanner (detect/yara) sees it. */
export interface ScannedFile {
  readonly fuid: string;
  readonly ts: number;
  readonly isOrig: boolean;
  /** The connection, when the file came through an analyzer context. */
  readonly conn: ConnInfo | undefined;
  readonly fileConn: FileConn;
  readonly source: string;
  readonly depth: number;
  readonly filename: string | undefined;
  readonly mime: string | undefined;
  readonly size: number;
  readonly md5: string | undefined;
  readonly sha1: string | undefined;
  readonly sha256: string | undefined;
}

/**
 * Scans the first `maxBytes` of each file that ends (YARA: detect/yara); returns the names of
 * the matches (files.log yara_matches) and may write records of its own (EVE alerts) to `sink`.
 */
export interface FileScanner {
  readonly maxBytes: number;
  scan(content: Buffer, file: ScannedFile, sink: RecordSink): string[];
}

/** The connection a file travels over (the strings of ConnInfo). */
export interface FileConn {
  readonly uid: string;
  readonly origH: string;
  readonly origP: number;
  readonly respH: string;
  readonly respP: number;
}

export interface FileManagerOptions {
  sink: RecordSink;
  /** Capture time (network_time). */
  now(): number;
  /** Directory to extract file contents to; no extraction when undefined. */
  extractDir?: string;
  /** Local networks, for files.log local_orig. */
  localNets?: NetworkSet;
  /** Scans file contents when they end (--yara); none when unset. */
  scanner?: FileScanner;
}

const HASH_STAGE_BYTES = 64 * 1024;
/** Stages of ended files kept for the next ones (a few are open at a time). */
const MAX_SPARE_STAGES = 8;

function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class FileManager {
  private readonly open = new Set<File>();
  private counter = 0;
  /** Bytes of file beginnings all open files hold for detection (LIMITS.detectFileHeldBytes). */
  held = 0;
  /** Hash stages of ended files: a fresh 64 KiB buffer per file was a visible cost. */
  private readonly spareStages: Buffer[] = [];

  constructor(readonly opts: FileManagerOptions) {
    if (opts.extractDir !== undefined) mkdirSync(opts.extractDir, { recursive: true });
  }

  /** The `ctx.files` of one connection; `ctx` (the analyzer context) lets its files reach detection. */
  forConn(conn: FileConn, ctx?: FileContext): ConnFiles {
    return { begin: (o) => this.begin(conn, o, ctx) };
  }

  begin(conn: FileConn, o: FileBeginOptions, ctx?: FileContext): FileHandle {
    const now = this.opts.now();
    const n = ++this.counter;
    // Stable for a capture: the n-th file of the run, its connection and start time.
    const fuid = uidFor('F', [n, hashOf(conn.uid), o.isOrig ? 1 : 0, o.depth ?? 0, Math.floor(now), Math.round((now % 1) * 1e6)]);
    const f = new File(this, conn, fuid, now, o, ctx);
    this.open.add(f);
    return f;
  }

  /** Ends every file still open (end of input). */
  finish(): void {
    for (const f of [...this.open]) f.end();
  }

  /** @internal */
  closed(f: File): void {
    this.open.delete(f);
  }

  /** @internal A hash stage of HASH_STAGE_BYTES (contents undefined). */
  takeStage(): Buffer {
    return this.spareStages.pop() ?? Buffer.allocUnsafe(HASH_STAGE_BYTES);
  }

  /** @internal A stage nothing reads any more. */
  giveStage(stage: Buffer): void {
    if (this.spareStages.length < MAX_SPARE_STAGES) this.spareStages.push(stage);
  }

  /** @internal */
  isLocal(addr: string): boolean | undefined {
    const nets = this.opts.localNets;
    if (!nets || nets.size === 0) return undefined;
    const w = parseAddr(addr);
    return w ? nets.contains(w[0], w[1], w[2], w[3]) : false;
  }
}

class File implements FileHandle {
  private readonly firstTs: number;
  private lastTs: number;
  private seen = 0;
  private missing = 0;
  private timedout = false;
  private ended = false;
  private bof: Buffer[] = [];
  private bofLen = 0;
  private sniffed = false;
  private mime: string | undefined;
  /** False once a gap made the hashes unknowable. */
  private hashing = true;
  private stage: Buffer | undefined;
  private staged = 0;
  /** Streaming hashes, created only when the file outgrows one stage (see hash()). */
  private md5: Hash | undefined;
  private sha1: Hash | undefined;
  private sha256: Hash | undefined;
  private readonly analyzers = ['MD5', 'SHA1', 'SHA256'];
  // extraction
  private fd = -1;
  private tmpPath = '';
  private extractedSize = 0;
  private cutoff = false;
  /** Digest of the extracted prefix, taken when the cutoff hit. */
  private cutoffDigest: string | undefined;
  // detection: the first bytes, kept only when the engine inspects files or a scanner runs
  private readonly inspecting: boolean;
  /** Detection or a scanner looks at this file when it ends. */
  private readonly detecting: boolean;
  private keepBytes = 0;
  private kept: Buffer[] = [];
  private keptLen = 0;

  constructor(private readonly mgr: FileManager, private readonly conn: FileConn, readonly fuid: string, now: number, private readonly o: FileBeginOptions, private readonly ctx?: FileContext) {
    this.firstTs = now;
    this.lastTs = now;
    this.inspecting = o.logged !== false && ctx !== undefined && ctx.inspecting('file');
    if (o.logged !== false) {
      if (this.inspecting) this.keepBytes = LIMITS.inspectFileBytes;
      if (mgr.opts.scanner) this.keepBytes = Math.max(this.keepBytes, Math.min(mgr.opts.scanner.maxBytes, LIMITS.yaraScanBytes));
    }
    this.detecting = this.keepBytes > 0;
    if (o.mimeType !== undefined) {
      this.mime = o.mimeType;
      this.sniffed = true;
    }
    const dir = mgr.opts.extractDir;
    if (dir !== undefined) {
      this.analyzers.push('EXTRACT');
      this.tmpPath = join(dir, `.part-${process.pid}-${fuid}`); // our own name: pid + fuid
      try {
        this.fd = openSync(this.tmpPath, 'w');
      } catch {
        this.fd = -1; // unwritable directory: analysis goes on without the copy
      }
    }
    // An unlogged file (a TLS certificate: x509.log has its own fingerprints) that is not
    // extracted shows its hashes to nobody: computing them was a visible share of TLS analysis.
    this.hashing = o.logged !== false || this.fd >= 0;
  }

  get mimeType(): string | undefined {
    return this.mime;
  }
  get mimeHint(): string | undefined {
    return this.o.mimeHint;
  }
  get filename(): string | undefined {
    return this.o.filename;
  }

  data(buf: Buffer, off: number, len: number): void {
    if (this.ended || len <= 0) return;
    this.touch();
    const part = buf.subarray(off, off + len);
    this.seen += len;
    if (this.fd >= 0) this.extract(part); // before hashing: a cutoff hashes the written prefix
    if (this.hashing) this.hash(part);
    if (this.keptLen < this.keepBytes) this.keep(part);
    if (!this.sniffed) {
      const take = Math.min(len, LIMITS.fileBofBytes - this.bofLen);
      this.bof.push(Buffer.from(part.subarray(0, take)));
      this.bofLen += take;
      if (this.bofLen >= LIMITS.fileBofBytes) this.sniff();
    }
  }

  gap(len: number): void {
    if (this.ended || len <= 0) return;
    this.touch();
    this.missing += len;
    this.keepBytes = this.keptLen; // content after a hole is not contiguous with what was kept
    // Zeek's hash analyzers give up at a gap; nor can the copy be named by its content.
    this.hashing = false;
    this.md5 = this.sha1 = this.sha256 = undefined;
    this.releaseStage();
    if (!this.sniffed) this.sniff();
    this.abortExtraction();
  }

  end(): void {
    if (this.ended) return;
    this.touch();
    const total = this.o.totalBytes;
    // Cut short (connection ended, body truncated): the rest is missing.
    if (total !== undefined && this.seen + this.missing < total) this.gap(total - this.seen - this.missing);
    this.ended = true;
    this.mgr.closed(this);
    if (!this.sniffed) this.sniff();
    const c = this.conn;
    const rec: LogRecord = {
      ts: this.firstTs, fuid: this.fuid, uid: c.uid,
      'id.orig_h': c.origH, 'id.orig_p': c.origP, 'id.resp_h': c.respH, 'id.resp_p': c.respP,
      source: this.o.source, depth: this.o.depth ?? 0, analyzers: this.analyzers,
      mime_type: this.mime, filename: this.o.filename,
      duration: this.lastTs - this.firstTs,
      local_orig: this.mgr.isLocal(this.o.isOrig ? c.origH : c.respH),
      is_orig: this.o.isOrig, seen_bytes: this.seen, total_bytes: total, missing_bytes: this.missing,
      overflow_bytes: 0, timedout: this.timedout, parent_fuid: this.o.parentFuid,
    };
    const digests = this.digests();
    rec.md5 = digests?.[0];
    rec.sha1 = digests?.[1];
    if (digests !== undefined) {
      const sha256 = digests[2];
      rec.sha256 = sha256;
      if (this.fd >= 0) {
        const name = this.cutoffDigest ?? sha256;
        this.finishExtraction(name);
        rec.extracted = name;
        rec.extracted_cutoff = this.cutoff;
        rec.extracted_size = this.extractedSize;
      }
    }
    this.abortExtraction();
    this.bof = [];
    if (this.detecting) this.detect(rec);
    if (this.o.logged !== false) this.mgr.opts.sink.write(FILES_LOG, rec);
  }

  private keep(part: Buffer): void {
    const take = Math.min(part.length, this.keepBytes - this.keptLen, LIMITS.detectFileHeldBytes - this.mgr.held);
    if (take <= 0) { this.keepBytes = this.keptLen; return; }
    this.kept.push(Buffer.from(part.subarray(0, take)));
    this.keptLen += take;
    this.mgr.held += take;
  }

  /** The scanner's verdict into the record, and the file's unit to the detection engine. */
  private detect(rec: LogRecord): void {
    const content = this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept, this.keptLen);
    this.kept = [];
    this.mgr.held -= this.keptLen;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const scanner = this.mgr.opts.scanner;
    if (scanner) {
      const names = scanner.scan(content.subarray(0, scanner.maxBytes), {
        fuid: this.fuid, ts: this.mgr.opts.now(), isOrig: this.o.isOrig, conn: this.ctx?.conn, fileConn: this.conn,
        source: this.o.source, depth: this.o.depth ?? 0, filename: this.o.filename, mime: this.mime, size: this.seen,
        md5: str(rec.md5), sha1: str(rec.sha1), sha256: str(rec.sha256),
      }, this.mgr.opts.sink);
      if (names.length > 0) rec.yara_matches = names;
    }
    if (!this.inspecting) return;
    const name = this.o.filename ?? this.o.detectName;
    this.ctx!.inspect({
      proto: 'file',
      isOrig: this.o.isOrig,
      txId: this.o.depth ?? 0,
      buffers: name === undefined
        ? { 'file.data': content.subarray(0, LIMITS.inspectFileBytes) }
        : { 'file.data': content.subarray(0, LIMITS.inspectFileBytes), 'file.name': Buffer.from(name, 'utf8') },
      facts: {
        size: this.seen, md5: str(rec.md5), sha1: str(rec.sha1), sha256: str(rec.sha256),
        mime: this.mime, magic: describeFile(content, this.mime), source: this.o.source,
      },
    });
  }

  /**
   * Hash updates cost a native call each: segment-sized pieces are gathered into a stage of
   * HASH_STAGE_BYTES before being hashed (1.2-1.3x faster on 1460-byte segments). A file that
   * fits in one stage (most do) is hashed in one shot when it ends, with no Hash objects at all.
   */
  private hash(part: Buffer): void {
    if (part.length >= HASH_STAGE_BYTES / 4 && this.staged === 0) {
      this.streamingHashes();
      this.md5!.update(part);
      this.sha1!.update(part);
      this.sha256!.update(part);
      return;
    }
    const stage = (this.stage ??= this.mgr.takeStage());
    let off = 0;
    while (off < part.length) {
      const n = Math.min(part.length - off, HASH_STAGE_BYTES - this.staged);
      // TypedArray#set copies without Buffer#copy's argument checks and temporary view.
      stage.set(n === part.length ? part : part.subarray(off, off + n), this.staged);
      this.staged += n;
      off += n;
      if (this.staged === HASH_STAGE_BYTES) this.flushHash();
    }
  }

  private streamingHashes(): void {
    if (this.sha256 !== undefined) return;
    this.md5 = createHash('md5');
    this.sha1 = createHash('sha1');
    this.sha256 = createHash('sha256');
  }

  /** Hashes what is staged into the streaming hashes (creating them). */
  private flushHash(): void {
    if (!this.hashing) { this.staged = 0; return; }
    this.streamingHashes();
    if (this.staged === 0) return;
    const piece = this.stage!.subarray(0, this.staged);
    this.md5!.update(piece);
    this.sha1!.update(piece);
    this.sha256!.update(piece);
    this.staged = 0;
  }

  /** [md5, sha1, sha256] of the content (hex), or undefined after a gap. Releases the stage. */
  private digests(): [string, string, string] | undefined {
    if (!this.hashing) return undefined;
    let d: [string, string, string];
    if (this.sha256 === undefined) {
      const all = this.stage === undefined ? Buffer.alloc(0) : this.stage.subarray(0, this.staged);
      d = [oneShotHash('md5', all, 'hex'), oneShotHash('sha1', all, 'hex'), oneShotHash('sha256', all, 'hex')];
    } else {
      this.flushHash();
      d = [this.md5!.digest('hex'), this.sha1!.digest('hex'), this.sha256.digest('hex')];
    }
    this.releaseStage();
    return d;
  }

  private releaseStage(): void {
    if (this.stage !== undefined) this.mgr.giveStage(this.stage);
    this.stage = undefined;
    this.staged = 0;
  }

  private touch(): void {
    const now = this.mgr.opts.now();
    if (now - this.lastTs > LIMITS.fileTimeout) this.timedout = true;
    if (now > this.lastTs) this.lastTs = now;
  }

  private sniff(): void {
    this.sniffed = true;
    this.mime = sniffMime(this.bof.length === 1 ? this.bof[0] : Buffer.concat(this.bof));
    this.bof = [];
  }

  private extract(part: Buffer): void {
    const room = LIMITS.fileExtractMaxBytes - this.extractedSize;
    const take = Math.min(room, part.length);
    try {
      if (take > 0) writeSync(this.fd, part, 0, take);
    } catch {
      this.abortExtraction();
      return;
    }
    this.extractedSize += take;
    if (take < part.length && !this.cutoff) {
      this.cutoff = true;
      // Content address of what was written: the hash so far plus the written part of this chunk.
      this.flushHash();
      if (this.sha256) this.cutoffDigest = this.sha256.copy().update(part.subarray(0, take)).digest('hex');
    }
  }

  private finishExtraction(name: string): void {
    const fd = this.fd;
    this.fd = -1;
    try {
      closeSync(fd);
      const dest = join(this.mgr.opts.extractDir!, name);
      if (existsSync(dest)) unlinkSync(this.tmpPath); // same content already stored
      else renameSync(this.tmpPath, dest);
    } catch {
      // leave nothing half-written behind
      try { unlinkSync(this.tmpPath); } catch { /* gone already */ }
    }
  }

  private abortExtraction(): void {
    if (this.fd < 0) return;
    try { closeSync(this.fd); } catch { /* closed */ }
    try { unlinkSync(this.tmpPath); } catch { /* gone */ }
    this.fd = -1;
  }
}
