/**
 * Address matchers for rule headers: `any`, CIDR v4/v6, `$VAR`, negation and lists, compiled to
 * closures over the four-word address form (support/addr.ts) so the per-packet test allocates
 * nothing.
 */
import type { AddressMatcher } from './rule.js';
import { parseAddr } from '../../support/addr.js';
import { ListSyntaxError, parseList, type ListNode } from './list-syntax.js';

type Test = (w0: number, w1: number, w2: number, w3: number) => boolean;

/** One network as masked words; IPv4 lives in ::ffff:0:0/96 as everywhere in the engine. */
function netTest(text: string): Test {
  let [addr, len] = text.split('/');
  const words = parseAddr(addr);
  if (!words) throw new ListSyntaxError(`not an address: ${text}`);
  const v4 = !addr.includes(':');
  let prefix: number;
  if (len === undefined) prefix = v4 ? 32 : 128;
  else if (v4 && len.includes('.')) {
    // Netmask form 255.255.255.0.
    const m = parseAddr(len);
    if (!m) throw new ListSyntaxError(`bad netmask in ${text}`);
    const bits = m[3].toString(2);
    if (!/^1*0*$/.test(bits.padStart(32, '0'))) throw new ListSyntaxError(`bad netmask in ${text}`);
    prefix = bits.replace(/0/g, '').length;
  } else {
    prefix = /^\d{1,3}$/.test(len) ? Number(len) : NaN;
    if (!(prefix >= 0 && prefix <= (v4 ? 32 : 128))) throw new ListSyntaxError(`bad prefix length in ${text}`);
  }
  if (v4) prefix += 96;
  const mask = [0, 0, 0, 0];
  for (let i = 0, bits = prefix; i < 4; i++, bits -= 32) {
    mask[i] = bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (~(0xffffffff >>> bits)) >>> 0;
  }
  const [m0, m1, m2, m3] = mask;
  const a0 = (words[0] & m0) >>> 0, a1 = (words[1] & m1) >>> 0, a2 = (words[2] & m2) >>> 0, a3 = (words[3] & m3) >>> 0;
  return (w0, w1, w2, w3) => ((w3 & m3) >>> 0) === a3 && ((w2 & m2) >>> 0) === a2 && ((w1 & m1) >>> 0) === a1 && ((w0 & m0) >>> 0) === a0;
}

function compile(node: ListNode): Test {
  switch (node.kind) {
    case 'any': return () => true;
    case 'value': return netTest(node.text);
    case 'not': {
      const inner = compile(node.node);
      return (a, b, c, d) => !inner(a, b, c, d);
    }
    case 'list': {
      const inc = node.include.map(compile);
      const exc = node.exclude.map(compile);
      const anyInclude = inc.length === 0 || node.include.some((n) => n.kind === 'any');
      return (a, b, c, d) => {
        if (!anyInclude) {
          let hit = false;
          for (const t of inc) if (t(a, b, c, d)) { hit = true; break; }
          if (!hit) return false;
        }
        for (const t of exc) if (t(a, b, c, d)) return false;
        return true;
      };
    }
  }
}

/**
 * Compiles an address part; throws ListSyntaxError with a reason. `cache` shares matchers between
 * the rules of one load (most say $HOME_NET / $EXTERNAL_NET / any).
 */
export function compileAddress(text: string, vars: ReadonlyMap<string, string>, cache?: Map<string, AddressMatcher>): AddressMatcher {
  const hit = cache?.get(text);
  if (hit) return hit;
  const matcher = compileUncached(text, vars);
  cache?.set(text, matcher);
  return matcher;
}

function compileUncached(text: string, vars: ReadonlyMap<string, string>): AddressMatcher {
  const node = parseList(text, vars);
  const test = compile(node);
  const any = node.kind === 'any';
  return {
    any,
    matchesWords: test,
    matches(addr) {
      const w = typeof addr === 'string' ? parseAddr(addr) : addr;
      if (!w || w.length !== 4) return false;
      return test(w[0] >>> 0, w[1] >>> 0, w[2] >>> 0, w[3] >>> 0);
    },
  };
}
