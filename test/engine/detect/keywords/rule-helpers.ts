/** Compiles one rule from its options and runs its lists on bytes: the keyword tests' harness. */
import assert from 'node:assert/strict';
import { parseRules, type ParseOptions } from '../../../../src/engine/detect/rules/parser.js';
import type { BufferKey, Rule } from '../../../../src/engine/detect/rules/rule.js';
import { createMatchState } from '../../../../src/engine/detect/match/state.js';

export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** The rule from `options` (without sid: one is added); fails the test if it does not load. */
export function rule(options: string, header = 'alert tcp any any -> any any', opts: ParseOptions = {}): Rule {
  const sid = /\bsid\s*:/.test(options) ? '' : ' sid:1;';
  const r = parseRules(`${header} (${options}${sid})`, opts);
  assert.deepEqual(r.errors, [], `rule should load: ${options}`);
  assert.equal(r.unsupported.size, 0, `no unsupported keyword in: ${options}`);
  assert.equal(r.rules.length, 1);
  return r.rules[0];
}

/** The reason the rule fails to load. */
export function ruleError(options: string, header = 'alert tcp any any -> any any', opts: ParseOptions = {}): string {
  const sid = /\bsid\s*:/.test(options) ? '' : ' sid:1;';
  const r = parseRules(`${header} (${options}${sid})`, opts);
  assert.equal(r.rules.length, 0, `rule should not load: ${options}`);
  assert.equal(r.errors.length, 1);
  return r.errors[0].reason;
}

const state = createMatchState();

/** Whether the rule's list for `buffer` matches `data` (every list of that buffer must match). */
export function matchesBuffer(r: Rule, buffer: BufferKey, data: string | Uint8Array): boolean {
  const lists = r.lists.filter((l) => l.buffer === buffer);
  assert.ok(lists.length > 0, `rule has a ${buffer} list`);
  const buf = typeof data === 'string' ? bytes(data) : data;
  state.reset();
  return lists.every((l) => l.program.matchBuffer(buf, state));
}

/** Shorthand for payload rules. */
export function matches(options: string, data: string | Uint8Array): boolean {
  return matchesBuffer(rule(options), 'payload', data);
}

export { state as sharedState };
