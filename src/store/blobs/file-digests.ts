/**
 * Digests of a file computed on a thread of their own: the analysis job's MD5 and SHA-1 of its
 * capture (an upload computes SHA-256 only, the capture's identity), taken on the other core while
 * the job analyses, so they cost it no time (~100 ms of CPU per 50 MB here, MD5 at ~700 MB/s).
 */
import { Worker } from 'node:worker_threads';

export type FileDigestName = 'md5' | 'sha1' | 'sha256';

/** Plain CommonJS (eval), so it runs the same from sources under tsx and from dist/. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hashes = workerData.algs.map((a) => [a, createHash(a)]);
const buf = Buffer.allocUnsafe(1 << 20);
const fd = openSync(workerData.path, 'r');
try {
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) for (const h of hashes) h[1].update(buf.subarray(0, n));
} finally { closeSync(fd); }
parentPort.postMessage(Object.fromEntries(hashes.map((h) => [h[0], h[1].digest('hex')])));
`;

/** The named hex digests of the file at `path`; rejects with the reason when it cannot be read. */
export function hashFileOffThread<D extends FileDigestName>(path: string, algs: readonly D[]): Promise<Record<D, string>> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, algs } });
    w.once('message', (d: Record<D, string>) => { answered = true; resolve(d); });
    w.once('error', (e) => { answered = true; reject(e); });
    w.once('exit', (code) => { if (!answered) reject(new Error(`the hashing thread exited with code ${code}`)); });
  });
}
