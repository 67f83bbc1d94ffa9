/**
 * The grammar shared by address and port parts of a rule header: `any`, a value, `$VAR`, `!x`,
 * and `[a, b, !c]` lists nested to DETECT_LIMITS.maxListDepth. Parsed into a small tree that the
 * address and port compilers turn into fast matchers. Semantics as Suricata's: a list matches
 * what any of its positive entries match (everything, when it has none) minus what any negated
 * entry matches.
 */
import { DETECT_LIMITS } from '../match/limits.js';

export type ListNode =
  | { readonly kind: 'any' }
  | { readonly kind: 'value'; readonly text: string }
  | { readonly kind: 'not'; readonly node: ListNode }
  | { readonly kind: 'list'; readonly include: readonly ListNode[]; readonly exclude: readonly ListNode[] };

export class ListSyntaxError extends Error {}

/** Parses `text`, expanding `$VAR`s from `vars`. Throws ListSyntaxError with a reason. */
export function parseList(text: string, vars: ReadonlyMap<string, string>): ListNode {
  let entries = 0;
  const parse = (src: string, depth: number, expanding: readonly string[]): ListNode => {
    if (depth > DETECT_LIMITS.maxListDepth) throw new ListSyntaxError('lists nested too deeply');
    if (++entries > DETECT_LIMITS.maxListEntries) throw new ListSyntaxError('list too long');
    const s = src.trim();
    if (s === '') throw new ListSyntaxError('empty value');
    if (s.startsWith('!')) return { kind: 'not', node: parse(s.slice(1), depth + 1, expanding) };
    if (s.startsWith('$')) {
      const name = s.slice(1);
      if (expanding.includes(name)) throw new ListSyntaxError(`variable $${name} refers to itself`);
      const value = vars.get(name);
      if (value === undefined) throw new ListSyntaxError(`undefined variable $${name}`);
      return parse(value, depth + 1, [...expanding, name]);
    }
    if (s.toLowerCase() === 'any') return { kind: 'any' };
    if (s.startsWith('[')) {
      if (!s.endsWith(']')) throw new ListSyntaxError(`unbalanced [ in ${s}`);
      const include: ListNode[] = [];
      const exclude: ListNode[] = [];
      for (const part of splitTopLevel(s.slice(1, -1))) {
        const node = parse(part, depth + 1, expanding);
        if (node.kind === 'not') exclude.push(node.node);
        else include.push(node);
      }
      if (include.length === 0 && exclude.length === 0) throw new ListSyntaxError('empty list');
      return { kind: 'list', include, exclude };
    }
    if (/[[\],]/.test(s)) throw new ListSyntaxError(`unexpected list syntax in ${s}`);
    return { kind: 'value', text: s };
  };
  return parse(text, 0, []);
}

/** Splits "a,[b,c],!d" at top-level commas. */
export function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[') depth++;
    else if (c === ']') {
      depth--;
      if (depth < 0) throw new ListSyntaxError('unbalanced ]');
    } else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new ListSyntaxError('unbalanced [');
  out.push(s.slice(start));
  return out;
}
