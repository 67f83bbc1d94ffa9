/**
 * `capdex keys add NAME [--admin] | list | revoke ID`: the API keys of a store (docs/contracts/
 * access.md). `add` prints the secret once (only its SHA-256 is kept); the key id is what uploads
 * record as their submitter. Where: `--data DIR` (the `capdex serve` data directory, DIR/capdex.db),
 * or `--db FILE` / `--pg URL` as for the other store commands.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { type StoreFlags, withStore, withStoreOptions } from '../store-options.js';
import { displayText } from '../display-text.js';
import type { ApiKey } from '../../store/store.js';

interface KeysFlags extends StoreFlags { data?: string; json?: boolean }

const iso = (t: number | undefined): string => (t === undefined ? '-' : new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function storeFlags(flags: KeysFlags): StoreFlags {
  if (flags.data !== undefined && (flags.db !== undefined || flags.pg !== undefined)) throw new Error('keys: give one of --data, --db, --pg');
  return flags.data !== undefined ? { db: join(flags.data, 'capdex.db') } : flags;
}

function withKeyOptions(cmd: Command): Command {
  return withStoreOptions(cmd).option('--data <dir>', 'the data directory of `capdex serve --data DIR` (its capdex.db)');
}

const line = (k: ApiKey): string =>
  `${k.id}  ${k.admin ? 'admin' : 'key  '}  ${iso(k.createdAt)}  ${k.revokedAt === undefined ? 'active ' : 'revoked'}  ${displayText(k.name)}\n`;

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys of the service: add, list, revoke.');
  withKeyOptions(keys
    .command('add <name>')
    .description('Create a key and print its secret (shown once: store it now).')
    .option('--admin', 'the key sees every capture, private ones included')
    .option('--json', 'print { key, secret } as JSON'))
    .action(async (name: string, flags: KeysFlags & { admin?: boolean }) => {
      await withStore(storeFlags(flags), async (store) => {
        const { key, secret } = await store.createKey(name, { admin: flags.admin === true });
        if (flags.json) { process.stdout.write(JSON.stringify({ key, secret }) + '\n'); return; }
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`capdex: key ${key.id}${key.admin ? ' (admin)' : ''} created; the secret above is shown once.\n` +
          'Send it as "Authorization: Bearer <secret>" (or X-Api-Key).\n');
      });
    });
  withKeyOptions(keys
    .command('list')
    .description('Every key: id, kind, created, state, name (never the secrets).')
    .option('--json', 'one JSON object per line'))
    .action(async (flags: KeysFlags) => {
      await withStore(storeFlags(flags), async (store) => {
        for (const k of await store.keys()) process.stdout.write(flags.json ? JSON.stringify(k) + '\n' : line(k));
      });
    });
  withKeyOptions(keys
    .command('revoke <id>')
    .description('Revoke a key for good: requests carrying it get 401 BAD_API_KEY.'))
    .action(async (id: string, flags: KeysFlags) => {
      await withStore(storeFlags(flags), async (store) => {
        if (!(await store.revokeKey(id))) throw new Error(`keys revoke: no active key ${displayText(id)} (see capdex keys list)`);
        process.stdout.write(`revoked ${id}\n`);
      });
    });
}
