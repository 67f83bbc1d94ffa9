/**
 * `capdex serve [--data DIR] [--port N] [--host H]`: the service in one process — the API, and
 * analysis workers (worker threads) over DIR/capdex.db, DIR/jobs.db and DIR/blobs/. Listens on
 * 127.0.0.1 unless told otherwise; stops cleanly on SIGINT/SIGTERM (running jobs are queued
 * again at the next start).
 *
 * Scaled out: `capdex serve --pg URL --blobs DIR [--no-worker]` keeps the store and the job queue
 * (pg-boss) in PostgreSQL and the blobs in a folder every process shares; `--no-worker` makes a
 * stateless API process, and `capdex worker` (worker.ts) runs the analyses.
 */
import type { Command } from 'commander';
import { DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_RATE_LIMIT } from '../../api/limits.js';
import { RESPONSE_CACHE_MAX_BYTES } from '../../api/response-cache.js';
import { addAnalysisOptions, type AnalysisFlags, serviceAnalysis } from '../analysis-options.js';

interface ServeFlags extends AnalysisFlags {
  data: string;
  port: string;
  host: string;
  workers: string;
  maxUpload: string;
  jobTimeout: string;
  log?: boolean;
  pg?: string;
  blobs?: string;
  worker: boolean;
  requireKey?: boolean;
  rateLimit: string;
  uploadRateLimit: string;
  responseCacheMb: string;
  whoisIpServer?: string;
  whoisDomainServer?: string;
}

export const positiveInt = (cmd: string, name: string, v: string, min = 1): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${cmd}: ${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
};

/** `{ pg, blobsDir }` when --pg is given (then --blobs is required), else the data directory. */
export function serviceLocation(cmd: string, flags: { pg?: string; blobs?: string; data?: string }): { pg: string; blobsDir: string } | { dataDir: string } {
  if (flags.pg === undefined) {
    if (flags.data === undefined) throw new Error(`${cmd}: --pg URL is required`);
    return { dataDir: flags.data };
  }
  if (flags.blobs === undefined) throw new Error(`${cmd}: --pg needs --blobs DIR, a folder every API and worker process shares`);
  return { pg: flags.pg, blobsDir: flags.blobs };
}

/** Stops on the first SIGINT/SIGTERM: `stop` closes what the command opened; the process then exits by itself. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const once = (): void => { void stop(); };
  process.once('SIGINT', once);
  process.once('SIGTERM', once);
}

export function registerServe(program: Command): void {
  addAnalysisOptions(program
    .command('serve'))
    .description('Run the service: REST API (OpenAPI at /openapi.json, docs at /docs), uploads, analysis jobs in worker threads.')
    .option('--data <dir>', 'data directory (store, job queue, blobs)', 'capdex-data')
    .option('--pg <url>', 'scale-out: store and job queue (pg-boss) in this PostgreSQL database instead of --data')
    .option('--blobs <dir>', 'with --pg: the blob folder every API and worker process shares')
    .option('--no-worker', 'run no analysis here (an API process; `capdex worker` analyses)')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--workers <n>', 'concurrent analysis workers', '1')
    .option('--max-upload <bytes>', 'largest upload accepted', String(DEFAULT_MAX_UPLOAD_BYTES))
    .option('--job-timeout <seconds>', 'time limit of one analysis', '3600')
    .option('--log', 'log every request (JSON lines on stdout)')
    .option('--require-key', 'refuse anonymous uploads: submitting needs an API key (capdex keys add)')
    .option('--rate-limit <n>', 'API requests per minute per key or address (0: no limits)', String(DEFAULT_RATE_LIMIT.max))
    .option('--upload-rate-limit <n>', 'uploads per minute per key or address', String(DEFAULT_RATE_LIMIT.uploadMax))
    .option('--response-cache-mb <n>', 'memory for cached API answers (0: no cache)', String(RESPONSE_CACHE_MAX_BYTES / 1024 / 1024))
    .option('--whois-ip-server <host[:port]>', 'whois server asked about IP addresses (referrals followed)', 'whois.arin.net')
    .option('--whois-domain-server <host[:port]>', 'whois server asked about domain names (referrals followed)', 'whois.iana.org')
    .action(async (flags: ServeFlags) => {
      const port = positiveInt('serve', '--port', flags.port, 0);
      const where = serviceLocation('serve', flags);
      // Loaded here, not at the top: every other command would pay for Fastify at start-up.
      const [{ openService }, { buildApi }] = await Promise.all([import('../../service.js'), import('../../api/app.js')]);
      const analysis = serviceAnalysis(flags, (line) => process.stderr.write(`capdex: ${line}\n`));
      const service = await openService(where, {
        worker: flags.worker, workers: positiveInt('serve', '--workers', flags.workers), jobTimeoutS: positiveInt('serve', '--job-timeout', flags.jobTimeout),
        analysis,
      });
      const app = await buildApi(service, { maxUploadBytes: positiveInt('serve', '--max-upload', flags.maxUpload), logger: flags.log, requireKey: flags.requireKey,
        rateLimit: flags.rateLimit === '0' ? false
          : { max: positiveInt('serve', '--rate-limit', flags.rateLimit), uploadMax: positiveInt('serve', '--upload-rate-limit', flags.uploadRateLimit) },
        whois: { ipServer: flags.whoisIpServer, domainServer: flags.whoisDomainServer },
        responseCacheBytes: positiveInt('serve', '--response-cache-mb', flags.responseCacheMb, 0) * 1024 * 1024,
      });
      const address = await app.listen({ host: flags.host, port });
      process.stdout.write(`capdex: serving ${address} (${'pg' in where ? `PostgreSQL, blobs in ${where.blobsDir}` : `data in ${where.dataDir}`}${flags.worker ? '' : ', no workers'})\n`);
      stopOnSignals(async () => {
        await app.close();
        await service.close();
      });
    });
}
