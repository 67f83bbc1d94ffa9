/**
 * Worker-thread entry of a YARA retro-hunt (retro-hunt.ts): compiles the rules once, says so
 * (`ready`, or `rules-error` with the compiler's line), then scans the kept files of each capture
 * the main thread sends (`scan`), one after another, and answers per capture the files that
 * matched. Only the first LIMITS.yaraScanBytes of a file are read (as `capdex analyze --yara`
 * does): YARA-X's binding has no per-scan timeout, so the bytes scanned are the bound. A file that
 * cannot be read or scanned counts as an error of its capture; the hunt goes on.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { compileYaraText, YaraCompileError, type YaraRuleSet } from '../engine/detect/yara/yara-rules.js';
import { ruleName } from '../engine/detect/yara/yara-scanner.js';
import { LIMITS } from '../engine/support/limits.js';
import type { HuntTask, YaraHuntReply, YaraHuntRequest, YaraFileResult } from './retro-hunt.js';

/** Errors named per capture (one unreadable file is enough to say what went wrong). */
const ERRORS_NAMED_PER_CAPTURE = 3;

/** The first `buf.length` bytes of a file, read into `buf` (one buffer for the whole hunt). */
function readPrefix(path: string, buf: Buffer): Buffer {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function scanCapture(rules: YaraRuleSet, files: { sha256: string; path: string }[], buf: Buffer): { files: YaraFileResult[]; error?: string } {
  const out: YaraFileResult[] = [];
  const errors: string[] = [];
  for (const f of files) {
    try {
      const found = rules.scan(readPrefix(f.path, buf));
      if (found.length === 0) continue;
      const seen = new Set<string>();
      const matched: YaraFileResult['rules'] = [];
      for (const m of found) {
        const name = ruleName(m);
        if (seen.has(name)) continue;
        seen.add(name);
        matched.push({ rule: name, tags: [...m.tags] });
      }
      out.push({ sha256: f.sha256, rules: matched });
    } catch (e) {
      errors.push(`${f.sha256.slice(0, 16)}: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  if (errors.length === 0) return { files: out };
  const more = errors.length > ERRORS_NAMED_PER_CAPTURE ? ` (and ${errors.length - ERRORS_NAMED_PER_CAPTURE} more)` : '';
  return { files: out, error: `${errors.length} of ${files.length} files not scanned: ${errors.slice(0, ERRORS_NAMED_PER_CAPTURE).join('; ')}${more}` };
}

async function run(task: HuntTask): Promise<void> {
  const post = (m: YaraHuntReply): void => parentPort!.postMessage(m);
  let rules: YaraRuleSet;
  try {
    rules = await compileYaraText(task.rules);
  } catch (e) {
    const c = e instanceof YaraCompileError ? e : undefined;
    post({ type: 'rules-error', message: (e as Error)?.message ?? String(e), line: c?.line, column: c?.column });
    return;
  }
  const buf = Buffer.allocUnsafe(LIMITS.yaraScanBytes);
  parentPort!.on('message', (m: YaraHuntRequest) => {
    if (m.type === 'end') { post({ type: 'done' }); return; }
    const r = scanCapture(rules, m.files, buf);
    const error = [m.note, r.error].filter((x) => x !== undefined).join('; ');
    post({ type: 'capture', captureId: m.captureId, alerts: [], yaraFiles: r.files, error: error === '' ? undefined : error });
  });
  post({ type: 'ready' });
}

void run(workerData as HuntTask);
