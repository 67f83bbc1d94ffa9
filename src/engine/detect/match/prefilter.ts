/**
 * The prefilter of a rule group over one buffer: an Aho-Corasick automaton over the rules' fast
 * patterns. Identical patterns (same bytes, same case rule) are indexed once and fan out to all
 * their rules, so the automaton grows with distinct patterns, not rules. A group with only a few
 * patterns searches buffers of FEW_PATTERNS_MIN_BYTES and more with native searches instead
 * (few-patterns.ts): same candidates, a fraction of the cost per byte.
 */
import type { BufferKey, Prefilter, Rule } from '../rules/rule.js';
import { AhoCorasick, type AcPattern } from './aho-corasick.js';
import { FEW_PATTERNS_MIN_BYTES, FewPatterns, planFewPatterns } from './few-patterns.js';

export function buildPrefilter(rules: readonly Rule[], buffer: BufferKey): Prefilter {
  const ids = new Map<string, number>();
  const patterns: AcPattern[] = [];
  const rulesOf: number[][] = [];
  const unconditional: number[] = [];
  for (let r = 0; r < rules.length; r++) {
    const fp = rules[r].fastPattern;
    if (!fp) { unconditional.push(r); continue; }
    if (fp.buffer !== buffer) continue;
    if (fp.pattern.length === 0) { unconditional.push(r); continue; }
    const key = (fp.nocase ? 'i' : 'c') + Buffer.from(fp.pattern).toString('latin1');
    let id = ids.get(key);
    if (id === undefined) {
      id = patterns.length;
      ids.set(key, id);
      patterns.push({ bytes: fp.pattern, nocase: fp.nocase });
      rulesOf.push([]);
    }
    rulesOf[id].push(r);
  }
  // Flatten pattern -> rules into two typed arrays (start offsets, rule indices).
  const start = new Int32Array(patterns.length + 1);
  for (let p = 0; p < patterns.length; p++) start[p + 1] = start[p] + rulesOf[p].length;
  const flat = new Int32Array(start[patterns.length]);
  for (let p = 0; p < patterns.length; p++) flat.set(rulesOf[p], start[p]);
  const ac = new AhoCorasick(patterns);
  const plan = planFewPatterns(patterns);
  const few = plan === undefined ? undefined : new FewPatterns(patterns, plan);
  // The scan in progress reports to `onRule`: one callback for the prefilter's life, not a closure per scan.
  let onRule: (ruleIndex: number) => void = () => {};
  const report = (p: number): void => {
    for (let k = start[p]; k < start[p + 1]; k++) onRule(flat[k]);
  };
  return {
    buffer,
    patternCount: patterns.length,
    unconditional,
    scan(buf, onCandidate) {
      onRule = onCandidate;
      if (few !== undefined && buf.length >= FEW_PATTERNS_MIN_BYTES) few.scan(buf, report);
      else ac.scan(buf, report);
    },
  };
}
