/** `capdex analyze <capture> --out DIR [--format json|tsv]` */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { analyze, DEFAULT_ENGINE_OPTIONS } from '../../engine/pipeline.js';
import { NotACaptureError } from '../../engine/capture/source.js';
import { FileSink, type LogFormat } from '../../engine/logs/file-sink.js';
import { CONN_LOG } from '../../engine/logs/conn-log.js';
import { WEIRD_LOG } from '../../engine/logs/weird-log.js';
import { TUNNEL_LOG } from '../../engine/logs/tunnel-log.js';
import { Progress } from '../progress.js';
import { formatSummary } from '../summary.js';
import { loadCliRules } from '../rule-files.js';
import { addAnalysisOptions, type AnalysisFlags, localNetsOf } from '../analysis-options.js';
import { EVE_LOG } from '../../engine/detect/eve-log.js';
import type { ChecksumMode } from '../../engine/decode/settings.js';
import { ANALYZERS, analyzersShowingCredentials } from '../../engine/analyzers/index.js';
import type { AnalyzerDescriptor } from '../../engine/analyzers/analyzer.js';
import { loadIntelFiles } from '../intel-files.js';
import { loadYaraRules } from '../../engine/detect/yara/yara-rules.js';
import { YaraFileScanner } from '../../engine/detect/yara/yara-scanner.js';

interface AnalyzeFlags extends AnalysisFlags {
  out: string;
  format: LogFormat;
  progress: boolean;
  checksums: ChecksumMode;
  extractFiles?: string;
  analyzers: string;
  showCredentials?: boolean;
  quiet?: boolean;
  heuristics: boolean;
  yara: string[];
}

/** One plain sentence for a file-system error (no Node stack, no errno jargon). */
function fsReason(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory, not a capture file';
    case 'EEXIST': case 'ENOTDIR': return 'exists and is not a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    default: return (e as Error).message;
  }
}

/** "all", "none", or a comma list of analyzer names (unknown names are an error). */
function selectAnalyzers(list: string, showCredentials = false): readonly AnalyzerDescriptor[] {
  const all = showCredentials ? analyzersShowingCredentials() : ANALYZERS;
  if (list === 'all') return all;
  if (list === 'none' || list === '') return [];
  const names = list.split(',').map((n) => n.trim().toLowerCase());
  const known = new Set(ANALYZERS.map((a) => a.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new InvalidArgumentError(`unknown analyzer(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return all.filter((a) => names.includes(a.name));
}

export function registerAnalyze(program: Command): void {
  addAnalysisOptions(program
    .command('analyze')
    .description('Analyse a capture (pcap, pcapng, gzip\'d; "-" for standard input) into Zeek-style logs.')
    .argument('<capture>', 'capture file, or - to read standard input')
    .requiredOption('-o, --out <dir>', 'directory for the logs (created if missing)')
    .addOption(new Option('-f, --format <format>', 'log format').choices(['json', 'tsv']).default('json'))
    .addOption(new Option('--checksums <mode>', 'bad checksums: mark (report and analyse), strict (drop, as Zeek), off (skip checking)')
      .choices(['mark', 'strict', 'off']).default('mark'))
    .option('--analyzers <list>', 'protocol analyzers to run: "all", "none" (connections only), or names, e.g. dns,http', 'all')
    .option('--show-credentials', 'log cleartext passwords and SNMP communities instead of masking them')
    .option('--extract-files <dir>', 'write transferred files to DIR, each named by its SHA256 (never by a name from the traffic)')
    .option('--no-heuristics', 'no behavioural findings (notice.log: DGA, tunnels, beaconing, scans, ...)'))
    .option('--yara <file>', 'YARA rules run over every transferred file (repeatable); matches go to files.log yara_matches and eve.json', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-progress', 'no progress bar')
    .option('-q, --quiet', 'no summary')
    .action(async (capture: string, flags: AnalyzeFlags) => {
      let intel;
      try {
        intel = loadIntelFiles(flags.intel, (line) => process.stderr.write(`capdex: ${line}\n`));
      } catch (e) {
        process.stderr.write(`capdex: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      let rules;
      try {
        rules = loadCliRules(flags.rules, flags.defaultRules, (line) => process.stderr.write(`capdex: ${line}\n`));
      } catch (e) {
        process.stderr.write(`capdex: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      let fileScanner;
      try {
        fileScanner = flags.yara.length > 0 ? new YaraFileScanner(await loadYaraRules(flags.yara)) : undefined;
      } catch (e) {
        process.stderr.write(`capdex: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      let sink: FileSink;
      try {
        sink = new FileSink(flags.out, flags.format);
      } catch (e) {
        process.stderr.write(`capdex: cannot write logs to ${flags.out}: ${fsReason(e)}\n`);
        process.exitCode = 2;
        return;
      }
      for (const schema of [CONN_LOG, WEIRD_LOG, TUNNEL_LOG]) sink.ensure(schema);
      if (rules.length > 0 || fileScanner) sink.ensure(EVE_LOG);
      const progress = flags.progress && process.stderr.isTTY ? new Progress() : undefined;
      const started = process.hrtime.bigint();
      let bytesRead = 0;
      try {
        const result = await analyze(capture, sink, {
          engine: {
            checksums: flags.checksums,
            localNets: localNetsOf(flags) ?? DEFAULT_ENGINE_OPTIONS.localNets,
            extractDir: flags.extractFiles,
            analyzers: selectAnalyzers(flags.analyzers, flags.showCredentials),
            rules,
            fileScanner,
            showCredentials: flags.showCredentials,
          },
          heuristics: flags.heuristics ? { config: { intel } } : false,
          onProgress: (p, stats) => {
            bytesRead = p.bytesRead;
            progress?.update(p.bytesRead, p.totalBytes, stats.packets);
          },
        });
        progress?.stop();
        const counts = sink.counts();
        sink.close();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (!flags.quiet) process.stderr.write(formatSummary(result, counts, bytesRead, seconds, flags.out));
        if (!flags.quiet && fileScanner) process.stderr.write(`yara         ${fileScanner.matched} match(es) in ${fileScanner.scanned} file(s) scanned (files.log yara_matches, eve.json gid 3)\n`);
      } catch (e) {
        progress?.stop();
        sink.close();
        if (e instanceof NotACaptureError) {
          process.stderr.write(`capdex: ${capture === '-' ? 'standard input' : capture}: ${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'EPERM') {
          process.stderr.write(`capdex: ${capture}: ${fsReason(e)}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
    });
}
