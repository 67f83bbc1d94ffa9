/** `capdex delete <capture>...`: remove captures (by sha256, md5, sha1 or an id prefix) and all their records. */
import type { Command } from 'commander';
import { type StoreFlags, withStore, withStoreOptions } from '../store-options.js';
import { displayText } from '../display-text.js';

export function registerDelete(program: Command): void {
  withStoreOptions(program
    .command('delete')
    .description('Remove stored captures and everything derived from them (records, observables, files seen only there).')
    .argument('<captures...>', 'capture ids: sha256, md5, sha1, or a sha256 prefix of at least 8 hex digits'))
    .action(async (ids: string[], flags: StoreFlags) => {
      await withStore(flags, async (store) => {
        for (const id of ids) {
          if (await store.deleteCapture(id)) process.stdout.write(`deleted ${displayText(id)}\n`);
          else {
            process.stderr.write(`capdex: no capture ${displayText(id)} (or the prefix is ambiguous)\n`);
            process.exitCode = 2;
          }
        }
      });
    });
}
