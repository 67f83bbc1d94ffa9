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

  /** Adds the rules whose fast pattern occurs in `buf`. */
  scan(buf: Uint8Array, out: Candidates): void {
    const pf = this.filter();
    if (pf.patternCount === 0 || buf.length === 0) return;
    const members = this.members;
    pf.scan(buf, (i) => out.add(members[i]));
  }

  get hasPatterns(): boolean {
    return this.filter().patternCount > 0;
  }
}

/**
 * The rules of one place (a packet class and direction, a stream direction, a unit buffer and
 * direction), split by destination port: rules for any port form one group; rules for specific
 * ports form one small group per distinct set of such rules, found per port on first use.
 */
export class RuleTable {
  readonly anyPort: RuleGroup | undefined;
  private readonly specific: Int32Array;
  private readonly byPort = new Map<number, RuleGroup | null>();
  private readonly byMembers = new Map<string, RuleGroup>();
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
    this.anyPort = any.length > 0 ? new RuleGroup(Int32Array.from(any), all, buffer) : undefined;
    this.specific = Int32Array.from(specific);
    this.size = members.length;
  }

  /** The group of rules written for destination port `port` specifically, or null. */
  portGroup(port: number): RuleGroup | null {
    if (this.specific.length === 0) return null;
    let g = this.byPort.get(port);
    if (g !== undefined) return g;
    const members: number[] = [];
    for (const i of this.specific) if (this.all[i].dstPorts.matches(port)) members.push(i);
    if (members.length === 0) g = null;
    else {
      // Ports with the same rules share one group (and one prefilter).
      const key = members.join(',');
      g = this.byMembers.get(key) ?? null;
      if (g === null) {
        g = new RuleGroup(Int32Array.from(members), this.all, this.buffer);
        this.byMembers.set(key, g);
      }
    }
    this.byPort.set(port, g);
    return g;
  }
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
