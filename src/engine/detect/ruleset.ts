/**
 * Loading a ruleset: the bundled rules (rules/capdex.rules at the repository root, shipped with
 * the package) and the user's rule files, parsed with rules/parser.ts. A bad rule never stops the
 * others: errors and unsupported keywords are collected with their file and line. A gid:sid seen
 * twice keeps its first rule (Suricata refuses the duplicate the same way).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRules } from './rules/parser.js';
import type { Rule, RuleError } from './rules/rule.js';

/** The bundled ruleset: three levels up from src/engine/detect/ (and dist/engine/detect/). */
export const BUNDLED_RULES_FILE = fileURLToPath(new URL('../../../rules/capdex.rules', import.meta.url));

export interface LoadedRuleset {
  rules: Rule[];
  errors: RuleError[];
  /** Rules not loaded because of keywords we do not implement, per keyword. */
  unsupported: Map<string, number>;
  /** Commented-out rules. */
  disabled: number;
  /** Files read, in order. */
  files: string[];
}

export interface RulesetOptions {
  /** Load rules/capdex.rules first (default true). */
  bundled?: boolean;
  /** Address/port variables overriding Suricata's defaults (HOME_NET, HTTP_PORTS, ...). */
  vars?: Readonly<Record<string, string>>;
}

/** Reads and parses rule files; a file that cannot be read throws (a configuration error). */
export function loadRuleset(files: readonly string[], opts: RulesetOptions = {}): LoadedRuleset {
  const all = opts.bundled === false ? [...files] : [BUNDLED_RULES_FILE, ...files];
  const out: LoadedRuleset = { rules: [], errors: [], unsupported: new Map(), disabled: 0, files: all };
  const seen = new Set<string>();
  for (const file of all) {
    const r = parseRules(readFileSync(file, 'utf8'), { file, vars: opts.vars });
    for (const rule of r.rules) {
      const key = `${rule.gid}:${rule.sid}`;
      if (seen.has(key)) {
        out.errors.push({ file: rule.file, line: rule.line, column: 1, reason: `duplicate signature ${key}: the first rule with it is kept` });
        continue;
      }
      seen.add(key);
      out.rules.push(rule);
    }
    out.errors.push(...r.errors);
    for (const [k, n] of r.unsupported) out.unsupported.set(k, (out.unsupported.get(k) ?? 0) + n);
    out.disabled += r.disabled;
  }
  return out;
}
