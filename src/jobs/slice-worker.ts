/**
 * Worker-thread entry of a per-flow slice (slice.ts): reads the capture, writes the connection's
 * packets to a new file, posts the result (or the reason it failed) and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { sliceFlow } from '../engine/capture/slice.js';
import type { SliceMessage, SliceTask } from './slice.js';

async function run(t: SliceTask): Promise<void> {
  const post = (m: SliceMessage): void => parentPort!.postMessage(m);
  let fd: number | undefined;
  try {
    fd = openSync(t.out, 'wx');
    const file = fd;
    const result = await sliceFlow(t.input, t.sel, (chunk) => { writeSync(file, chunk); });
    closeSync(file);
    fd = undefined;
    post({ type: 'done', result });
  } catch (e) {
    // Only a file this worker created is removed (never one that was there: 'wx' refused it).
    if (fd !== undefined) { closeSync(fd); unlinkSync(t.out); }
    post({ type: 'failed', error: (e as Error)?.message ?? String(e) });
  }
}

void run(workerData as SliceTask);
