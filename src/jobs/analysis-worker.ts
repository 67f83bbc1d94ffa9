/**
 * Worker-thread entry: analyses one capture blob into the store (Store.importCapture: all or
 * nothing) and posts progress to the main thread at most every PROGRESS_INTERVAL_MS. The capture
 * meets the same detection as under `capdex analyze`: the bundled rules (parsed while a worker
 * started ahead waits for its task) and the operator's rule files (task.detection).
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
import { type AnalysisTask, DEFAULT_DETECTION, type DetectionConfig, type WorkerMessage } from './worker-protocol.js';
import { loadRuleset } from '../engine/detect/ruleset.js';
import type { Rule } from '../engine/detect/rules/rule.js';

const PROGRESS_INTERVAL_MS = 250;

/** Parsed rules by configuration (JSON of it). Bad rules are skipped, as `capdex serve` reported at start. */
const rulesets = new Map<string, readonly Rule[]>();

/** The rules of a configuration; throws a plain message when a rule file cannot be read. */
function rulesFor(d: DetectionConfig): readonly Rule[] {
  const key = JSON.stringify([d.bundledRules, d.ruleFiles]);
  let rules = rulesets.get(key);
  if (rules === undefined) {
    try {
      rules = loadRuleset(d.ruleFiles, { bundled: d.bundledRules }).rules;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`cannot read rules file ${err.path ?? ''}: ${err.code ?? err.message}`);
    }
    rulesets.set(key, rules);
  }
  return rules;
}

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
    const rules = rulesFor(task.detection ?? DEFAULT_DETECTION);
    const { result, alerts } = await analyseIntoStore(preview.tapStore(store), task.capturePath, task.digest, {
      name: task.name, submitter: task.submitter, visibility: task.visibility,
      engine: { rules, extractDir: extraction?.extractDir },
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
    outcome = { type: 'done', progress: { ...progress, stage: 'done', bytesDone: task.digest.size, records: result.records, alerts } };
  } catch (e) {
    outcome = { type: 'failed', error: e instanceof NotACaptureError ? e.message : `analysis failed: ${(e as Error)?.message ?? String(e)}` };
  } finally {
    await extraction?.cleanup();
    await store.close();
  }
  // After the store is closed: the runner terminates the worker as soon as it hears the outcome.
  post(outcome);
}

// Started ahead of its job (runner.ts keeps one warm, modules loaded): the task is the first
// message, and the default rules are parsed while it waits (a job with other rules parses its own).
if (workerData) void run(workerData as AnalysisTask);
else {
  parentPort!.once('message', (task: AnalysisTask) => void run(task));
  try { rulesFor(DEFAULT_DETECTION); } catch { /* the job reports it */ }
}
