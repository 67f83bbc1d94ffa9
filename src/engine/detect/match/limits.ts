/**
 * Limits of the rule language. Rules are input too (a ruleset downloaded from anywhere), and
 * captures feed every match: each bound here keeps a hostile rule or buffer from hanging the engine.
 * Kept beside the detection code rather than in support/limits.ts because only detect/ reads them.
 */
export const DETECT_LIMITS = {
  /** byte_extract / byte_math variables per rule. Suricata allows a handful; real rules use 1-3. */
  maxByteVars: 16,
  /** Regex steps (node visits, backtracks included) per rule evaluation across all its pcre keywords.
   *  A benign pcre over a 64 KiB buffer stays well below; `(a+)+$` on a run of 'a' followed by 'b'
   *  would take 2^n. Running out counts as "no match" and is reported in MatchState. */
  pcreStepsPerRule: 2_000_000,
  /** Regex recursion depth (nested groups under quantifiers); deeper counts as no match. */
  pcreMaxDepth: 4000,
  /** Content matches retried when a relative chain backtracks, per buffer: Suricata's default
   *  detect.inspection-recursion-limit (3000). A hostile chain of `content:"a"; distance:0;` over a
   *  run of "a" would otherwise try every combination. Running out means no match. */
  maxContentBacktracks: 3000,
  /** Bytes of one rule (after joining continuation lines). ET's longest are a few KiB. */
  maxRuleBytes: 64 * 1024,
  /** Options per rule. */
  maxOptionsPerRule: 512,
  /** Bytes a byte_test/byte_jump/byte_extract may read (Suricata: up to 8 bytes binary,
   *  23 characters for a string number). */
  maxByteCount: 23,
  /** Entries of a variable expansion (address/port lists), and nesting depth of [ ] lists. */
  maxListEntries: 4096,
  maxListDepth: 16,
  /** Group nesting of a regex: the parser and matcher recurse per level. Real pcres nest < 10. */
  pcreMaxNesting: 64,
  /** Nodes of a compiled regex: a longer pattern is rejected as a rule error. */
  maxRegexNodes: 10_000,
} as const;
