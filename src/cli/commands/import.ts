/**
 * `capdex import <capture>... [--db PATH | --pg URL]`: analyse captures and store their records;
 * `--zeek DIR` and `--eve FILE` bring in logs made by Zeek or Suricata elsewhere. Each capture (or
 * log set) is one all-or-nothing import; importing the same file again replaces it.
 */
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { NotACaptureError } from '../../engine/capture/source.js';
import { importCaptureFile } from '../capture-import.js';
import { loadCliRules } from '../rule-files.js';
import { loadRuleset } from '../../engine/detect/ruleset.js';
import type { Rule } from '../../engine/detect/rules/rule.js';
import { addAnalysisOptions, type AnalysisFlags, localNetsOf } from '../analysis-options.js';
import { loadIntelFiles } from '../intel-files.js';
import { type StoreFlags, withStore, withStoreOptions } from '../store-options.js';
import { hashFiles, newLogImportStats, produceEveFile, produceZeekDir, zeekLogFiles } from '../../store/log-files.js';
import type { Store, Visibility } from '../../store/store.js';

interface ImportFlags extends StoreFlags, AnalysisFlags {
  zeek?: string;
  eve?: string;
  submitter?: string;
  public?: boolean;
  quiet?: boolean;
}

const say = (flags: ImportFlags, line: string): void => { if (!flags.quiet) process.stdout.write(line + '\n'); };

async function importLogs(store: Store, flags: ImportFlags, visibility: Visibility): Promise<void> {
  if (flags.zeek) {
    const files = zeekLogFiles(flags.zeek);
    if (files.length === 0) throw new Error(`${flags.zeek}: no *.log or *.json files`);
    const stats = newLogImportStats();
    const meta = { ...(await hashFiles(files)), name: basename(resolve(flags.zeek)), submitter: flags.submitter, visibility };
    const r = await store.importCapture(meta, (sink) => produceZeekDir(files, sink, stats));
    say(flags, `${meta.id}  ${r.records} records from ${stats.files} Zeek logs in ${flags.zeek}` +
      `${stats.badLines ? `, ${stats.badLines} unreadable lines skipped` : ''}${r.replaced ? ' (replaced)' : ''}`);
  }
  if (flags.eve) {
    const stats = newLogImportStats();
    const meta = { ...(await hashFiles([flags.eve])), name: basename(flags.eve), submitter: flags.submitter, visibility };
    const r = await store.importCapture(meta, (sink) => produceEveFile(flags.eve!, sink, stats));
    say(flags, `${meta.id}  ${r.records} alerts from ${flags.eve}` +
      `${stats.skippedEvents ? `, ${stats.skippedEvents} other events not imported` : ''}` +
      `${stats.badLines ? `, ${stats.badLines} unreadable lines skipped` : ''}${r.replaced ? ' (replaced)' : ''}`);
  }
}

export function registerImport(program: Command): void {
  withStoreOptions(addAnalysisOptions(program
    .command('import')
    .description('Analyse captures into the store (or bring in Zeek logs / Suricata EVE alerts); the same file again replaces it.')
    .argument('[captures...]', 'capture files (pcap, pcapng, gzip\'d)')
    .option('--zeek <dir>', 'import a directory of Zeek logs (JSON lines or TSV)')
    .option('--eve <file>', 'import the alerts of a Suricata eve.json')
    .option('--submitter <name>', 'who submitted them')
    .option('--public', 'visible to everyone (default private)')
    .option('-q, --quiet', 'print nothing on success')))
    .action(async (captures: string[], flags: ImportFlags) => {
      if (captures.length === 0 && !flags.zeek && !flags.eve) throw new Error('import: name capture files, --zeek DIR or --eve FILE');
      const visibility: Visibility = flags.public ? 'public' : 'private';
      // The same analysis as `capdex analyze` with these options (the bundled rules unless --no-default-rules).
      const warn = (line: string): void => { process.stderr.write(`capdex: ${line}\n`); };
      // Parsed (and reported) once; each further capture gets its own parse, since rules hold state (dataset:set).
      let parsed = captures.length > 0 ? loadCliRules(flags.rules, flags.defaultRules, warn) : undefined;
      const rulesForNext = (): Rule[] => { const r = parsed ?? loadRuleset(flags.rules, { bundled: flags.defaultRules }).rules; parsed = undefined; return r; };
      const intel = captures.length > 0 ? loadIntelFiles(flags.intel, warn) : undefined;
      const nets = localNetsOf(flags);
      await withStore(flags, async (store) => {
        for (const file of captures) {
          try {
            const r = await importCaptureFile(store, file, {
              submitter: flags.submitter, visibility, engine: { rules: rulesForNext(), ...(nets && { localNets: nets }) }, heuristics: { config: { intel } },
            });
            await store.intel.refresh(r.captureId); // the similar-captures signature (src/store/intel/)
            say(flags, `${r.captureId}  ${file}: ${r.packets} packets, ${r.records} records, ${r.observables} observables` +
              ` in ${(r.hashSeconds + r.importSeconds).toFixed(2)} s${r.replaced ? ' (replaced)' : ''}`);
          } catch (e) {
            // One bad file does not stop the others; its import left nothing behind.
            const code = (e as NodeJS.ErrnoException).code;
            if (e instanceof NotACaptureError || code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
              process.stderr.write(`capdex: ${file}: ${e instanceof NotACaptureError ? e.message : code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
              process.exitCode = 2;
              continue;
            }
            throw e;
          }
        }
        await importLogs(store, flags, visibility);
      });
    });
}
