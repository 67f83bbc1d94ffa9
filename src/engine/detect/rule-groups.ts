/**
 * Rule groups: which rules can possibly match a packet, stream chunk or inspection unit, decided
 * without looking at them one by one. Rules are split once, at load, by where they run (packets of
 * one IP protocol class, a TCP stream direction, one sticky buffer of a unit) and by direction;
 * within such a table by destination port (Suricata's signature group heads). Each group indexes
 * its rules' fast patterns in a multi-pattern prefilter (match/prefilter.ts), so the work per
 * byte does not depend on how many rules there are: only rules whose fast pattern occurs (and the
 * few without one) are evaluated in full.
 *
 * Groups are built lazily, on the first traffic that needs them: a 30,000-rule set pays for the
 * prefilters of the ports the capture uses, not for all 65,536.
 */
import type { BufferKey, Prefilter, Rule } from './rules/rule.js';
import { buildPrefilter } from './match/prefilter.js';

/** A set of rules and its prefilter over one buffer. */
export class RuleGroup {
  private prefilter: Prefilter | undefined;
  /** Longest fast pattern in the group: how far back a split pattern can start. */
  readonly maxPatternLen: number;

  constructor(
    /** Evaluation ranks (indices into the engine's ordered rule array), ascending. */
    readonly members: Int32Array,
    private readonly all: readonly Rule[],
    readonly buffer: BufferKey,
  ) {
    let max = 0;
    for (const i of members) {
      const fp = all[i].fastPattern;
      if (fp && fp.buffer === buffer && fp.pattern.length > max) max = fp.pattern.length;
    }
    this.maxPatternLen = max;
  }

  private filter(): Prefilter {
    if (this.prefilter === undefined) {
      const rules: Rule[] = new Array<Rule>(this.members.length);
      for (let i = 0; i < rules.length; i++) rules[i] = this.all[this.members[i]];
      this.prefilter = buildPrefilter(rules, this.buffer);
    }
    return this.prefilter;
  }

  /** Rules of this group without a fast pattern (evaluated for every packet/chunk/unit). */
  addUnconditional(out: Candidates): void {
    const u = this.filter().unconditional;
    for (let i = 0; i < u.length; i++) out.add(this.members[u[i]]);
  }

  /** Where the scan in progress reports (set per scan: one callback for the group's life, not a closure per scan). */
  private out: Candidates | undefined = undefined;
  private readonly addMember = (i: number): void => { this.out!.add(this.members[i]); };

  /** Adds the rules whose fast pattern occurs in `buf`. */
  scan(buf: Uint8Array, out: Candidates): void {
    const pf = this.filter();
    if (pf.patternCount === 0 || buf.length === 0) return;
    this.out = out;
    pf.scan(buf, this.addMember);
  }

  get hasPatterns(): boolean {
    return this.filter().patternCount > 0;
  }
}

/**
 * The rules of one place (a packet class and direction, a stream direction, a unit buffer and
 * direction), grouped by destination port: the any-port rules, joined for each port by the rules
 * written for it (found per port on first use; ports with the same such rules share a group).
 */
export class RuleTable {
  readonly anyPort: RuleGroup | undefined;
  private readonly any: Int32Array;
  private readonly specific: Int32Array;
  /** Per destination port: its group (null: no rule can match that port). */
  private readonly byPort = new Map<number, RuleGroup | null>();
  /** Groups by the port-specific rules they hold (hash key; the list confirms a hit). */
  private readonly bySpecific = new Map<string, { spec: number[]; group: RuleGroup }>();
  readonly size: number;

  constructor(private readonly all: readonly Rule[], members: readonly number[], private readonly buffer: BufferKey) {
    const any: number[] = [];
    const specific: number[] = [];
    for (const i of members) {
      const r = all[i];
      // A `<>` rule may match with its ports either way round: grouped with the any-port rules.
      if (r.dstPorts.any || r.bidirectional) any.push(i);
      else specific.push(i);
    }
    any.sort((a, b) => a - b);
    specific.sort((a, b) => a - b);
    this.any = Int32Array.from(any);
    this.anyPort = any.length > 0 ? new RuleGroup(this.any, all, buffer) : undefined;
    this.specific = Int32Array.from(specific);
    this.size = members.length;
  }

  /**
   * The rules that can match traffic to destination port `port`: the any-port rules plus those
   * written for that port, in one group, so the bytes are scanned by one prefilter. Ports with the
   * same port-specific rules (every ephemeral port, say) share the group.
   */
  groupFor(port: number): RuleGroup | undefined {
    if (this.specific.length === 0) return this.anyPort;
    const known = this.byPort.get(port);
    if (known !== undefined) return known ?? undefined;
    const spec: number[] = [];
    let h = 0x811c9dc5;
    for (const i of this.specific) {
      if (!this.all[i].dstPorts.matches(port)) continue;
      spec.push(i);
      h = Math.imul(h ^ i, 0x01000193);
    }
    let g: RuleGroup | undefined;
    if (spec.length === 0) g = this.anyPort;
    else {
      const key = `${spec.length}:${h >>> 0}`;
      const hit = this.bySpecific.get(key);
      if (hit !== undefined && hit.spec.length === spec.length && hit.spec.every((x, k) => x === spec[k])) g = hit.group;
      else {
        g = new RuleGroup(mergeSorted(this.any, spec), this.all, this.buffer);
        if (hit === undefined) this.bySpecific.set(key, { spec, group: g });
      }
    }
    this.byPort.set(port, g ?? null);
    return g;
  }
}

function mergeSorted(a: Int32Array, b: readonly number[]): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] < b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/**
 * The candidate rules of one inspection, deduplicated (a prefilter may report a rule once per
 * occurrence of its pattern) with a generation stamp, so collecting costs no allocation.
 */
export class Candidates {
  private readonly stamp: Int32Array;
  private readonly list: Int32Array;
  private gen = 1;
  count = 0;

  constructor(ruleCount: number) {
    this.stamp = new Int32Array(Math.max(1, ruleCount));
    this.list = new Int32Array(Math.max(1, ruleCount));
  }

  reset(): void {
    this.count = 0;
    if (++this.gen === 0x7fffffff) { this.stamp.fill(0); this.gen = 1; }
  }

  add(i: number): void {
    if (this.stamp[i] === this.gen) return;
    this.stamp[i] = this.gen;
    this.list[this.count++] = i;
  }

  /** Candidates in evaluation order (rank ascending): setters of flowbits before their testers. */
  sorted(): Int32Array {
    const view = this.list.subarray(0, this.count);
    if (this.count > 1) view.sort();
    return view;
  }
}
