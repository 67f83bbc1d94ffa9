/**
 * `capdex worker --pg URL --blobs DIR [--workers N]`: analysis workers only, for the scaled-out
 * service. Takes jobs from the pg-boss queue in PostgreSQL, analyses each in a worker thread into
 * the PostgreSQL store, reads captures from the shared blob folder. Run as many as the machines
 * allow; kill one at any moment and its jobs run again elsewhere (pgboss-queue.ts says how).
 * Stops on SIGINT/SIGTERM, handing its running jobs back to the queue.
 */
import type { Command } from 'commander';
import { positiveInt, serviceLocation, stopOnSignals } from './serve.js';
import { addAnalysisOptions, type AnalysisFlags, serviceAnalysis } from '../analysis-options.js';

interface WorkerFlags extends AnalysisFlags {
  pg?: string;
  blobs?: string;
  workers: string;
  jobTimeout: string;
  jobMemory: string;
}

export function registerWorker(program: Command): void {
  addAnalysisOptions(program
    .command('worker'))
    .description('Run analysis workers for a scaled-out service (jobs from PostgreSQL, captures from a shared blob folder).')
    .requiredOption('--pg <url>', 'the PostgreSQL database of the store and the job queue')
    .requiredOption('--blobs <dir>', 'the blob folder the API processes write uploads to')
    .option('--workers <n>', 'concurrent analyses in this process', '1')
    .option('--job-timeout <seconds>', 'time limit of one analysis', '3600')
    .option('--job-memory <mb>', 'heap limit of one analysis, MB', '2048')
    .action(async (flags: WorkerFlags) => {
      const where = serviceLocation('worker', flags);
      const workers = positiveInt('worker', '--workers', flags.workers);
      const analysis = serviceAnalysis(flags, (line) => process.stderr.write(`capdex: ${line}\n`));
      const { openService } = await import('../../service.js');
      const service = await openService(where, {
        analysis,
        worker: true, workers, jobTimeoutS: positiveInt('worker', '--job-timeout', flags.jobTimeout), jobMemoryMb: positiveInt('worker', '--job-memory', flags.jobMemory, 64),
        watchChanges: false, // no API here: nothing to keep answers for
      });
      process.stdout.write(`capdex: worker running (${workers} at a time, blobs in ${flags.blobs})\n`);
      stopOnSignals(() => service.close());
    });
}
