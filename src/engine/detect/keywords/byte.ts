/**
 * byte_test, byte_jump, byte_extract, byte_math: read a number from the buffer (binary big/little
 * endian, or ASCII hex/dec/oct) and compare, move the cursor, or keep it in a variable.
 * Argument order and option names as Suricata's payload keyword documentation.
 */
import type { NumberFormat } from '../match/program.js';
import type { RuleBuilder } from '../rules/builder.js';
import { DETECT_LIMITS } from '../match/limits.js';
import { KeywordError, parseInteger, splitArgs, UnsupportedKeyword, type KeywordDescriptor } from './keyword.js';

/** Reads the shared options (endianness, string base, bitmask, dce) from `opts`, returning the rest. */
function numberFormat(what: string, nbytesText: string, opts: string[], maxBinary: number): { fmt: NumberFormat; rest: string[] } {
  const nbytes = parseInteger(nbytesText, `${what} bytes`, 1, DETECT_LIMITS.maxByteCount);
  const fmt: NumberFormat = { nbytes, bigEndian: true, base: 0 };
  const rest: string[] = [];
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i];
    const [word, arg] = o.split(/\s+/, 2);
    switch (word) {
      case 'big': fmt.bigEndian = true; break;
      case 'little': fmt.bigEndian = false; break;
      case 'string': {
        // "string, hex" or "string hex"; the base may be the next argument.
        let base = arg;
        if (base === undefined && ['hex', 'dec', 'oct'].includes(opts[i + 1])) base = opts[++i];
        fmt.base = base === 'hex' ? 16 : base === 'oct' ? 8 : 10;
        if (base !== undefined && !['hex', 'dec', 'oct'].includes(base)) throw new KeywordError(`${what}: unknown string base ${base}`);
        break;
      }
      case 'hex': case 'dec': case 'oct':
        fmt.base = word === 'hex' ? 16 : word === 'oct' ? 8 : 10; // "string" given separately or implied
        break;
      case 'bitmask':
        if (arg === undefined) throw new KeywordError(`${what}: bitmask needs a value`);
        fmt.bitmask = parseInteger(arg, `${what} bitmask`, 1, 0xffffffff);
        break;
      case 'dce': throw new UnsupportedKeyword(`${what}:dce`);
      case 'endian':
        if (arg !== 'big' && arg !== 'little') throw new KeywordError(`${what}: endian must be big or little`);
        fmt.bigEndian = arg === 'big';
        break;
      default: rest.push(o);
    }
  }
  if (fmt.base === 0 && nbytes > maxBinary) throw new KeywordError(`${what}: at most ${maxBinary} bytes without "string"`);
  return { fmt, rest };
}

const OPS = new Set(['<', '>', '=', '<=', '>=', '&', '^']);

function byteTest(value: string, rule: RuleBuilder): void {
  const a = splitArgs(value);
  if (a.length < 4) throw new KeywordError('byte_test: expected bytes, operator, value, offset');
  let op = a[1].replace(/\s+/g, '');
  let negated = false;
  if (op.startsWith('!')) { negated = true; op = op.slice(1); }
  if (op === '') { op = '='; } // "!" alone means "not equal"
  if (!OPS.has(op)) throw new KeywordError(`byte_test: unknown operator ${a[1]}`);
  const { fmt, rest } = numberFormat('byte_test', a[0], a.slice(4), 8);
  let relative = false;
  for (const r of rest) {
    if (r === 'relative') relative = true;
    else throw new KeywordError(`byte_test: unknown option ${r}`);
  }
  rule.addStep({
    kind: 'byte_test', fmt, op: op as '<', negated,
    value: rule.numOrVar(a[2], 'byte_test value'), offset: rule.numOrVar(a[3], 'byte_test offset'), relative,
  });
}

function byteJump(value: string, rule: RuleBuilder): void {
  const a = splitArgs(value);
  if (a.length < 2) throw new KeywordError('byte_jump: expected bytes, offset');
  const { fmt, rest } = numberFormat('byte_jump', a[0], a.slice(2), 8);
  const step = {
    kind: 'byte_jump' as const, fmt, offset: rule.numOrVar(a[1], 'byte_jump offset'), relative: false, multiplier: 1,
    align: false, fromBeginning: false, fromEnd: false, postOffset: 0,
  };
  for (const r of rest) {
    const [word, arg] = r.split(/\s+/, 2);
    switch (word) {
      case 'relative': step.relative = true; break;
      case 'align': step.align = true; break;
      case 'from_beginning': step.fromBeginning = true; break;
      case 'from_end': step.fromEnd = true; break;
      case 'multiplier': step.multiplier = parseInteger(arg ?? '', 'byte_jump multiplier', 1, 65535); break;
      case 'post_offset': step.postOffset = parseInteger(arg ?? '', 'byte_jump post_offset', -65535, 65535); break;
      default: throw new KeywordError(`byte_jump: unknown option ${r}`);
    }
  }
  if (step.fromBeginning && step.fromEnd) throw new KeywordError('byte_jump: from_beginning and from_end together');
  rule.addStep(step);
}

function byteExtract(value: string, rule: RuleBuilder): void {
  const a = splitArgs(value);
  if (a.length < 3) throw new KeywordError('byte_extract: expected bytes, offset, name');
  const { fmt, rest } = numberFormat('byte_extract', a[0], a.slice(3), 8);
  const name = a[2];
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new KeywordError(`byte_extract: bad variable name ${JSON.stringify(name)}`);
  const step = {
    kind: 'byte_extract' as const, fmt, offset: parseInteger(a[1], 'byte_extract offset', -65535, 65535),
    relative: false, multiplier: 1, align: 0, slot: 0,
  };
  for (const r of rest) {
    const [word, arg] = r.split(/\s+/, 2);
    switch (word) {
      case 'relative': step.relative = true; break;
      case 'multiplier': step.multiplier = parseInteger(arg ?? '', 'byte_extract multiplier', 1, 65535); break;
      case 'align':
        step.align = parseInteger(arg ?? '', 'byte_extract align', 2, 4);
        if (step.align === 3) throw new KeywordError('byte_extract: align must be 2 or 4');
        break;
      default: throw new KeywordError(`byte_extract: unknown option ${r}`);
    }
  }
  step.slot = rule.defineVar(name);
  rule.addStep(step);
}

function byteMath(value: string, rule: RuleBuilder): void {
  const named = new Map<string, string>();
  const flags: string[] = [];
  for (const part of splitArgs(value)) {
    const [word, ...arg] = part.split(/\s+/);
    if (arg.length > 0) named.set(word, arg.join(' '));
    else flags.push(word);
  }
  for (const req of ['bytes', 'offset', 'oper', 'rvalue', 'result']) {
    if (!named.has(req)) throw new KeywordError(`byte_math: missing ${req}`);
  }
  const opts = flags.slice();
  if (named.has('endian')) opts.push(`endian ${named.get('endian')}`);
  if (named.has('string')) opts.push(`string ${named.get('string')}`);
  if (named.has('bitmask')) opts.push(`bitmask ${named.get('bitmask')}`);
  const { fmt, rest } = numberFormat('byte_math', named.get('bytes')!, opts, 4);
  let relative = false;
  for (const r of rest) {
    if (r === 'relative') relative = true;
    else throw new KeywordError(`byte_math: unknown option ${r}`);
  }
  const oper = named.get('oper')!;
  if (!['+', '-', '*', '/', '<<', '>>'].includes(oper)) throw new KeywordError(`byte_math: unknown operator ${oper}`);
  const rvalue = rule.numOrVar(named.get('rvalue')!, 'byte_math rvalue');
  const offset = rule.numOrVar(named.get('offset')!, 'byte_math offset');
  const name = named.get('result')!;
  rule.addStep({ kind: 'byte_math', fmt, offset, relative, oper: oper as '+', rvalue, slot: rule.defineVar(name) });
}

export const BYTE_KEYWORDS: readonly KeywordDescriptor[] = [
  { name: 'byte_test', docs: 'compare a number read from the buffer: bytes, [!]op, value, offset [, relative, big|little, string, hex|dec|oct, bitmask M]', value: 'required', parse: (v, r) => byteTest(v!, r) },
  { name: 'byte_jump', docs: 'move the cursor by a number read from the buffer: bytes, offset [, relative, multiplier N, align, from_beginning, from_end, post_offset N, ...]', value: 'required', parse: (v, r) => byteJump(v!, r) },
  { name: 'byte_extract', docs: 'keep a number read from the buffer in a variable: bytes, offset, name [, relative, multiplier N, align 2|4, ...]', value: 'required', parse: (v, r) => byteExtract(v!, r) },
  { name: 'byte_math', docs: 'arithmetic on a number read from the buffer: bytes N, offset N, oper +|-|*|/|<<|>>, rvalue V, result name [, relative, endian, string, bitmask]', value: 'required', parse: (v, r) => byteMath(v!, r) },
];
