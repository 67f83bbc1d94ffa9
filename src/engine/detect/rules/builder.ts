/**
 * The rule being built while its options are read: what keyword parsers write into, and the
 * checks and choices made once all options are in (sid present, fast pattern, lists compiled).
 */
import type {
  BufferKey, DetectList, FactTest, FastPattern, FlowbitOp, FlowintOp, FlowOptions, PacketTest, Rule, XbitOp,
  RuleAction, RuleReference, ThresholdSpec, AddressMatcher, PortMatcher,
} from './rule.js';
import type { ContentStep, Step } from '../match/program.js';
import { compileProgram } from '../match/program.js';
import { BUFFERS } from '../keywords/buffers.js';
import { KeywordError } from '../keywords/keyword.js';
import { DETECT_LIMITS } from '../match/limits.js';
import type { Classification } from './classification.js';

/** A buffer transformation (dotprefix, to_lowercase, ...): bytes in, bytes out. */
export interface Transform {
  readonly name: string;
  apply(buf: Uint8Array): Uint8Array;
}

interface ListDraft {
  readonly buffer: BufferKey;
  readonly transforms: Transform[];
  readonly steps: Step[];
}

/** Context handed to keyword parsers for things outside the rule (list files, shared datasets). */
export interface BuildContext {
  /** Reads a list file named in a rule (filemd5, dataset load), relative to the rule file. */
  readListFile(name: string): string;
  /** Named datasets shared by the rules of one load (dataset:set in one rule, isset in another). */
  readonly datasets: Map<string, Set<string>>;
  readonly classifications: ReadonlyMap<string, Classification>;
}

/** Most rules leave most lists empty: one shared empty array keeps 30,000 rules smaller. */
const EMPTY: readonly never[] = Object.freeze([]);
const shared = <T>(xs: readonly T[]): readonly T[] => (xs.length === 0 ? EMPTY : xs);

/** Whether `step` comes after a base64_data (so it inspects decoded bytes). */
function afterBase64(steps: readonly Step[], step: Step): boolean {
  const at = steps.indexOf(step);
  return steps.slice(0, at).some((s) => s.kind === 'base64_data');
}

/** The content keywords that may be followed by a legacy modifier. */
const CONTENT_FAMILY = new Set(['content', 'nocase', 'depth', 'offset', 'distance', 'within', 'startswith',
  'endswith', 'fast_pattern', 'rawbytes']);

export class RuleBuilder {
  msg = '';
  sid: number | undefined;
  rev = 1;
  gid = 1;
  classtype: string | undefined;
  priority: number | undefined;
  readonly references: RuleReference[] = [];
  readonly metadata: [string, string][] = [];
  target: 'src_ip' | 'dest_ip' | undefined;
  flow: { -readonly [K in keyof FlowOptions]: FlowOptions[K] } = {};
  readonly flowbits: FlowbitOp[] = [];
  noalert = false;
  readonly flowints: FlowintOp[] = [];
  readonly xbits: XbitOp[] = [];
  threshold: ThresholdSpec | undefined;
  detectionFilter: ThresholdSpec | undefined;
  readonly packetTests: PacketTest[] = [];
  readonly factTests: FactTest[] = [];
  /** The keyword just applied (set by the parser), to tell a legacy modifier from a sticky buffer. */
  previousKeyword = '';

  private readonly lists: ListDraft[] = [];
  private current: ListDraft;
  private lastContent: { step: ContentStep; list: ListDraft } | undefined;
  private fastPatternStep: ContentStep | undefined;
  private slots: Map<string, number> | undefined;

  constructor(
    readonly action: RuleAction,
    readonly proto: string,
    readonly appProto: string | undefined,
    readonly ipProtos: readonly number[] | null,
    readonly ipVersion: 4 | 6 | undefined,
    readonly header: { src: AddressMatcher; srcPorts: PortMatcher; dst: AddressMatcher; dstPorts: PortMatcher; bidirectional: boolean },
    readonly ctx: BuildContext,
  ) {
    this.current = this.list('payload', true);
  }

  private list(buffer: BufferKey, reuse: boolean): ListDraft {
    if (reuse) {
      const found = this.lists.find((l) => l.buffer === buffer && l.transforms.length === 0);
      if (found) return found;
    }
    const l: ListDraft = { buffer, transforms: [], steps: [] };
    this.lists.push(l);
    return l;
  }

  /** A sticky buffer keyword: following payload keywords inspect `buffer`. */
  setBuffer(buffer: BufferKey): void {
    this.current = this.list(buffer, true);
  }

  get currentBuffer(): BufferKey {
    return this.current.buffer;
  }

  /** The payload keywords of the current list so far. */
  currentSteps(): readonly Step[] {
    return this.current.steps;
  }

  /** A transform keyword: applies to the current sticky buffer, before any of its matches. */
  addTransform(t: Transform): void {
    if (this.current.buffer === 'payload') throw new KeywordError(`${t.name} needs a sticky buffer before it`);
    if (this.current.steps.length > 0) {
      // Matches already written for the untransformed buffer: start a transformed list of it.
      const fresh: ListDraft = { buffer: this.current.buffer, transforms: [...this.current.transforms], steps: [] };
      this.lists.push(fresh);
      this.current = fresh;
    }
    this.current.transforms.push(t);
  }

  /** Adds a payload keyword to the current buffer's list (or to `buffer`'s, for pcre /U and the like). */
  addStep(step: Step, buffer?: BufferKey): void {
    const l = buffer === undefined || buffer === this.current.buffer ? this.current : this.list(buffer, true);
    if (l.steps.length >= DETECT_LIMITS.maxOptionsPerRule) throw new KeywordError('too many keywords');
    l.steps.push(step);
    if (step.kind === 'content') this.lastContent = { step, list: l };
  }

  /** The content the modifier keyword `keyword` applies to. */
  lastContentFor(keyword: string): ContentStep {
    if (!this.lastContent) throw new KeywordError(`${keyword} needs a content before it`);
    return this.lastContent.step;
  }

  lastWasContentFamily(): boolean {
    return this.lastContent !== undefined && CONTENT_FAMILY.has(this.previousKeyword);
  }

  /** Legacy modifier: moves the last content to `buffer`'s list. */
  moveLastContentTo(buffer: BufferKey): void {
    const last = this.lastContent!;
    if (last.list.buffer === buffer) return;
    const at = last.list.steps.lastIndexOf(last.step);
    if (at >= 0) last.list.steps.splice(at, 1);
    const target = this.list(buffer, true);
    target.steps.push(last.step);
    this.lastContent = { step: last.step, list: target };
  }

  setFastPattern(step: ContentStep): void {
    if (this.fastPatternStep && this.fastPatternStep !== step) throw new KeywordError('only one fast_pattern per rule');
    this.fastPatternStep = step;
  }

  /** A new byte_extract/byte_math variable; the slot its value is kept in. */
  defineVar(name: string): number {
    this.slots ??= new Map();
    if (this.slots.has(name)) throw new KeywordError(`variable ${name} defined twice`);
    if (this.slots.size >= DETECT_LIMITS.maxByteVars) throw new KeywordError('too many byte_extract variables');
    const slot = this.slots.size;
    this.slots.set(name, slot);
    return slot;
  }

  /** A number, or a variable defined earlier by byte_extract/byte_math. */
  numOrVar(text: string, what: string): number | { slot: number } {
    const t = text.trim();
    if (/^-?\d+$/.test(t)) return Number(t);
    if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
    const slot = this.slots?.get(t);
    if (slot === undefined) throw new KeywordError(`${what}: ${JSON.stringify(t)} is neither a number nor a byte_extract variable`);
    return { slot };
  }

  /** Checks and compiles; throws KeywordError for a rule that cannot work. */
  finish(file: string, line: number, raw: string): Rule {
    if (this.sid === undefined) throw new KeywordError('rule has no sid');
    const lists: DetectList[] = [];
    for (const l of this.lists) {
      if (l.steps.length === 0) {
        if (l.buffer !== 'payload' || l.transforms.length > 0) throw new KeywordError(`${l.buffer} has no content or other match after it`);
        continue;
      }
      const inner = compileProgram(l.steps);
      const transforms = l.transforms;
      const program = transforms.length === 0 ? inner : {
        matchBuffer(buf: Uint8Array, state: Parameters<typeof inner.matchBuffer>[1]) {
          let b = buf;
          for (const t of transforms) b = t.apply(b);
          if (!inner.matchBuffer(b, state)) return false;
          state.matchEnd = -1; // positions in the transformed bytes are not the buffer's
          return true;
        },
      };
      lists.push({ buffer: l.buffer, direction: BUFFERS[l.buffer].direction, program });
    }
    const cls = this.classtype === undefined ? undefined : this.ctx.classifications.get(this.classtype);
    return {
      action: this.action,
      gid: this.gid,
      sid: this.sid,
      rev: this.rev,
      msg: this.msg,
      classtype: this.classtype,
      category: cls?.description,
      priority: this.priority ?? cls?.priority ?? 3,
      references: shared(this.references),
      metadata: shared(this.metadata),
      target: this.target,
      proto: this.proto,
      appProto: this.appProto,
      ipProtos: this.ipProtos,
      ipVersion: this.ipVersion,
      src: this.header.src,
      srcPorts: this.header.srcPorts,
      dst: this.header.dst,
      dstPorts: this.header.dstPorts,
      bidirectional: this.header.bidirectional,
      flow: this.flow,
      flowbits: shared(this.flowbits),
      noalert: this.noalert,
      flowints: shared(this.flowints),
      xbits: shared(this.xbits),
      threshold: this.threshold,
      detectionFilter: this.detectionFilter,
      packetTests: shared(this.packetTests),
      factTests: shared(this.factTests),
      lists,
      fastPattern: this.chooseFastPattern(),
      file,
      line,
      raw,
    };
  }

  /**
   * The explicit fast_pattern, else Suricata's choice: among lists without transforms, the buffer
   * with the highest priority that has a positive content, and its longest content.
   */
  private chooseFastPattern(): FastPattern | undefined {
    const fp = this.fastPatternStep;
    if (fp) {
      const list = this.lists.find((l) => l.steps.includes(fp))!;
      if (fp.negated) throw new KeywordError('fast_pattern cannot be on a negated content');
      if (list.transforms.length > 0 || afterBase64(list.steps, fp)) return undefined;
      let bytes = fp.pattern;
      const { offset, length } = fp.fastPattern ?? {};
      if (offset !== undefined && length !== undefined) {
        if (offset + length > bytes.length) throw new KeywordError('fast_pattern offset,length past the end of the content');
        bytes = bytes.subarray(offset, offset + length);
      }
      return { buffer: list.buffer, pattern: bytes, nocase: fp.nocase, only: fp.fastPattern?.only ?? false };
    }
    let best: { step: ContentStep; buffer: BufferKey; prio: number } | undefined;
    for (const l of this.lists) {
      if (l.transforms.length > 0) continue;
      const prio = BUFFERS[l.buffer].priority;
      for (const s of l.steps) {
        if (s.kind === 'base64_data') break; // later contents inspect decoded bytes, not the buffer
        if (s.kind !== 'content' || s.negated || s.pattern.length === 0) continue;
        if (!best || prio > best.prio || (prio === best.prio && s.pattern.length > best.step.pattern.length)) {
          best = { step: s, buffer: l.buffer, prio };
        }
      }
    }
    if (!best) return undefined;
    return { buffer: best.buffer, pattern: best.step.pattern, nocase: best.step.nocase, only: false };
  }
}
