/**
 * Per-flow slices (GET /api/captures/{id}/pcap?uid=) off the event loop: each slice reads its
 * capture in a worker thread of its own (slice-worker.ts), which writes the connection's packets
 * to a file the caller then streams. Reading a 2 GB capture takes seconds of CPU: on the API's
 * event loop that would stall every other request for as long.
 *
 * Bounded: at most SLICES_RUNNING_MAX workers at once (later slices wait their turn), each with a
 * heap limit and a time limit after which it is stopped and the slice fails.
 */
import { unlink } from 'node:fs/promises';
import type { FlowSelector, SliceResult } from '../engine/capture/slice.js';
import { spawnJobWorker } from './spawn-worker.js';

/** Slices running at once (each a worker reading a capture: a core and some memory). */
export const SLICES_RUNNING_MAX = 4;
/** V8 heap of a slice worker: the reader keeps one window of the capture, the writer streams. */
export const SLICE_WORKER_HEAP_MB = 256;
/** A slice still running after this is stopped (a 2 GB capture reads in well under a minute). */
export const SLICE_TIMEOUT_MS = 10 * 60_000;

export interface SliceTask { input: string; sel: FlowSelector; out: string }
export type SliceMessage = { type: 'done'; result: SliceResult } | { type: 'failed'; error: string };

let running = 0;
const waiting: (() => void)[] = [];

async function turn(): Promise<void> {
  if (running < SLICES_RUNNING_MAX) { running++; return; }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function done(): void {
  const next = waiting.shift();
  if (next) next(); // the slot passes straight on
  else running--;
}

export class SliceError extends Error {}
/** A failure the worker reported (it removed its own file, if it made one). */
class ReportedError extends SliceError {}

/**
 * Slices the connection `sel` out of the capture file `input` into `out`, a new path (created
 * exclusively; removed again when the slice fails). Rejects with SliceError on failure.
 */
export async function sliceInWorker(input: string, sel: FlowSelector, out: string, timeoutMs = SLICE_TIMEOUT_MS): Promise<SliceResult> {
  await turn();
  try {
    return await new Promise<SliceResult>((resolve, reject) => {
      const w = spawnJobWorker('slice-worker', { workerData: { input, sel, out } satisfies SliceTask, resourceLimits: { maxOldGenerationSizeMb: SLICE_WORKER_HEAP_MB } });
      let settled = false;
      // Settled once the worker is gone: a stopped worker cannot create its file after the caller removed it.
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void w.terminate().then(fn, fn);
      };
      const timer = setTimeout(() => settle(() => reject(new SliceError(`the slice took more than ${timeoutMs / 1000} s`))), timeoutMs);
      w.on('message', (m: SliceMessage) => settle(() => (m.type === 'done' ? resolve(m.result) : reject(new ReportedError(m.error)))));
      w.on('error', (e) => settle(() => reject(new SliceError(e.message))));
      w.on('exit', (code) => settle(() => reject(new SliceError(`the slice worker exited with code ${code}`))));
    });
  } catch (e) {
    // Stopped or crashed mid-slice: the worker could not remove its file itself.
    if (!(e instanceof ReportedError)) await unlink(out).catch(() => undefined);
    throw e;
  } finally {
    done();
  }
}
