/**
 * dataset and datarep: the current sticky buffer looked up in a named set (or reputation list)
 * loaded from a file. Suricata's file formats: `type string` values are base64 (one per line),
 * md5/sha256 are hex, ipv4/ip are addresses as text; datarep lines are `value,reputation`.
 * Sets are shared by name across the rules of one load, so `dataset:set` in one rule feeds
 * `dataset:isset` in another.
 */
import type { RuleBuilder } from '../rules/builder.js';
import { KeywordError, splitArgs, type KeywordDescriptor } from './keyword.js';

const TYPES = new Set(['string', 'md5', 'sha256', 'ipv4', 'ip']);

interface Options { type: string; load?: string }

function options(parts: string[], what: string): Options {
  const o: Options = { type: '' };
  for (const p of parts) {
    const m = /^(\S+)\s+(.+)$/.exec(p);
    if (!m) throw new KeywordError(`${what}: expected "name value", got ${JSON.stringify(p)}`);
    const [, key, val] = m;
    if (key === 'type') {
      if (!TYPES.has(val)) throw new KeywordError(`${what}: unknown type ${val}`);
      o.type = val;
    } else if (key === 'load') o.load = val.trim();
    else if (key !== 'state' && key !== 'save' && key !== 'memcap' && key !== 'hashsize') throw new KeywordError(`${what}: unknown option ${key}`);
  }
  if (!o.type) throw new KeywordError(`${what}: missing type`);
  return o;
}

/** One entry of a load file as the key the buffer is compared with. */
function entryKey(type: string, text: string, what: string): string {
  if (type === 'string') {
    if (!/^[A-Za-z0-9+/=]*$/.test(text)) throw new KeywordError(`${what}: ${JSON.stringify(text.slice(0, 40))} is not base64`);
    return Buffer.from(text, 'base64').toString('latin1');
  }
  if (type === 'md5' || type === 'sha256') {
    const hex = text.toLowerCase();
    if (!/^[0-9a-f]+$/.test(hex) || hex.length !== (type === 'md5' ? 32 : 64)) throw new KeywordError(`${what}: ${JSON.stringify(text.slice(0, 70))} is not a ${type}`);
    return hex;
  }
  return text;
}

/** The buffer as a lookup key: text for strings and addresses; hashes as lower hex (raw digests are hex-encoded). */
function bufferKey(type: string, buf: Uint8Array): string {
  if (type === 'md5' || type === 'sha256') {
    const digestLen = type === 'md5' ? 16 : 32;
    if (buf.length === digestLen) return Buffer.from(buf).toString('hex');
    return Buffer.from(buf).toString('latin1').toLowerCase();
  }
  return Buffer.from(buf).toString('latin1');
}

function readLines(rule: RuleBuilder, file: string, what: string): string[] {
  try {
    return rule.ctx.readListFile(file).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  } catch (err) {
    throw new KeywordError(`${what}: cannot read ${file}: ${(err as Error).message}`);
  }
}

function needsBuffer(rule: RuleBuilder, what: string): void {
  if (rule.currentBuffer === 'payload') throw new KeywordError(`${what} needs a sticky buffer before it`);
}

export const DATASET_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'dataset',
    docs: 'set|unset|isset|isnotset,name, type string|md5|sha256|ipv4|ip [, load file]',
    value: 'required',
    parse(v, rule) {
      needsBuffer(rule, 'dataset');
      const [cmd, name, ...rest] = splitArgs(v!);
      if (!['set', 'unset', 'isset', 'isnotset'].includes(cmd)) throw new KeywordError(`dataset: unknown command ${JSON.stringify(cmd)}`);
      if (!name || !/^[A-Za-z0-9_.\-]+$/.test(name)) throw new KeywordError('dataset: bad name');
      const o = options(rest, 'dataset');
      let set = rule.ctx.datasets.get(name);
      if (!set) { set = new Set(); rule.ctx.datasets.set(name, set); }
      if (o.load) for (const line of readLines(rule, o.load, 'dataset')) set.add(entryKey(o.type, line, 'dataset'));
      const s = set;
      const type = o.type;
      const test = cmd === 'isset' ? (buf: Uint8Array) => s.has(bufferKey(type, buf))
        : cmd === 'isnotset' ? (buf: Uint8Array) => !s.has(bufferKey(type, buf))
        // set/unset change the set as traffic is seen and always match (Suricata: "match if added").
        : cmd === 'set' ? (buf: Uint8Array) => { if (s.size < 1_000_000) s.add(bufferKey(type, buf)); return true; }
        : (buf: Uint8Array) => { s.delete(bufferKey(type, buf)); return true; };
      rule.addStep({ kind: 'buffer_test', keyword: 'dataset', test });
    },
  },
  {
    name: 'datarep',
    docs: 'name, >|<|>=|<=|==, value, type ..., load file (lines "value,reputation")',
    value: 'required',
    parse(v, rule) {
      needsBuffer(rule, 'datarep');
      const [name, op, value, ...rest] = splitArgs(v!);
      if (!name) throw new KeywordError('datarep: bad name');
      if (!['>', '<', '>=', '<=', '=='].includes(op)) throw new KeywordError(`datarep: unknown operator ${JSON.stringify(op)}`);
      const threshold = Number(value);
      if (!/^\d+$/.test(value ?? '')) throw new KeywordError('datarep: value must be a number');
      const o = options(rest, 'datarep');
      if (!o.load) throw new KeywordError('datarep: missing load');
      const reps = new Map<string, number>();
      for (const line of readLines(rule, o.load, 'datarep')) {
        const at = line.lastIndexOf(',');
        if (at <= 0 || !/^\d+$/.test(line.slice(at + 1).trim())) throw new KeywordError(`datarep: ${JSON.stringify(line.slice(0, 60))} is not "value,reputation"`);
        reps.set(entryKey(o.type, line.slice(0, at).trim(), 'datarep'), Number(line.slice(at + 1)));
      }
      const type = o.type;
      rule.addStep({
        kind: 'buffer_test', keyword: 'datarep',
        test(buf) {
          const r = reps.get(bufferKey(type, buf));
          if (r === undefined) return false;
          return op === '>' ? r > threshold : op === '<' ? r < threshold : op === '>=' ? r >= threshold : op === '<=' ? r <= threshold : r === threshold;
        },
      });
    },
  },
];
