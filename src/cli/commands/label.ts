/**
 * `capdex label add|rm|ls CAPTURE ...`: labels on stored captures from the command line (the local
 * CLI is trusted: labels it adds carry no key id). Kinds: family, campaign, actor, category,
 * sector, tag; values are normalised as the API stores them (lower-case).
 */
import type { Command } from 'commander';
import { type StoreFlags, withStore, withStoreOptions } from '../store-options.js';
import { displayText } from '../display-text.js';
import type { Store, CaptureRow } from '../../store/store.js';
import { checkLabel, LABEL_KINDS, normaliseLabelValue } from '../../store/intel/labels.js';

interface LabelFlags extends StoreFlags { json?: boolean }

async function found(store: Store, id: string): Promise<CaptureRow | undefined> {
  const c = await store.capture(id);
  if (!c) {
    process.stderr.write(`capdex: no capture ${displayText(id)} (or the prefix is ambiguous)\n`);
    process.exitCode = 2;
  }
  return c;
}

export function registerLabel(program: Command): void {
  const label = program.command('label').description(`Labels on stored captures (kinds: ${LABEL_KINDS.join(', ')}); searchable as label:VALUE.`);

  withStoreOptions(label.command('add')
    .description('Label a capture (adding an existing label changes nothing).')
    .argument('<capture>', 'sha256, md5, sha1 or a sha256 prefix (8+ hex digits)')
    .argument('<kind>', LABEL_KINDS.join(' | '))
    .argument('<value>', 'e.g. emotet; a category is one of exploit-kit, c2, phishing, benign, ctf, ...'))
    .action(async (id: string, kind: string, value: string, flags: StoreFlags) => {
      const checked = checkLabel(kind, value);
      if (!checked.ok) { process.stderr.write(`capdex: ${checked.reason}\n`); process.exitCode = 2; return; }
      await withStore(flags, async (store) => {
        const c = await found(store, id);
        if (!c) return;
        const r = await store.intel.addLabel(c.id, checked.kind, checked.value, null);
        process.stdout.write(`${r.created ? 'added' : 'already there'}: ${r.label.id}  ${r.label.kind}:${displayText(r.label.value)}  ${c.id.slice(0, 16)}\n`);
      });
    });

  withStoreOptions(label.command('rm')
    .description('Remove a label, by its id (lbl_…) or by kind and value.')
    .argument('<capture>', 'sha256, md5, sha1 or a sha256 prefix')
    .argument('<label>', 'a label id (lbl_…) or a kind')
    .argument('[value]', 'the value, when <label> is a kind'))
    .action(async (id: string, which: string, value: string | undefined, flags: StoreFlags) => {
      await withStore(flags, async (store) => {
        const c = await found(store, id);
        if (!c) return;
        const ok = value === undefined
          ? await store.intel.removeLabel(c.id, { id: which })
          : await store.intel.removeLabel(c.id, { kind: which.trim().toLowerCase(), value: normaliseLabelValue(value) });
        if (ok) process.stdout.write(`removed ${displayText(value === undefined ? which : `${which}:${value}`)}\n`);
        else { process.stderr.write(`capdex: capture ${c.id.slice(0, 16)} has no such label\n`); process.exitCode = 2; }
      });
    });

  withStoreOptions(label.command('ls')
    .description('A capture\'s labels (and its vote counts).')
    .argument('<capture>', 'sha256, md5, sha1 or a sha256 prefix')
    .option('--json', 'one JSON object per label'))
    .action(async (id: string, flags: LabelFlags) => {
      await withStore(flags, async (store) => {
        const c = await found(store, id);
        if (!c) return;
        for (const l of await store.intel.labels(c.id)) {
          process.stdout.write(flags.json ? JSON.stringify(l) + '\n'
            : `${l.id}  ${`${l.kind}:${displayText(l.value)}`.padEnd(32)}  ${l.keyId ?? 'local'}  ${new Date(l.createdAt * 1000).toISOString()}\n`);
        }
      });
    });
}
