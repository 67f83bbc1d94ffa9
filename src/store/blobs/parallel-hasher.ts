/**
 * SHA-256, MD5 and SHA-1 of a stream, computed on a worker thread while the caller goes on
 * receiving. On the event loop the three digests of a 50 MB upload cost ~150 ms of CPU (MD5
 * alone runs at ~650 MB/s), as much as receiving it: done here, an upload keeps one core for the
 * socket and hashes on the other, and the API answers other requests meanwhile.
 *
 * With `writeTo`, the worker also writes every byte to that new file, right after hashing the
 * batch: the blob store's upload path is then one copy per byte on the event loop (into a batch)
 * and one large write per HASH_BATCH_BYTES on the worker, instead of a stream write (and a thread
 * pool round trip) per socket read of 64 KiB.
 *
 * Chunks are copied into HASH_BATCH_BYTES batches whose memory is transferred, not cloned, and
 * transferred back once hashed and written, to be filled again (no fresh allocation per batch).
 * Bounded: `update` returns a promise to wait for once more than HASH_IN_FLIGHT_MAX_BYTES are
 * posted and not done yet, so a fast client cannot queue an upload's bytes in memory. One worker
 * serves every upload of the process (a session each); it is started at first use, does not keep
 * the process alive, and is started again if it ever dies (the uploads it was hashing fail).
 */
import { Worker } from 'node:worker_threads';

/** Bytes gathered before one message to the worker. */
export const HASH_BATCH_BYTES = 1 << 20;
/** Bytes of one upload posted to the worker and not hashed yet before `update` asks to wait. */
export const HASH_IN_FLIGHT_MAX_BYTES = 8 << 20;

export interface Digests { sha256: string; md5: string; sha1: string }

/** The worker: plain CommonJS (eval), so it runs the same from sources under tsx and from dist/. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, writeSync, closeSync, unlinkSync } = require('node:fs');
const sessions = new Map();
const session = (id) => {
  let s = sessions.get(id);
  if (!s) sessions.set(id, (s = { hashes: [createHash('sha256'), createHash('md5'), createHash('sha1')], fd: -1, path: undefined, error: undefined }));
  return s;
};
const close = (s) => { if (s.fd >= 0) { try { closeSync(s.fd); } catch {} s.fd = -1; } };
parentPort.on('message', (m) => {
  if (m.op === 'open') {
    const s = session(m.id);
    s.path = m.path;
    try { s.fd = openSync(m.path, 'wx'); } catch (e) { s.error = String(e && e.message || e); }
    if (s.error) parentPort.postMessage({ id: m.id, op: 'failed', message: s.error });
  } else if (m.op === 'data') {
    const s = session(m.id);
    const chunk = new Uint8Array(m.buf, 0, m.len);
    if (!s.error) {
      for (const h of s.hashes) h.update(chunk);
      try {
        for (let off = 0; s.fd >= 0 && off < m.len; ) off += writeSync(s.fd, chunk, off, m.len - off);
      } catch (e) {
        s.error = String(e && e.message || e);
        close(s);
        parentPort.postMessage({ id: m.id, op: 'failed', message: s.error });
      }
    }
    parentPort.postMessage({ id: m.id, op: 'hashed', len: m.len, buf: m.buf }, [m.buf]);
  } else if (m.op === 'end') {
    const s = session(m.id);
    sessions.delete(m.id);
    close(s);
    if (!s.error) parentPort.postMessage({ id: m.id, op: 'digests', sha256: s.hashes[0].digest('hex'), md5: s.hashes[1].digest('hex'), sha1: s.hashes[2].digest('hex') });
  } else if (m.op === 'abort') {
    const s = sessions.get(m.id);
    sessions.delete(m.id);
    // The caller removes the file too; here as well, since an open may still have been queued when it did.
    if (s) { close(s); if (s.path !== undefined) try { unlinkSync(s.path); } catch {} }
    parentPort.postMessage({ id: m.id, op: 'aborted' });
  }
});
`;

type Reply = { id: number; op: 'hashed'; len: number; buf: ArrayBuffer } | { id: number; op: 'failed'; message: string } | { id: number; op: 'aborted' } | ({ id: number; op: 'digests' } & Digests);

interface Session { onReply(r: Reply): void; onDeath(e: Error): void }

let worker: Worker | undefined;
const sessions = new Map<number, Session>();
let nextId = 1;

/** The worker keeps the process alive only while it hashes something (a script awaiting a digest must not exit first). */
function open(id: number, s: Session): void {
  sessions.set(id, s);
  if (sessions.size === 1) worker?.ref();
}
function close(id: number): boolean {
  const had = sessions.delete(id);
  if (had && sessions.size === 0) worker?.unref();
  return had;
}

function hashWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.unref();
  w.on('message', (r: Reply) => sessions.get(r.id)?.onReply(r));
  const die = (e: Error): void => {
    if (worker === w) worker = undefined;
    const dead = [...sessions.values()];
    sessions.clear();
    w.unref();
    for (const s of dead) s.onDeath(e);
  };
  w.on('error', die);
  w.on('exit', (code) => die(new Error(`the hashing worker exited with code ${code}`)));
  worker = w;
  return w;
}

export interface HasherOptions {
  /** A file to create (exclusively) and write every byte to, on the worker. */
  writeTo?: string;
}

export class ParallelHasher {
  private readonly id = nextId++;
  private readonly worker = hashWorker();
  /** The batch being filled (a view of batchMemory). */
  private batch: Buffer | undefined;
  private batchMemory: ArrayBuffer | undefined;
  private batchLen = 0;
  /** Batches the worker gave back, to fill again. */
  private readonly spare: ArrayBuffer[] = [];
  private inFlight = 0;
  private failure: Error | undefined;
  private resume: { resolve(): void; reject(e: Error): void } | undefined;
  private finish: { resolve(d: Digests): void; reject(e: Error): void } | undefined;
  private aborted: (() => void) | undefined;
  /** 'end' or 'abort' was posted: the worker forgets the session by itself. */
  private ended = false;

  constructor(opts: HasherOptions = {}) {
    open(this.id, {
      onReply: (r) => {
        if (r.op === 'hashed') {
          this.inFlight -= r.len;
          if (this.spare.length * HASH_BATCH_BYTES < HASH_IN_FLIGHT_MAX_BYTES) this.spare.push(r.buf);
          if (this.resume && this.inFlight <= HASH_IN_FLIGHT_MAX_BYTES) { const w = this.resume; this.resume = undefined; w.resolve(); }
        } else if (r.op === 'failed') {
          // Kept open until abort() (the worker keeps the failed session until told), unless 'end' already went.
          if (this.ended) close(this.id);
          this.fail(new Error(`writing the blob failed: ${r.message}`));
        } else if (r.op === 'aborted') {
          close(this.id);
          this.aborted?.();
        } else {
          close(this.id);
          this.finish?.resolve({ sha256: r.sha256, md5: r.md5, sha1: r.sha1 });
        }
      },
      onDeath: (e) => { this.fail(e); this.aborted?.(); },
    });
    if (opts.writeTo !== undefined) this.worker.postMessage({ id: this.id, op: 'open', path: opts.writeTo });
  }

  /** Adds bytes; a promise when the caller should wait before adding more (the worker is behind). */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    let off = 0;
    while (off < chunk.length) {
      if (this.batch === undefined) {
        this.batchMemory = this.spare.pop() ?? new ArrayBuffer(HASH_BATCH_BYTES);
        this.batch = Buffer.from(this.batchMemory);
      }
      const batch = this.batch;
      const n = Math.min(chunk.length - off, HASH_BATCH_BYTES - this.batchLen);
      batch.set(chunk.subarray(off, off + n), this.batchLen);
      this.batchLen += n;
      off += n;
      if (this.batchLen === HASH_BATCH_BYTES) this.post();
    }
    if (this.inFlight <= HASH_IN_FLIGHT_MAX_BYTES) return undefined;
    return new Promise((resolve, reject) => { this.resume = { resolve, reject }; });
  }

  /** The digests of everything added (and, with `writeTo`, once the file is written and closed). */
  digest(): Promise<Digests> {
    if (this.failure) return Promise.reject(this.failure);
    this.ended = true;
    if (this.batchLen > 0) this.post();
    return new Promise((resolve, reject) => {
      this.finish = { resolve, reject };
      this.worker.postMessage({ id: this.id, op: 'end' });
    });
  }

  /**
   * Forgets the session (the upload failed) and removes its file; safe to call at any time. Resolves
   * once the worker has (its queued open may create the file after the caller removed it).
   */
  abort(): Promise<void> {
    // Ended, or the worker died (which forgot every session): nothing to tell it.
    if (this.ended || !sessions.has(this.id)) return Promise.resolve();
    this.ended = true;
    return new Promise((resolve) => {
      this.aborted = resolve;
      this.worker.postMessage({ id: this.id, op: 'abort' });
    });
  }

  private post(): void {
    const buf = this.batchMemory!;
    this.worker.postMessage({ id: this.id, op: 'data', buf, len: this.batchLen }, [buf]);
    this.inFlight += this.batchLen;
    this.batch = this.batchMemory = undefined;
    this.batchLen = 0;
  }

  private fail(e: Error): void {
    this.failure = e;
    this.resume?.reject(e);
    this.finish?.reject(e);
    this.resume = this.finish = undefined;
  }
}
