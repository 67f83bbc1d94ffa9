/**
 * The heuristic contract. A heuristic watches the records the engine writes (conn, dns, http,
 * ssl, x509, files, ...) and reports behaviour no single record shows: a host asking for many
 * random-looking names, connections at a clock-like rhythm, an executable behind a .png URL.
 *
 * Records are attacker-controlled: a heuristic reads fields defensively (a field may be absent
 * or of an unexpected shape), never throws, and keeps its state in capped tables (BoundedTable,
 * support limits), because one capture can hold millions of hosts, names and connections.
 */
import type { LogRecord } from '../../logs/schema.js';
import type { IntelSet } from './intel-set.js';

/** One finding; the sink turns it into a notice.log record. */
export interface Notice {
  /** Capture time the behaviour was first seen. */
  ts: number;
  /** Stable name, `Capdex::Something`. */
  note: string;
  msg: string;
  sub?: string;
  /** The connection it is about, when it is about one (also the first of `uids`). */
  uid?: string;
  /** The record whose id.* fields locate the notice (a conn-bound record). */
  conn?: LogRecord;
  fuid?: string;
  fileMimeType?: string;
  fileDesc?: string;
  proto?: string;
  src?: string;
  dst?: string;
  p?: number;
  n?: number;
  /** Connections that support the finding (deduplicated and capped by the sink). */
  uids?: Iterable<string>;
}

/** What a heuristic reports through. */
export interface NoticeLog {
  notice(n: Notice): void;
  /** A state table of this heuristic is full: reported once per name as a weird. */
  limitReached(name: string, addl?: string): void;
}

/** What a run configures for its heuristics. */
export interface HeuristicConfig {
  /** Indicators loaded with --intel (empty when none). */
  readonly intel: IntelSet;
}

export interface Heuristic {
  /** The logs this instance needs when fewer than its descriptor names (intel matching with no
   *  indicators of a type skips that type's logs): the sink hands it no other records. */
  readonly logs?: readonly string[];
  /** Sees every record of the logs it observes, in the order the engine writes them. */
  observe(path: string, rec: LogRecord, log: NoticeLog): void;
  /** End of the capture: report what was aggregated. */
  finish(log: NoticeLog): void;
}

export interface HeuristicDescriptor {
  /** Short name (`dga-domain`), for selection and reports. */
  readonly name: string;
  /** The notes it raises. */
  readonly notes: readonly string[];
  /** What a notice means and its false positives. */
  readonly doc: string;
  /** Log paths it observes ('conn', 'dns', ...). */
  readonly logs: readonly string[];
  create(config: HeuristicConfig): Heuristic;
}
