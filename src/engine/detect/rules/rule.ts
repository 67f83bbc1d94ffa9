/**
 * The compiled rule: the contract between the rule-language parser (rules/, keywords/, match/)
 * and the detection engine that runs rules on traffic (detect/engine.ts).
 *
 * Everything a rule says is resolved at load time: variables are expanded into address and port
 * matchers, content/pcre/byte_* chains are compiled into one match program per buffer, header
 * keywords into predicates over a small PacketFacts object. What needs state that outlives one
 * packet (flowbits, flowint, threshold, detection_filter) is carried as plain data: the engine
 * owns that state and executes the ops.
 *
 * Shape of a match (Suricata 7 semantics):
 * - header: ipProtos, src/dst addresses and ports, direction (`<>` also tries the reverse);
 * - flow: the connection state and direction tests in `flow`;
 * - packetTests: every predicate true for the packet (ttl, flags, dsize, ...);
 * - lists: every list's program matches its buffer. A 'payload' list runs on the packet payload
 *   (or the reassembled stream chunk); the other lists name sticky buffers and must all match
 *   within ONE inspection unit (one direction of one transaction), a multi-buffer (array)
 *   matching if any element does;
 * - factTests: every predicate over unit facts (filesize, filemd5, ...) true;
 * - flowbits/flowint "test" ops true; then the "set" ops run and, unless `noalert`, an alert is
 *   subject to `threshold`/`detectionFilter`.
 */
import type { BufferName } from '../inspection.js';

/** What to do on a match. 'pass' suppresses later alerts for the packet/flow in Suricata. */
export type RuleAction =
  | 'alert' | 'pass' | 'drop' | 'reject' | 'rejectsrc' | 'rejectdst' | 'rejectboth';

/**
 * Which bytes a detection list inspects: 'payload' (Suricata's pkt_data / raw stream: the packet
 * payload or reassembled stream chunk), or a sticky buffer of an inspection unit.
 */
export type BufferKey = 'payload' | BufferName;

/** The direction of traffic a buffer exists in; buffers of both directions say 'both'. */
export type BufferDirection = 'toServer' | 'toClient' | 'both';

/** An address part of the header (`$HOME_NET`, `[10.0.0.0/8,!10.1.0.0/16]`, `any`), resolved. */
export interface AddressMatcher {
  /** True for `any`: the engine can skip the call. */
  readonly any: boolean;
  /** The hot path: the address as four uint32 words (IPv4 as ::ffff:a.b.c.d, see support/addr.ts). No allocation. */
  matchesWords(w0: number, w1: number, w2: number, w3: number): boolean;
  /** Convenience: text ("10.1.2.3", "2001:db8::1") or a four-word array. Unparseable text never matches. */
  matches(addr: string | readonly number[]): boolean;
}

/** A port part of the header (`any`, `80`, `1024:`, `[80,443,!8080]`, `$HTTP_PORTS`), resolved. */
export interface PortMatcher {
  readonly any: boolean;
  /** Port 0..65535; a bitmap lookup. For ICMP and other portless traffic the engine passes 0. */
  matches(port: number): boolean;
}

/** Suricata's flow keyword, parsed. Unset fields do not constrain. */
export interface FlowOptions {
  /** established: true; not_established: false. */
  readonly established?: boolean;
  /** stateless: the rule ignores connection state entirely (the default when `flow` is absent). */
  readonly stateless?: boolean;
  /** to_server / from_client: true; to_client / from_server: false. */
  readonly toServer?: boolean;
  /** only_stream: reassembled stream data only; no_stream: single packets only. */
  readonly onlyStream?: boolean;
  readonly noStream?: boolean;
  /** only_frag / no_frag. */
  readonly onlyFrag?: boolean;
  readonly noFrag?: boolean;
}

/**
 * One flowbits operation. Tests ('isset', 'isnotset') decide the match; actions ('set', 'unset',
 * 'toggle') run after all tests passed. `names` with mode 'or' is Suricata 7's `isset,a|b`,
 * mode 'and' is `set,a&b` (every name).
 */
export interface FlowbitOp {
  readonly op: 'set' | 'isset' | 'unset' | 'toggle' | 'isnotset';
  readonly names: readonly string[];
  readonly mode: 'and' | 'or';
}

/** One flowint operation: `flowint:name,op,value` (value a number or another flowint's name). */
export interface FlowintOp {
  readonly name: string;
  readonly op: '=' | '+' | '-' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 'isset' | 'notset';
  /** A number, or the name of another flowint; undefined for isset/notset. */
  readonly value?: number | string;
}

/**
 * One xbits (or hostbits) operation: a named bit on an address or an address pair rather than a
 * flow, so one connection can set what another tests. `expire` seconds after the last set the bit
 * is gone (Suricata's default: 30 s).
 */
export interface XbitOp {
  readonly op: 'set' | 'unset' | 'toggle' | 'isset' | 'isnotset';
  readonly name: string;
  readonly track: 'ip_src' | 'ip_dst' | 'ip_pair';
  readonly expire: number;
}

/** True when the op is a test (decides the match) rather than an assignment. */
export function isFlowintTest(op: FlowintOp['op']): boolean {
  return op !== '=' && op !== '+' && op !== '-';
}

/** threshold / detection_filter, as data: the engine keeps the counters per `track` key. */
export interface ThresholdSpec {
  /** 'threshold' | 'limit' | 'both' from `threshold:type ...`; 'detection_filter' from that keyword. */
  readonly type: 'threshold' | 'limit' | 'both' | 'detection_filter';
  readonly track: 'by_src' | 'by_dst' | 'by_rule' | 'by_both' | 'by_flow';
  readonly count: number;
  readonly seconds: number;
}

/**
 * What header keywords test, filled by the engine once per packet (one reused object). Fields a
 * packet does not have are -1 (tcpFlags of a UDP packet, icmpType of a TCP packet, ...).
 */
export interface PacketFacts {
  /** 4 or 6. */
  ipVersion: number;
  ttl: number;
  tos: number;
  /** IPv4 identification (IPv6: -1). */
  ipId: number;
  /** Protocol number of the transport (after IPv6 extension headers). */
  ipProto: number;
  /** Bit set of IPv4 options present, bit = IPOPT_* value of the `ipopts` keyword (see keywords/header.ts). */
  ipOpts: number;
  /** IPv4 fragment bits: 4 = Reserved, 2 = DF, 1 = MF. */
  fragBits: number;
  /** Fragment offset in bytes. */
  fragOffset: number;
  /** Source equals destination address (`sameip`). */
  sameIp: boolean;
  /** TCP flags byte plus CWR/ECE (the low 8 bits of the 12-bit field). */
  tcpFlags: number;
  tcpWindow: number;
  tcpSeq: number;
  tcpAck: number;
  icmpType: number;
  icmpCode: number;
  icmpId: number;
  icmpSeq: number;
  /** Payload length of this packet (`dsize`). */
  dsize: number;
  /**
   * TCP: how far each side's sequence numbers have advanced (payload bytes sent so far plus the
   * SYN), Suricata's stream_size measure; -1 for other protocols or a side not seen yet.
   */
  streamClient: number;
  streamServer: number;
}

/** A fresh PacketFacts with every field absent; the engine fills it in place per packet. */
export function emptyPacketFacts(): PacketFacts {
  return {
    ipVersion: -1, ttl: -1, tos: -1, ipId: -1, ipProto: -1, ipOpts: 0, fragBits: 0, fragOffset: 0,
    sameIp: false, tcpFlags: -1, tcpWindow: -1, tcpSeq: -1, tcpAck: -1,
    icmpType: -1, icmpCode: -1, icmpId: -1, icmpSeq: -1, dsize: -1,
    streamClient: -1, streamServer: -1,
  };
}

/** A compiled header keyword (ttl, flags, dsize, itype, ...). */
export interface PacketTest {
  /** The keyword as written, for diagnostics. */
  readonly keyword: string;
  test(facts: PacketFacts): boolean;
}

/** Facts of an inspection unit without a buffer (InspectionUnit.facts: size, md5, sha256, magic, ...). */
export type UnitFacts = Readonly<Record<string, string | number | undefined>>;

/** A compiled keyword over unit facts (filesize, filemd5, filesha256, filemagic). */
export interface FactTest {
  readonly keyword: string;
  /**
   * The InspectionUnit.proto whose units carry the fact ('file', 'dns', 'krb5', 'dcerpc'): a rule
   * made only of fact tests runs on those units, never on packets.
   */
  readonly unit: string;
  test(facts: UnitFacts | undefined): boolean;
}

/**
 * Per-evaluation scratch a match program uses. One per engine (or per thread), reused:
 * call `reset()` before evaluating a rule. byte_extract/byte_math variables live here so a
 * variable extracted in one buffer's list is usable in a later one of the same rule.
 */
export interface MatchState {
  /** byte_extract / byte_math results by slot (slots assigned at compile time). */
  readonly vars: Float64Array;
  /** Regex steps left for this rule evaluation (see match/regex.ts). */
  pcreStepsLeft: number;
  /** Times a pcre gave up because its step budget ran out (counted as "no match"); a stat for the engine. */
  pcreBudgetExhausted: number;
  /**
   * Where the last successful match program's final positional match ended in the buffer it was
   * given (the cursor after its last content, pcre or byte_jump), or -1 when it cannot say (no
   * positional match, a transformed or base64-decoded buffer): the stream door alerts a rule again
   * only on bytes after this, so an occurrence straddling the next segment boundary still alerts.
   */
  matchEnd: number;
  /** Prepares for the next rule: refills the pcre budget and clears the variables (the exhausted count is kept). */
  reset(): void;
}

/** A compiled match program for one buffer: content, pcre, byte_*, isdataat/bsize/dataset ... in rule order. */
export interface MatchProgram {
  /** Evaluates the whole chain (with Suricata's backtracking over content occurrences). Never throws. */
  matchBuffer(buf: Uint8Array, state: MatchState): boolean;
}

/** One detection list: the keywords that inspect one buffer. */
export interface DetectList {
  readonly buffer: BufferKey;
  readonly direction: BufferDirection;
  readonly program: MatchProgram;
}

/**
 * The pattern the prefilter indexes for this rule: the explicit `fast_pattern` content, else
 * Suricata's choice (the longest non-negated content of the highest-priority buffer).
 * A rule without one (no positive content) must be evaluated for every packet/unit of its group.
 */
export interface FastPattern {
  readonly buffer: BufferKey;
  /** The bytes (the `fast_pattern:offset,length` slice when given). */
  readonly pattern: Uint8Array;
  readonly nocase: boolean;
  /** `fast_pattern:only` (legacy; Suricata 7 decides itself): informational. */
  readonly only: boolean;
}

export interface RuleReference {
  readonly system: string;
  readonly value: string;
}

/** A compiled rule. Immutable once loaded. */
export interface Rule {
  readonly action: RuleAction;
  readonly gid: number;
  readonly sid: number;
  readonly rev: number;
  readonly msg: string;
  /** classtype name ('trojan-activity'); undefined when the rule has none. */
  readonly classtype?: string;
  /** The classtype's description (EVE alert.category). */
  readonly category?: string;
  /** `priority` keyword, else the classtype's priority, else 3 (EVE alert.severity). */
  readonly priority: number;
  readonly references: readonly RuleReference[];
  /** metadata key/value pairs in rule order; EVE groups them as { key: [values] }. */
  readonly metadata: readonly (readonly [string, string])[];
  /** target:src_ip / dest_ip (EVE source/target). */
  readonly target?: 'src_ip' | 'dest_ip';

  /** Header protocol as written: 'ip', 'tcp', 'udp', 'icmp', 'pkthdr', or an app-layer name ('http', 'dns', ...). */
  readonly proto: string;
  /** The app-layer protocol required ('http', 'dns', 'tls', 'ssh', 'smtp', 'ftp', 'file', ...), or undefined. */
  readonly appProto?: string;
  /** IP protocol numbers the rule can match (http → [6], dns → [6, 17], icmp → [1, 58]); null = any. */
  readonly ipProtos: readonly number[] | null;
  /** 4 or 6 for 'ipv4'/'ipv6' headers; else undefined (the address matchers decide per family). */
  readonly ipVersion?: 4 | 6;
  readonly src: AddressMatcher;
  readonly srcPorts: PortMatcher;
  readonly dst: AddressMatcher;
  readonly dstPorts: PortMatcher;
  /** '<>': the header also matches with source and destination swapped. */
  readonly bidirectional: boolean;

  readonly flow: FlowOptions;
  readonly flowbits: readonly FlowbitOp[];
  /** flowbits:noalert (or `noalert` keyword): run the set ops but never alert. */
  readonly noalert: boolean;
  readonly flowints: readonly FlowintOp[];
  readonly xbits: readonly XbitOp[];
  readonly threshold?: ThresholdSpec;
  readonly detectionFilter?: ThresholdSpec;

  readonly packetTests: readonly PacketTest[];
  readonly factTests: readonly FactTest[];
  /** One per inspected buffer, 'payload' first if present, then in rule order. */
  readonly lists: readonly DetectList[];
  readonly fastPattern?: FastPattern;

  /** Where the rule came from, for messages. */
  readonly file: string;
  readonly line: number;
  /** The rule text (continuations joined), for EVE's optional `rule` field and diagnostics. */
  readonly raw: string;
}

/** A rule that failed to load. */
export interface RuleError {
  readonly file: string;
  readonly line: number;
  /** 1-based column where the problem is (the keyword or header field). */
  readonly column: number;
  readonly reason: string;
}

/** What `parseRules(text, { file, vars })` (rules/parser.ts) returns. */
export interface ParseResult {
  readonly rules: Rule[];
  readonly errors: RuleError[];
  /** Rules not loaded because of a keyword we do not implement, counted per keyword. */
  readonly unsupported: Map<string, number>;
  /** Commented-out rules (`# alert ...`). */
  readonly disabled: number;
}

/**
 * The multi-pattern prefilter over one buffer (match/prefilter.ts `buildPrefilter(rules, buffer)`):
 * indexes the fast patterns of `rules` that live in `buffer`; `scan` reports the index (into the
 * `rules` array it was built from) of every rule whose fast pattern occurs in `buf`. A rule may be
 * reported more than once per scan. Rules of that array whose fast pattern is elsewhere or absent
 * are not reported: `unconditional` lists those that have no fast pattern at all (evaluate them
 * always).
 */
export interface Prefilter {
  readonly buffer: BufferKey;
  readonly patternCount: number;
  readonly unconditional: readonly number[];
  scan(buf: Uint8Array, onCandidate: (ruleIndex: number) => void): void;
}
