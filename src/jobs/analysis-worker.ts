/**
 * Worker-thread entry: analyses one capture blob into the store (Store.importCapture: all or
 * nothing) and posts progress to the main thread at most every PROGRESS_INTERVAL_MS.
 *
 * Test hook: when the environment variable CAPDEX_TEST_WORKER_CRASH equals the job's capture
 * name, the worker exits at once with code 70 — a crashed worker as the runner sees it (tests use
 * it to check that such a job fails alone). Nothing else reads it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyseIntoStore } from '../cli/capture-import.js';
import { NotACaptureError } from '../engine/capture/source.js';
import { openStore } from '../store/store.js';
import type { JobProgress } from './jobs.js';
import { extractionFor } from './extracted-files.js';
import { PreviewTap } from './preview.js';
import type { AnalysisTask, WorkerMessage } from './worker-protocol.js';

const PROGRESS_INTERVAL_MS = 250;

async function run(task: AnalysisTask): Promise<void> {
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  if (process.env.CAPDEX_TEST_WORKER_CRASH && process.env.CAPDEX_TEST_WORKER_CRASH === task.name) process.exit(70);
  const progress: JobProgress = { stage: 'reading', bytesDone: 0, totalBytes: task.digest.size, packets: 0, records: 0, alerts: 0 };
  post({ type: 'progress', progress: { ...progress } });
  const preview = new PreviewTap((records) => post({ type: 'preview', records }));
  const store = await openStore(task.store);
  let last = 0;
  let outcome: WorkerMessage;
  const extraction = await extractionFor(task.capturePath).catch(() => undefined);
  try {
    const { result } = await analyseIntoStore(preview.tapStore(store), task.capturePath, task.digest, {
      name: task.name, submitter: task.submitter, visibility: task.visibility,
      engine: extraction && { extractDir: extraction.extractDir },
      afterAnalysis: extraction && ((sink, stats) => extraction.keep(sink, stats.packets > 0 ? stats.lastTs : undefined)),
      onProgress: (p, stats, records) => {
        progress.stage = 'analysing';
        progress.bytesDone = p.bytesRead;
        progress.packets = stats.packets;
        progress.alerts = stats.alerts;
        progress.records = records;
        const now = Date.now();
        if (now - last >= PROGRESS_INTERVAL_MS) { last = now; preview.drain(); post({ type: 'progress', progress: { ...progress } }); }
      },
    });
    await store.intel.refresh(result.captureId).catch(() => 0); // similar/suggestions signature; routes compute it if missing
    outcome = { type: 'done', progress: { ...progress, stage: 'done', bytesDone: task.digest.size, records: result.records } };
  } catch (e) {
    outcome = { type: 'failed', error: e instanceof NotACaptureError ? e.message : `analysis failed: ${(e as Error)?.message ?? String(e)}` };
  } finally {
    await extraction?.cleanup();
    await store.close();
  }
  // After the store is closed: the runner terminates the worker as soon as it hears the outcome.
  post(outcome);
}

// Started ahead of its job (runner.ts keeps one warm, modules loaded): the task is the first message.
if (workerData) void run(workerData as AnalysisTask);
else parentPort!.once('message', (task: AnalysisTask) => void run(task));
