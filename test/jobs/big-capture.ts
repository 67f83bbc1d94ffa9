/**
 * A capture big enough that its analysis is still running while a test looks at it (partial
 * results, kill -9 mid-job): bench/build-capture.ts's time-shifted copies of the shared captures,
 * every packet valid, built into the test's own temp dir (~0.5 s for 16 MB).
 */
import { join } from 'node:path';
import { buildBenchCapture } from '../../bench/build-capture.js';

export const BIG_CAPTURE_MB = 16;

/** Builds the capture in `dir`; returns its path and size. */
export function bigCapture(dir: string, sizeMb = BIG_CAPTURE_MB): { path: string; bytes: number } {
  const info = buildBenchCapture({ sizeMb, out: join(dir, `big-${sizeMb}m.pcap`), log: () => {} });
  return { path: info.path, bytes: info.bytes };
}
