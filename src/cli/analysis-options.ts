/**
 * The options every command that analyses captures takes, so a capture analysed by `capdex
 * analyze`, `import`, `serve` or `worker` gets the same logs, alerts and notices: `--local-nets`,
 * `--intel FILE`, `--rules FILE` (both repeatable) and `--no-default-rules`.
 */
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { NetworkSet } from '../engine/support/networks.js';
import type { AnalysisConfig } from '../jobs/worker-protocol.js';
import { loadIntelFiles } from './intel-files.js';
import { loadCliRules } from './rule-files.js';

export interface AnalysisFlags {
  localNets?: string;
  intel: string[];
  rules: string[];
  defaultRules: boolean;
}

function parseNets(v: string): string {
  try {
    new NetworkSet(v.split(','));
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return v;
}

const repeatable = (v: string, acc: string[]): string[] => [...acc, v];

export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option('--local-nets <cidrs>', 'comma-separated local networks (fills local_orig/local_resp)', parseNets)
    .option('--intel <file>', 'indicators in Zeek intel format (repeatable); hits become Capdex::Intel_Match notices', repeatable, [] as string[])
    .option('--rules <file>', 'detection rules in Suricata syntax (repeatable); alerts go to eve.json / the alert log', repeatable, [] as string[])
    .option('--no-default-rules', 'do not run the bundled rules (rules/capdex.rules)');
}

export const localNetsOf = (flags: AnalysisFlags): string[] | undefined => flags.localNets?.split(',');

/**
 * The service's settings (`capdex serve` / `capdex worker`): rule and intel files checked once here,
 * so a bad line is reported at start (and an unreadable file stops it), then named by absolute path
 * for the analysis workers, which read them afresh for each job.
 */
export function serviceAnalysis(flags: AnalysisFlags, warn: (line: string) => void): AnalysisConfig {
  loadCliRules(flags.rules, flags.defaultRules, warn);
  loadIntelFiles(flags.intel, warn);
  return {
    bundledRules: flags.defaultRules,
    ruleFiles: flags.rules.map((f) => resolve(f)),
    intelFiles: flags.intel.map((f) => resolve(f)),
    localNets: localNetsOf(flags),
  };
}
