/**
 * SHA-256, MD5 and SHA-1 of a stream, computed on a worker thread while the caller goes on
 * receiving and writing. On the event loop the three digests of a 50 MB upload cost ~150 ms of
 * CPU (MD5 alone runs at ~650 MB/s), as much as receiving and writing it: done here, an upload
 * keeps one core for the socket and the disk and hashes on the other, and the API answers other
 * requests meanwhile.
 *
 * Chunks are copied into HASH_BATCH_BYTES batches whose memory is transferred, not cloned (one
 * copy per byte, a few dozen messages per 50 MB). Bounded: `update` returns a promise to wait for
 * once more than HASH_IN_FLIGHT_MAX_BYTES are posted and not hashed yet, so a fast client cannot
 * queue an upload's bytes in memory. One worker serves every upload of the process (a session
 * each); it is started at first use, does not keep the process alive, and is started again if it
 * ever dies (the uploads it was hashing fail).
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
const sessions = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'data') {
    let s = sessions.get(m.id);
    if (!s) sessions.set(m.id, (s = [createHash('sha256'), createHash('md5'), createHash('sha1')]));
    const chunk = new Uint8Array(m.buf, 0, m.len);
    for (const h of s) h.update(chunk);
    parentPort.postMessage({ id: m.id, op: 'hashed', len: m.len });
  } else if (m.op === 'end') {
    const s = sessions.get(m.id) ?? [createHash('sha256'), createHash('md5'), createHash('sha1')];
    sessions.delete(m.id);
    parentPort.postMessage({ id: m.id, op: 'digests', sha256: s[0].digest('hex'), md5: s[1].digest('hex'), sha1: s[2].digest('hex') });
  } else if (m.op === 'abort') {
    sessions.delete(m.id);
  }
});
`;

type Reply = { id: number; op: 'hashed'; len: number } | ({ id: number; op: 'digests' } & Digests);

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

export class ParallelHasher {
  private readonly id = nextId++;
  private readonly worker = hashWorker();
  private batch = Buffer.allocUnsafeSlow(HASH_BATCH_BYTES);
  private batchLen = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  private resume: { resolve(): void; reject(e: Error): void } | undefined;
  private finish: { resolve(d: Digests): void; reject(e: Error): void } | undefined;
  private ended = false;

  constructor() {
    open(this.id, {
      onReply: (r) => {
        if (r.op === 'hashed') {
          this.inFlight -= r.len;
          if (this.resume && this.inFlight <= HASH_IN_FLIGHT_MAX_BYTES) { const w = this.resume; this.resume = undefined; w.resolve(); }
        } else {
          close(this.id);
          this.finish?.resolve({ sha256: r.sha256, md5: r.md5, sha1: r.sha1 });
        }
      },
      onDeath: (e) => this.fail(e),
    });
  }

  /** Adds bytes; a promise when the caller should wait before adding more (the worker is behind). */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, HASH_BATCH_BYTES - this.batchLen);
      this.batch.set(chunk.subarray(off, off + n), this.batchLen);
      this.batchLen += n;
      off += n;
      if (this.batchLen === HASH_BATCH_BYTES) this.post();
    }
    if (this.inFlight <= HASH_IN_FLIGHT_MAX_BYTES) return undefined;
    return new Promise((resolve, reject) => { this.resume = { resolve, reject }; });
  }

  /** The digests of everything added. */
  digest(): Promise<Digests> {
    if (this.failure) return Promise.reject(this.failure);
    this.ended = true;
    if (this.batchLen > 0) this.post();
    return new Promise((resolve, reject) => {
      this.finish = { resolve, reject };
      this.worker.postMessage({ id: this.id, op: 'end' });
    });
  }

  /** Forgets the session (the upload failed); safe to call at any time. */
  abort(): void {
    if (!close(this.id) || this.ended) return;
    this.worker.postMessage({ id: this.id, op: 'abort' });
  }

  private post(): void {
    const buf = this.batch.buffer;
    this.worker.postMessage({ id: this.id, op: 'data', buf, len: this.batchLen }, [buf]);
    this.inFlight += this.batchLen;
    this.batch = Buffer.allocUnsafeSlow(HASH_BATCH_BYTES);
    this.batchLen = 0;
  }

  private fail(e: Error): void {
    this.failure = e;
    this.resume?.reject(e);
    this.finish?.reject(e);
    this.resume = this.finish = undefined;
  }
}
