/** flowbits, flowint and noalert: per-flow state the engine keeps; here only parsed into ops. */
import type { FlowintOp } from '../rules/rule.js';
import { KeywordError, splitArgs, type KeywordDescriptor } from './keyword.js';

const NAME = /^[A-Za-z0-9_.\-]+$/;
const INT_OPS = new Set(['=', '+', '-', '==', '!=', '<', '>', '<=', '>=', 'isset', 'notset', 'isnotset']);

export const FLOWBITS_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'flowbits',
    docs: 'set|unset|toggle|isset|isnotset,name (a|b: any, a&b: all) or noalert',
    value: 'required',
    parse(v, rule) {
      const [op, names, extra] = splitArgs(v!);
      if (op === 'noalert') {
        if (names !== undefined) throw new KeywordError('flowbits:noalert takes no name');
        rule.noalert = true;
        return;
      }
      if (!['set', 'unset', 'toggle', 'isset', 'isnotset'].includes(op)) throw new KeywordError(`flowbits: unknown operation ${JSON.stringify(op)}`);
      if (names === undefined || names === '' || extra !== undefined) throw new KeywordError(`flowbits:${op} needs one name (or a|b, a&b)`);
      const or = names.includes('|');
      const and = names.includes('&');
      if (or && and) throw new KeywordError('flowbits: cannot mix | and &');
      if (or && op !== 'isset' && op !== 'isnotset') throw new KeywordError('flowbits: | is only for isset/isnotset');
      const list = names.split(/[|&]/).map((s) => s.trim());
      for (const n of list) if (!NAME.test(n)) throw new KeywordError(`flowbits: bad name ${JSON.stringify(n)}`);
      rule.flowbits.push({ op: op as 'set', names: list, mode: or ? 'or' : 'and' });
    },
  },
  {
    name: 'flowint',
    docs: 'name,op[,value]: = + - assign; == != < > <= >= isset notset test',
    value: 'required',
    parse(v, rule) {
      const [name, op, value, extra] = splitArgs(v!);
      if (!name || !NAME.test(name)) throw new KeywordError('flowint: bad name');
      if (op === undefined || !INT_OPS.has(op)) throw new KeywordError(`flowint: unknown operator ${JSON.stringify(op)}`);
      const normalized = (op === 'isnotset' ? 'notset' : op) as FlowintOp['op'];
      if (extra !== undefined) throw new KeywordError('flowint: too many arguments');
      if (normalized === 'isset' || normalized === 'notset') {
        if (value !== undefined) throw new KeywordError(`flowint:${op} takes no value`);
        rule.flowints.push({ name, op: normalized });
        return;
      }
      if (value === undefined || value === '') throw new KeywordError(`flowint:${op} needs a value`);
      const num = /^-?\d+$/.test(value) ? Number(value) : undefined;
      if (num === undefined && !NAME.test(value)) throw new KeywordError(`flowint: bad value ${JSON.stringify(value)}`);
      rule.flowints.push({ name, op: normalized, value: num ?? value });
    },
  },
  { name: 'noalert', docs: 'the rule never alerts (it only sets state)', value: 'none', parse(_v, rule) { rule.noalert = true; } },
];
