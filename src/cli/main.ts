#!/usr/bin/env node
/** capdex: the command line. One file per command under commands/. */
import { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.js';
import { registerImport } from './commands/import.js';
import { registerSearch } from './commands/search.js';
import { registerPivot } from './commands/pivot.js';
import { registerCaptures } from './commands/captures.js';
import { registerDelete } from './commands/delete.js';
import { registerLabel } from './commands/label.js';
import { registerRules } from './commands/rules.js';
import { registerServe } from './commands/serve.js';
import { registerWorker } from './commands/worker.js';
import { registerKeys } from './commands/keys.js';

const program = new Command();
program
  .name('capdex')
  .description('Packet-capture analysis: Zeek-style logs from pcap, pcapng and gzip\'d captures.')
  .version('0.1.0');

registerAnalyze(program);
registerImport(program);
registerSearch(program);
registerPivot(program);
registerCaptures(program);
registerDelete(program);
registerLabel(program);
registerRules(program);
registerServe(program);
registerWorker(program);
registerKeys(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`capdex: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
