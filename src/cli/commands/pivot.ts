/** `capdex pivot TYPE VALUE [--json]`: every capture and record holding an observable. */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { type StoreFlags, withStore, withStoreOptions } from '../store-options.js';
import { OBSERVABLE_TYPES, type ObservableType } from '../../store/store.js';
import { displayText } from '../display-text.js';

interface PivotFlags extends StoreFlags { json?: boolean; limit: string; offset: string }

function parseType(v: string): ObservableType {
  const t = OBSERVABLE_TYPES.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!t) throw new InvalidArgumentError(`unknown type; one of ${OBSERVABLE_TYPES.join(', ')}`);
  return t;
}

export function registerPivot(program: Command): void {
  withStoreOptions(program
    .command('pivot')
    .description('Every stored record holding an observable (IP, domain, URL, hash, JA3/JA4, ...), most recently stored first.')
    .argument('<type>', `observable type: ${OBSERVABLE_TYPES.join(', ')}`, parseType)
    .argument('<value>', 'the value (normalised as stored: case, trailing dot, IPv4-mapped addresses)')
    .option('--json', 'one JSON object per line: capture, log, field, record')
    .option('--limit <n>', 'at most this many', '100')
    .option('--offset <n>', 'skip this many', '0'))
    .action(async (type: ObservableType, value: string, flags: PivotFlags) => {
      await withStore(flags, async (store) => {
        const hits = await store.pivot(type, value, { limit: Number(flags.limit), offset: Number(flags.offset) });
        if (hits.length === 0 && !flags.json) process.stderr.write(`capdex: no record holds ${type} ${displayText(value)}\n`);
        for (const h of hits) {
          process.stdout.write(flags.json ? JSON.stringify(h) + '\n'
            : `${h.capture.id.slice(0, 16)}  ${displayText(h.capture.name, 40).padEnd(40)}  ${h.log}.${h.field}  ` +
              `${h.record.ts === null ? '-' : new Date(h.record.ts * 1000).toISOString()}  ${h.record.uid ?? ''}\n`);
        }
      });
    });
}
