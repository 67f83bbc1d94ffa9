/**
 * Worker-thread entry of a retro-hunt (retro-hunt.ts): runs one ruleset over stored captures'
 * files, one after another, with detection only (no heuristics), and posts per capture the alerts
 * by signature. A capture that fails to read is reported with its reason; the hunt goes on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyze } from '../engine/pipeline.js';
import { parseRules } from '../engine/detect/rules/parser.js';
import type { HuntMessage, HuntTask, HuntAlert } from './retro-hunt.js';

/** Distinct signatures reported per capture (a noisy rule cannot grow a message without bound). */
const SIGNATURES_PER_CAPTURE_MAX = 200;

async function run(task: HuntTask): Promise<void> {
  const post = (m: HuntMessage): void => parentPort!.postMessage(m);
  const { rules } = parseRules(task.rules, { readListFile: (n) => task.lists[n] ?? '' });
  for (const c of task.captures) {
    const bySid = new Map<number, HuntAlert>();
    try {
      await analyze(c.path, {
        write(schema, rec) {
          if (schema.path !== 'eve') return;
          const a = rec.alert as { signature_id?: unknown; signature?: unknown } | undefined;
          const sid = Number(a?.signature_id);
          const hit = bySid.get(sid);
          if (hit) hit.count++;
          else if (bySid.size < SIGNATURES_PER_CAPTURE_MAX) bySid.set(sid, { sid, msg: String(a?.signature ?? ''), count: 1 });
        },
      }, { engine: { rules }, heuristics: false });
      post({ type: 'capture', captureId: c.id, alerts: [...bySid.values()].sort((x, y) => y.count - x.count || x.sid - y.sid) });
    } catch (e) {
      post({ type: 'capture', captureId: c.id, alerts: [], error: (e as Error)?.message ?? String(e) });
    }
  }
  post({ type: 'done' });
}

void run(workerData as HuntTask);
