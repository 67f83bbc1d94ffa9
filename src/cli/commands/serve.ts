/**
 * `capdex serve [--data DIR] [--port N] [--host H]`: the service in one process — the API, and
 * analysis workers (worker threads) over DIR/capdex.db, DIR/jobs.db and DIR/blobs/. Listens on
 * 127.0.0.1 unless told otherwise; stops cleanly on SIGINT/SIGTERM (running jobs are queued
 * again at the next start).
 */
import type { Command } from 'commander';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../api/limits.js';

interface ServeFlags {
  data: string;
  port: string;
  host: string;
  workers: string;
  maxUpload: string;
  jobTimeout: string;
  log?: boolean;
}

const positiveInt = (name: string, v: string, min = 1): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`serve: ${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the service: REST API (OpenAPI at /openapi.json), uploads, analysis jobs in worker threads.')
    .option('--data <dir>', 'data directory (store, job queue, blobs)', 'capdex-data')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--workers <n>', 'concurrent analysis workers', '1')
    .option('--max-upload <bytes>', 'largest upload accepted', String(DEFAULT_MAX_UPLOAD_BYTES))
    .option('--job-timeout <seconds>', 'time limit of one analysis', '3600')
    .option('--log', 'log every request (JSON lines on stdout)')
    .action(async (flags: ServeFlags) => {
      const port = positiveInt('--port', flags.port, 0);
      // Loaded here, not at the top: every other command would pay for Fastify at start-up.
      const [{ openService }, { buildApi }] = await Promise.all([import('../../service.js'), import('../../api/app.js')]);
      const service = await openService({ dataDir: flags.data }, {
        workers: positiveInt('--workers', flags.workers), jobTimeoutS: positiveInt('--job-timeout', flags.jobTimeout),
      });
      const app = await buildApi(service, { maxUploadBytes: positiveInt('--max-upload', flags.maxUpload), logger: flags.log });
      const address = await app.listen({ host: flags.host, port });
      process.stdout.write(`capdex: serving ${address} (data in ${flags.data})\n`);
      const stop = async (): Promise<void> => {
        await app.close();
        await service.close();
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
