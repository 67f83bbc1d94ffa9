/**
 * `capdex rules check FILE...`: loads rule files as `analyze --rules` would and reports what the
 * user gets from them: each error as file:line:col: reason, the counts of rules loaded, failed
 * and disabled, and the keywords we do not support with how many rules use each.
 * Exit status 1 when any rule has an error (unsupported keywords alone are not errors).
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseRules } from '../../engine/detect/rules/parser.js';
import { parseClassificationConfig, type Classification } from '../../engine/detect/rules/classification.js';

interface CheckFlags {
  var: string[];
  classification?: string;
}

export interface CheckReport {
  readonly lines: string[];
  readonly exitCode: number;
}

/** The report as lines (testable without a process). */
export function checkRules(files: readonly string[], flags: CheckFlags): CheckReport {
  const lines: string[] = [];
  let failed = 0;
  let loaded = 0;
  let disabled = 0;
  const unsupported = new Map<string, number>();
  const vars: Record<string, string> = {};
  for (const v of flags.var) {
    const at = v.indexOf('=');
    if (at <= 0) {
      lines.push(`--var ${v}: expected NAME=VALUE`);
      return { lines, exitCode: 1 };
    }
    vars[v.slice(0, at).replace(/^\$/, '')] = v.slice(at + 1);
  }
  let classifications: ReadonlyMap<string, Classification> | undefined;
  if (flags.classification) {
    try {
      const c = parseClassificationConfig(readFileSync(flags.classification, 'utf8'));
      for (const e of c.errors) lines.push(`${flags.classification}:${e.line}:1: ${e.reason}`);
      failed += c.errors.length;
      classifications = c.classes;
    } catch (err) {
      lines.push(`${flags.classification}: ${(err as Error).message}`);
      return { lines, exitCode: 1 };
    }
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      lines.push(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      failed++;
      continue;
    }
    const r = parseRules(text, { file, vars, classifications });
    for (const e of r.errors) lines.push(`${e.file}:${e.line}:${e.column}: ${e.reason}`);
    failed += r.errors.length;
    loaded += r.rules.length;
    disabled += r.disabled;
    for (const [k, n] of r.unsupported) unsupported.set(k, (unsupported.get(k) ?? 0) + n);
  }
  const skipped = [...unsupported.values()].reduce((a, b) => a + b, 0);
  lines.push(`${loaded} rules loaded, ${failed} failed, ${disabled} disabled`);
  if (unsupported.size > 0) {
    lines.push(`unsupported keywords (rules not loaded because of them):`);
    for (const [k, n] of [...unsupported].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`  ${k}: ${n}`);
    lines.push(`${skipped} keyword uses in unloaded rules`);
  }
  return { lines, exitCode: failed > 0 ? 1 : 0 };
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('work with Suricata-syntax rule files');
  rules
    .command('check')
    .description('load rule files and report errors, counts and unsupported keywords (exit 1 on any error)')
    .argument('<files...>', 'rule files')
    .option('--var <name=value>', 'set a rule variable, e.g. HOME_NET=[10.0.0.0/8] (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--classification <file>', 'a classification.config adding to the default classtypes')
    .action((files: string[], flags: CheckFlags) => {
      const report = checkRules(files, flags);
      process.stdout.write(report.lines.join('\n') + '\n');
      process.exitCode = report.exitCode;
    });
}
