/**
 * Port matchers for rule headers: `any`, `80`, `1024:`, `:1023`, `[80,443,!8080]`, `$HTTP_PORTS`,
 * compiled to a 65536-bit bitmap (8 KiB). Identical port specs share one bitmap, so 30,000 rules
 * cost a few distinct bitmaps, not 30,000.
 */
import type { PortMatcher } from './rule.js';
import { ListSyntaxError, parseList, type ListNode } from './list-syntax.js';

const ALL = 65536;

function fill(node: ListNode, bits: Uint32Array): void {
  switch (node.kind) {
    case 'any': bits.fill(0xffffffff); return;
    case 'value': {
      const m = /^(\d*)\s*(:?)\s*(\d*)$/.exec(node.text);
      if (!m || (m[1] === '' && m[3] === '')) throw new ListSyntaxError(`not a port: ${node.text}`);
      const lo = m[1] === '' ? 0 : Number(m[1]);
      const hi = m[2] ? (m[3] === '' ? 65535 : Number(m[3])) : lo;
      if (lo > 65535 || hi > 65535) throw new ListSyntaxError(`port out of range: ${node.text}`);
      if (hi < lo) throw new ListSyntaxError(`port range reversed: ${node.text}`);
      for (let p = lo; p <= hi; p++) bits[p >>> 5] |= 1 << (p & 31);
      return;
    }
    case 'not': {
      const inner = new Uint32Array(ALL / 32);
      fill(node.node, inner);
      for (let i = 0; i < bits.length; i++) bits[i] |= ~inner[i];
      return;
    }
    case 'list': {
      const inc = new Uint32Array(ALL / 32);
      if (node.include.length === 0) inc.fill(0xffffffff);
      for (const n of node.include) fill(n, inc);
      const exc = new Uint32Array(ALL / 32);
      for (const n of node.exclude) fill(n, exc);
      for (let i = 0; i < bits.length; i++) bits[i] |= inc[i] & ~exc[i];
      return;
    }
  }
}

const ANY_PORT: PortMatcher = { any: true, matches: () => true };

/** Compiles a port part; throws ListSyntaxError with a reason. `cache` shares bitmaps between rules. */
export function compilePorts(text: string, vars: ReadonlyMap<string, string>, cache?: Map<string, PortMatcher>): PortMatcher {
  const hit = cache?.get(text);
  if (hit) return hit;
  const node = parseList(text, vars);
  let matcher: PortMatcher;
  if (node.kind === 'any') matcher = ANY_PORT;
  else {
    const bits = new Uint32Array(ALL / 32);
    fill(node, bits);
    let full = true;
    for (let i = 0; i < bits.length && full; i++) if (bits[i] !== 0xffffffff) full = false;
    matcher = full
      ? ANY_PORT
      : { any: false, matches: (port: number) => port >= 0 && port < ALL && (bits[port >>> 5] & (1 << (port & 31))) !== 0 };
  }
  cache?.set(text, matcher);
  return matcher;
}
