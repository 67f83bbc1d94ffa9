/** `--intel FILE`: reads indicator lists (Zeek intel format) for the intel heuristic. */
import { readFileSync } from 'node:fs';
import { IntelSet } from '../engine/detect/heuristics/intel-set.js';

/** Problems shown per file before the rest are only counted. */
const MAX_PROBLEMS_SHOWN = 20;

/**
 * Loads every file into one set. A bad line is reported on stderr (file:line: reason) and
 * skipped; an unreadable file is an error (thrown with a plain message).
 */
export function loadIntelFiles(paths: readonly string[], warn: (line: string) => void): IntelSet {
  const intel = new IntelSet();
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (e) {
      throw new Error(`cannot read intel file ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    intel.load(text, p);
  }
  const shown = intel.problems.slice(0, MAX_PROBLEMS_SHOWN);
  for (const pr of shown) warn(`${pr.file}:${pr.line}: ${pr.reason} (line skipped)`);
  if (intel.problems.length > shown.length) warn(`... and ${intel.problems.length - shown.length} more intel lines skipped`);
  return intel;
}
