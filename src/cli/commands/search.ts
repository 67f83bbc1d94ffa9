/** `capdex search QUERY [--json]`: the query language over every stored record (see src/store/query/). */
import type { Command } from 'commander';
import { type StoreFlags, withStore, withStoreOptions } from '../store-options.js';
import { renderError } from '../../store/query/index.js';
import { displayText } from '../display-text.js';

interface SearchFlags extends StoreFlags { json?: boolean; limit: string; offset: string }

export function registerSearch(program: Command): void {
  withStoreOptions(program
    .command('search')
    .description('Search every stored record: field:value, "phrases", wildcards, CIDR, ranges, AND/OR/NOT, | count by FIELD, | top N FIELD.')
    .argument('<query>', "e.g. 'dns.query:*.duckdns.org AND NOT id.resp_h:10.0.0.0/8'")
    .option('--json', 'one JSON object per line')
    .option('--limit <n>', 'at most this many rows', '100')
    .option('--offset <n>', 'skip this many rows', '0'))
    .action(async (query: string, flags: SearchFlags) => {
      await withStore(flags, async (store) => {
        const r = await store.search(query, { limit: Number(flags.limit), offset: Number(flags.offset) });
        if (r.error) {
          process.stderr.write(flags.json ? JSON.stringify({ error: r.error }) + '\n' : renderError(query, r.error) + '\n');
          process.exitCode = 2;
          return;
        }
        for (const g of r.aggregation ?? []) {
          process.stdout.write(flags.json ? JSON.stringify(g) + '\n'
            : `${String(g.count).padStart(10)}  ${g.key === undefined ? '' : displayText(typeof g.key === 'string' ? g.key : JSON.stringify(g.key))}\n`);
        }
        for (const row of r.rows ?? []) {
          process.stdout.write(flags.json ? JSON.stringify(row) + '\n'
            : `${row.captureId.slice(0, 16)}  ${row.log.padEnd(8)}  ${displayText(JSON.stringify(row.doc), 2000)}\n`);
        }
      });
    });
}
