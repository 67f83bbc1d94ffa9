/** `capdex captures [--json]`: the stored captures, newest import first. */
import type { Command } from 'commander';
import { type StoreFlags, withStore, withStoreOptions } from '../store-options.js';
import { displayText } from '../display-text.js';

interface CapturesFlags extends StoreFlags { json?: boolean; limit: string }

const iso = (t: number | undefined): string => (t === undefined ? '-' : new Date(t * 1000).toISOString().replace('.000Z', 'Z'));

export function registerCaptures(program: Command): void {
  withStoreOptions(program
    .command('captures')
    .description('List the stored captures, newest import first.')
    .option('--json', 'one JSON object per line')
    .option('--limit <n>', 'at most this many', '100'))
    .action(async (flags: CapturesFlags) => {
      await withStore(flags, async (store) => {
        const rows = await store.captures({ limit: Number(flags.limit) });
        for (const c of rows) {
          process.stdout.write(flags.json ? JSON.stringify(c) + '\n'
            : `${c.id.slice(0, 16)}  ${String(c.recordCount).padStart(8)} records  ${String(c.packets ?? '-').padStart(8)} packets  ` +
              `${iso(c.firstTs)}  ${c.visibility.padEnd(7)}  ${displayText(c.name)}\n`);
        }
      });
    });
}
