/** `--rules FILE` / `--no-default-rules`: loads the detection rules `capdex analyze` (and `import`, `serve`, `worker`) run. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Rule } from '../engine/detect/rules/rule.js';
import { loadRuleset } from '../engine/detect/ruleset.js';
import type { DetectionConfig } from '../jobs/worker-protocol.js';

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

/** The two rule options every command that analyses takes (flags: `rules: string[]`, `defaultRules: boolean`). */
export function addRuleOptions(cmd: Command): Command {
  return cmd
    .option('--rules <file>', 'detection rules in Suricata syntax (repeatable); alerts go to eve.json / the alert log', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-default-rules', 'do not run the bundled rules (rules/capdex.rules)');
}

/**
 * The service's rules (`capdex serve` / `capdex worker`): checked once here, so a bad rule is
 * reported at start (and an unreadable file stops it), then named by absolute path for the
 * analysis workers, which parse them themselves.
 */
export function serviceDetection(files: readonly string[], bundled: boolean, warn: (line: string) => void): DetectionConfig {
  loadCliRules(files, bundled, warn);
  return { bundledRules: bundled, ruleFiles: files.map((f) => resolve(f)) };
}
