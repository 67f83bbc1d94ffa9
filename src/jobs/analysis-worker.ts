/**
 * Worker-thread entry: analyses capture blobs into the store (Store.importCapture: all or
 * nothing), one task at a time, and posts progress to the main thread at most every
 * PROGRESS_INTERVAL_MS. The capture meets the same detection as under `capdex analyze`: the
 * bundled rules and the operator's rule files (task.analysis), parsed while the worker waits for
 * its task. After a job that went well the worker says whether it can take another (runner.ts
 * keeps it warm): not past JOBS_PER_WORKER_MAX jobs, nor with more than REUSE_HEAP_SHARE_MAX of its
 * heap limit in use. Nothing of one job reaches the next: every job has its own engine, store
 * connection and freshly parsed rules (rules hold state, e.g. `dataset:set`).
 *
 * Test hook: when the environment variable CAPDEX_TEST_WORKER_CRASH equals the job's capture
 * name, the worker exits at once with code 70 — a crashed worker as the runner sees it (tests use
 * it to check that such a job fails alone). Nothing else reads it.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { analyseIntoStore } from '../cli/capture-import.js';
import { NotACaptureError } from '../engine/capture/source.js';
import { openStore } from '../store/store.js';
import type { JobProgress } from './jobs.js';
import { extractionFor } from './extracted-files.js';
import { PreviewTap } from './preview.js';
import { type AnalysisTask, DEFAULT_ANALYSIS, type AnalysisConfig, type WorkerMessage } from './worker-protocol.js';
import { loadRuleset } from '../engine/detect/ruleset.js';
import type { Rule } from '../engine/detect/rules/rule.js';
import { loadIntelFiles } from '../cli/intel-files.js';
import type { HeuristicOptions } from '../engine/detect/heuristics/index.js';

const PROGRESS_INTERVAL_MS = 250;
/** Jobs a worker runs before it retires: a fresh isolate now and then bounds whatever a long life gathers. */
const JOBS_PER_WORKER_MAX = 100;
/** Share of the heap limit in use after a job above which the worker retires instead of taking another. */
const REUSE_HEAP_SHARE_MAX = 0.25;

/** Rules parsed ahead for the next job, with the configuration they were parsed for (JSON of it). */
let ahead: { key: string; rules: readonly Rule[] } | undefined;
let jobsRun = 0;

const analysisKey = (d: AnalysisConfig): string => JSON.stringify([d.bundledRules, d.ruleFiles]);

function parseRules(d: AnalysisConfig): readonly Rule[] {
  try {
    return loadRuleset(d.ruleFiles, { bundled: d.bundledRules }).rules; // bad rules skipped: `capdex serve` reported them at start
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`cannot read rules file ${err.path ?? ''}: ${err.code ?? err.message}`);
  }
}

/** This job's rules: the ones parsed ahead when they are for its configuration (used once), else parsed now. */
function takeRules(d: AnalysisConfig): readonly Rule[] {
  const parsed = ahead?.key === analysisKey(d) ? ahead.rules : parseRules(d);
  ahead = undefined;
  return parsed;
}

/** The heuristics' settings with the job's intel files, read afresh for each job (`capdex serve` reported bad lines at start). */
function withIntel(d: AnalysisConfig): HeuristicOptions | undefined {
  return d.intelFiles?.length ? { config: { intel: loadIntelFiles(d.intelFiles, () => {}) } } : undefined;
}

/** Parses the next job's rules while the worker waits for it (the last job's configuration is the best guess). */
function parseAhead(d: AnalysisConfig): void {
  try { ahead = { key: analysisKey(d), rules: parseRules(d) }; } catch { /* the job reports it */ }
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
    const config = task.analysis ?? DEFAULT_ANALYSIS;
    const rules = takeRules(config);
    const { result, alerts } = await analyseIntoStore(preview.tapStore(store), task.capturePath, task.digest, {
      name: task.name, submitter: task.submitter, visibility: task.visibility,
      engine: { rules, extractDir: extraction?.extractDir, ...(config.localNets && { localNets: config.localNets }) },
      heuristics: withIntel(config),
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
  // After the store is closed: the runner stops the worker, or keeps it for another job, as soon as it hears the outcome.
  jobsRun++;
  if (outcome.type === 'done') {
    const heap = getHeapStatistics();
    outcome.reusable = jobsRun < JOBS_PER_WORKER_MAX && heap.used_heap_size < REUSE_HEAP_SHARE_MAX * heap.heap_size_limit;
  }
  post(outcome);
  if (outcome.type === 'done' && outcome.reusable) parseAhead(task.analysis ?? DEFAULT_ANALYSIS);
}

// Tasks come one at a time: the first as workerData (a worker started for its job) or as a
// message (one started ahead, runner.ts: modules loaded, default rules parsed while it waits),
// the next ones as messages once the runner has kept the worker.
parentPort!.on('message', (task: AnalysisTask) => void run(task));
if (workerData) void run(workerData as AnalysisTask);
else parseAhead(DEFAULT_ANALYSIS);
