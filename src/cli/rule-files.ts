/** `--rules FILE` / `--no-default-rules`: loads the detection rules `capdex analyze` runs (analysis-options.ts: the other commands). */
import type { Rule } from '../engine/detect/rules/rule.js';
import { loadRuleset } from '../engine/detect/ruleset.js';

/** Rule errors shown before the rest are only counted (`capdex rules check` lists them all). */
const MAX_ERRORS_SHOWN = 20;

/**
 * The bundled rules (unless `bundled` is false) and the user's files. A bad rule is reported on
 * stderr (file:line:col: reason) and skipped, as are rules using keywords we do not support
 * (counted per keyword); an unreadable file is an error (thrown with a plain message).
 */
export function loadCliRules(paths: readonly string[], bundled: boolean, warn: (line: string) => void): Rule[] {
  let set;
  try {
    set = loadRuleset(paths, { bundled });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`cannot read rules file ${err.path ?? ''}: ${err.code ?? err.message}`);
  }
  for (const er of set.errors.slice(0, MAX_ERRORS_SHOWN)) warn(`${er.file}:${er.line}:${er.column}: ${er.reason} (rule skipped)`);
  if (set.errors.length > MAX_ERRORS_SHOWN) warn(`... and ${set.errors.length - MAX_ERRORS_SHOWN} more rule errors (capdex rules check FILE lists them)`);
  if (set.unsupported.size > 0) {
    const list = [...set.unsupported].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} (${n})`).join(', ');
    warn(`rules skipped for keywords not supported yet: ${list}`);
  }
  return set.rules;
}
