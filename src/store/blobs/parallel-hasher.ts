/**
 * SHA-256, MD5 and SHA-1 of a stream, computed on worker threads while the caller goes on
 * receiving. On the event loop the three digests of a 50 MB upload cost ~160 ms of CPU, as much as
 * receiving it: done here, the event loop only receives, and the API answers other requests meanwhile.
 *
 * Each digest has its own worker (a lane, LANES), so an upload is paced by the slowest hash (MD5,
 * ~600 MB/s here; SHA-256 and SHA-1 run at ~1.5 GB/s with SHA-NI), not by the sum of the three
 * (~160 ms per 50 MB on one worker). With `writeTo`, a fourth lane writes every byte to that new
 * file and syncs it to the disk (fdatasync) as it goes: the blob store's upload path is then one copy
 * per byte on the event loop (into a batch) and one large write per HASH_BATCH_BYTES on that worker,
 * instead of a stream write (and a thread pool round trip) per socket read of 64 KiB. The digests
 * resolve only once the file is on the disk (an upload answered "stored" survives a power cut);
 * syncing every WRITE_SYNC_BYTES while the upload still arrives, rather than all at the end, lets
 * the disk take the file while the rest is received and hashed. The writer has a lane of its own,
 * so a sync (waiting on the disk) never holds up a hash.
 *
 * Chunks are copied into HASH_BATCH_BYTES batches of shared memory that every lane reads (no copy
 * per lane), and filled again once every lane is done with them: batches come from a pool kept by
 * the process across uploads and touched once when the lanes start (BATCH_POOL_MAX), since fresh
 * memory costs a page fault per 4 KiB on first write (~4-5 ms per MiB measured here, more than
 * hashing it) and posting a SharedArrayBuffer a lane has never seen ~0.25 ms against ~3 µs for one
 * it has: with a pool per upload, a 52 MB upload spent ~80 ms of event-loop CPU on both.
 * Bounded: `update` returns a promise to wait for once more than HASH_IN_FLIGHT_MAX_BYTES are
 * posted and not done yet by every lane, so a fast client cannot queue an upload's bytes in memory.
 * The lanes serve every upload of the process (a session each); they are started at first use, do
 * not keep the process alive, and a lane is started again if it ever dies (the uploads then being
 * hashed fail).
 */
import { Worker } from 'node:worker_threads';

/** Bytes gathered before one message to the lanes. */
export const HASH_BATCH_BYTES = 1 << 20;
/** Bytes of one upload posted to the lanes and not hashed by all of them yet before `update` asks to wait. */
export const HASH_IN_FLIGHT_MAX_BYTES = 8 << 20;
/** Bytes written to a `writeTo` file between two syncs (the last sync comes at the end). */
export const WRITE_SYNC_BYTES = 4 << 20;

export interface Digests { sha256: string; md5: string; sha1: string }
export type DigestName = keyof Digests;
export const ALL_DIGESTS: readonly DigestName[] = ['sha256', 'md5', 'sha1'];

/** Idle batches kept for the next upload: one upload's bytes in flight, plus the one being filled and one spare. */
const BATCH_POOL_MAX = HASH_IN_FLIGHT_MAX_BYTES / HASH_BATCH_BYTES + 2;
const batchPool: SharedArrayBuffer[] = [];

function takeBatch(): SharedArrayBuffer {
  return batchPool.pop() ?? new SharedArrayBuffer(HASH_BATCH_BYTES);
}
/** Only for a batch no lane reads any more (every lane answered 'hashed', or it was never posted). */
function returnBatch(memory: SharedArrayBuffer): void {
  if (batchPool.length < BATCH_POOL_MAX) batchPool.push(memory);
}

/**
 * The digests each worker computes: one each (MD5, the slowest by far, paces an upload); the last
 * lane computes none and writes the file (a session without `writeTo` leaves it out).
 */
const LANES: readonly (readonly (keyof Digests)[])[] = [['md5'], ['sha256'], ['sha1'], []];
const WRITING_LANE = 3;

/** A lane: plain CommonJS (eval), so it runs the same from sources under tsx and from dist/. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, writeSync, fdatasyncSync, closeSync, unlinkSync } = require('node:fs');
const SYNC_BYTES = ${WRITE_SYNC_BYTES};
const sessions = new Map();
const close = (s) => { if (s.fd >= 0) { try { closeSync(s.fd); } catch {} s.fd = -1; } };
const fail = (id, s, e) => {
  s.error = String(e && e.message || e);
  close(s);
  parentPort.postMessage({ id, op: 'failed', message: s.error });
};
parentPort.on('message', (m) => {
  if (m.op === 'open') {
    const s = { hashes: m.algs.map((a) => [a, createHash(a)]), fd: -1, path: undefined, error: undefined, unsynced: 0 };
    sessions.set(m.id, s);
    if (m.path !== undefined) {
      // The path is the session's to remove only once created here: a file that was there stays.
      try { s.fd = openSync(m.path, 'wx'); s.path = m.path; } catch (e) { s.error = String(e && e.message || e); }
      if (s.error) parentPort.postMessage({ id: m.id, op: 'failed', message: s.error });
    }
  } else if (m.op === 'data') {
    const s = sessions.get(m.id);
    const chunk = new Uint8Array(m.buf, 0, m.len);
    if (s && !s.error) {
      for (const h of s.hashes) h[1].update(chunk);
      try {
        for (let off = 0; s.fd >= 0 && off < m.len; ) off += writeSync(s.fd, chunk, off, m.len - off);
        if (s.fd >= 0) s.unsynced += m.len;
      } catch (e) { fail(m.id, s, e); }
    }
    parentPort.postMessage({ id: m.id, op: 'hashed', batch: m.batch });
    // After the answer: the bytes are in the page cache, so the batch is refilled while the disk takes them.
    if (s && !s.error && s.unsynced >= SYNC_BYTES) {
      try { fdatasyncSync(s.fd); s.unsynced = 0; } catch (e) { fail(m.id, s, e); }
    }
  } else if (m.op === 'end') {
    const s = sessions.get(m.id);
    sessions.delete(m.id);
    if (!s) return;
    if (!s.error && s.fd >= 0) try { fdatasyncSync(s.fd); } catch (e) { fail(m.id, s, e); }
    close(s);
    if (!s.error) parentPort.postMessage({ id: m.id, op: 'digests', digests: Object.fromEntries(s.hashes.map((h) => [h[0], h[1].digest('hex')])) });
  } else if (m.op === 'abort') {
    const s = sessions.get(m.id);
    sessions.delete(m.id);
    // The caller removes the file too; here as well, since an open may still have been queued when it did.
    if (s) { close(s); if (s.path !== undefined) try { unlinkSync(s.path); } catch {} }
    parentPort.postMessage({ id: m.id, op: 'aborted' });
  }
});
`;

type Reply = { id: number; op: 'hashed'; batch: number } | { id: number; op: 'failed'; message: string } | { id: number; op: 'aborted' }
  | { id: number; op: 'digests'; digests: Partial<Digests> };

interface Session { onReply(r: Reply): void; onDeath(e: Error): void }

const workers: (Worker | undefined)[] = LANES.map(() => undefined);
const sessions = new Map<number, Session>();
let nextId = 1;

/** The lanes keep the process alive only while they hash something (a script awaiting a digest must not exit first). */
function open(id: number, s: Session): void {
  sessions.set(id, s);
  if (sessions.size === 1) for (const w of workers) w?.ref();
}
function close(id: number): boolean {
  const had = sessions.delete(id);
  if (had && sessions.size === 0) for (const w of workers) w?.unref();
  return had;
}

function laneWorker(lane: number): Worker {
  const running = workers[lane];
  if (running) return running;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (r: Reply) => sessions.get(r.id)?.onReply(r));
  const die = (e: Error): void => {
    if (workers[lane] !== w) return;
    workers[lane] = undefined;
    w.unref();
    const dead = [...sessions];
    sessions.clear();
    for (const w of workers) w?.unref();
    for (const [id, s] of dead) {
      // A session has a part on every lane (the writer's only with writeTo): the others drop theirs (and an open file).
      for (const other of workers) other?.postMessage({ id, op: 'abort' });
      s.onDeath(e);
    }
  };
  w.on('error', die);
  w.on('exit', (code) => die(new Error(`a hashing worker exited with code ${code}`)));
  // After the listeners: adding a 'message' listener refs the worker's port again, so an unref
  // before it left an idle lane holding the process open (`capdex serve` never exited on SIGTERM).
  if (sessions.size === 0) w.unref();
  workers[lane] = w;
  return w;
}

/**
 * Starts the lanes ahead of the first upload, which would otherwise wait for four threads to boot
 * (~0.1 s of CPU each; at load ~13 the first put of a 10-byte blob took ~1 s, the next ~0.01 s).
 * Idle lanes do not keep the process alive.
 */
export function startHashWorkers(): void {
  LANES.forEach((_, lane) => laneWorker(lane));
  // The pool's pages are faulted in now (a write to each), not while the first upload waits.
  while (batchPool.length < BATCH_POOL_MAX) {
    const memory = new SharedArrayBuffer(HASH_BATCH_BYTES);
    new Uint8Array(memory).fill(0);
    batchPool.push(memory);
  }
}

export interface HasherOptions<D extends DigestName = DigestName> {
  /** A file to create (exclusively) and write every byte to, on a worker; on the disk once `digest` resolves. */
  writeTo?: string;
  /**
   * The digests to compute (default all three): the lanes of the others are left out. An upload
   * asks for SHA-256 only (its identity), since on two cores MD5 and SHA-1 cost its receive
   * ~25 % of its speed; the analysis job computes them (capture-import.ts).
   */
  digests?: readonly D[];
}

export class ParallelHasher<D extends DigestName = DigestName> {
  private readonly id = nextId++;
  /** The lanes of this session (by index in LANES) and their workers. */
  private readonly laneIds: number[];
  private readonly lanes: Worker[];
  /** The batch being filled (a view of batchMemory). */
  private batch: Buffer | undefined;
  private batchMemory: SharedArrayBuffer | undefined;
  private batchLen = 0;
  /** Posted batches by number: their memory, length, and the lanes not done with them yet. */
  private readonly posted = new Map<number, { memory: SharedArrayBuffer; len: number; lanesLeft: number }>();
  private nextBatch = 0;
  private inFlight = 0;
  private readonly digests: Partial<Digests> = {};
  private lanesToFinish: number;
  private lanesToAbort: number;
  private failure: Error | undefined;
  private resume: { resolve(): void; reject(e: Error): void } | undefined;
  private finish: { resolve(d: Pick<Digests, D>): void; reject(e: Error): void } | undefined;
  private aborted: (() => void) | undefined;
  /** 'end' or 'abort' was posted: the lanes forget the session by themselves. */
  private ended = false;

  constructor(opts: HasherOptions<D> = {}) {
    const wanted: readonly DigestName[] = opts.digests ?? ALL_DIGESTS;
    this.laneIds = LANES.map((_, lane) => lane).filter((lane) =>
      lane === WRITING_LANE ? opts.writeTo !== undefined : LANES[lane].some((d) => wanted.includes(d)));
    if (this.laneIds.length === 0) throw new Error('a hasher needs a digest or a file to write');
    this.lanes = this.laneIds.map(laneWorker);
    this.lanesToFinish = this.lanesToAbort = this.lanes.length;
    open(this.id, {
      onReply: (r) => {
        if (r.op === 'hashed') {
          const b = this.posted.get(r.batch);
          if (!b || --b.lanesLeft > 0) return;
          this.posted.delete(r.batch);
          this.inFlight -= b.len;
          returnBatch(b.memory);
          if (this.resume && this.inFlight <= HASH_IN_FLIGHT_MAX_BYTES) { const w = this.resume; this.resume = undefined; w.resolve(); }
        } else if (r.op === 'failed') {
          // The writing lane keeps the failed session until told: abort() (or 'end', already posted) ends it.
          if (this.ended) close(this.id);
          this.fail(new Error(`writing the blob failed: ${r.message}`));
        } else if (r.op === 'aborted') {
          if (--this.lanesToAbort > 0) return;
          close(this.id);
          this.aborted?.();
        } else {
          Object.assign(this.digests, r.digests);
          if (--this.lanesToFinish > 0) return;
          close(this.id);
          this.finish?.resolve(this.digests as Pick<Digests, D>);
        }
      },
      onDeath: (e) => { this.fail(e); this.aborted?.(); },
    });
    this.laneIds.forEach((lane, i) => {
      this.lanes[i].postMessage({ id: this.id, op: 'open', algs: LANES[lane], path: lane === WRITING_LANE ? opts.writeTo : undefined });
    });
  }

  /** Adds bytes; a promise when the caller should wait before adding more (a lane is behind). */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    let off = 0;
    while (off < chunk.length) {
      if (this.batch === undefined) {
        this.batchMemory = takeBatch();
        this.batch = Buffer.from(this.batchMemory);
      }
      const batch = this.batch;
      const n = Math.min(chunk.length - off, HASH_BATCH_BYTES - this.batchLen);
      // fill with a value exactly as long as the range is one native memcpy; set() into shared
      // memory is V8's relaxed-atomic copy, ~7x slower (6.8 vs 1.0 µs per 64 KiB; 16 % of the
      // event loop's samples in a 52 MB upload).
      batch.fill(chunk.subarray(off, off + n), this.batchLen, this.batchLen + n);
      this.batchLen += n;
      off += n;
      if (this.batchLen === HASH_BATCH_BYTES) this.post();
    }
    if (this.inFlight <= HASH_IN_FLIGHT_MAX_BYTES) return undefined;
    return new Promise((resolve, reject) => { this.resume = { resolve, reject }; });
  }

  /** The digests of everything added (and, with `writeTo`, once the file is written and closed). */
  digest(): Promise<Pick<Digests, D>> {
    if (this.failure) return Promise.reject(this.failure);
    this.ended = true;
    if (this.batchLen > 0) this.post();
    return new Promise((resolve, reject) => {
      this.finish = { resolve, reject };
      for (const w of this.lanes) w.postMessage({ id: this.id, op: 'end' });
    });
  }

  /**
   * Forgets the session (the upload failed) and removes its file; safe to call at any time. Resolves
   * once every lane has (the writing lane's queued open may create the file after the caller removed it).
   */
  abort(): Promise<void> {
    // The batch being filled was never posted: no lane reads it.
    if (this.batchMemory) returnBatch(this.batchMemory);
    this.batch = this.batchMemory = undefined;
    this.batchLen = 0;
    // Ended, or a lane died (which forgot every session): nothing to tell them.
    if (this.ended || !sessions.has(this.id)) return Promise.resolve();
    this.ended = true;
    return new Promise((resolve) => {
      this.aborted = resolve;
      for (const w of this.lanes) w.postMessage({ id: this.id, op: 'abort' });
    });
  }

  private post(): void {
    const batch = this.nextBatch++;
    const memory = this.batchMemory!;
    this.posted.set(batch, { memory, len: this.batchLen, lanesLeft: this.lanes.length });
    // Shared memory: every lane reads the same bytes, none is copied.
    for (const w of this.lanes) w.postMessage({ id: this.id, op: 'data', buf: memory, len: this.batchLen, batch });
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
