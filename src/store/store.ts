/**
 * The store: every capture's records, searchable and pivotable. One narrow interface, one folder
 * per backend (sqlite/, postgres/), one shared test suite (test/store/suite.ts) run against each.
 *
 * Records are kept as documents (the JSON the engine's writers make) with a few typed columns every
 * query needs (capture, log, ts, uid, community_id); what analysts search and pivot on is typed in
 * the observables index ((type, value) → capture, log, record). The tables are described in
 * CODE.md ("the store") and created by each backend's migrations.
 *
 * The store imports engine types only (RecordSink, LogSchema); the engine never imports the store.
 */
import type { RecordSink } from '../engine/logs/schema.js';
import type { IntelStore } from './intel/intel-store.js';

export type Visibility = 'public' | 'private';

/**
 * Who is asking (docs/contracts/access.md). A capture is visible when it is public, the viewer is
 * admin, or its submitter is the viewer's key id; anything else is "not found", never "forbidden".
 * Store methods that list or find take an optional viewer: omitted means LOCAL_ADMIN (the CLI is
 * local and trusted); the API always passes the request's viewer.
 */
export interface Viewer {
  /** The API key's id (`key_…`); absent for an anonymous request. */
  keyId?: string;
  /** Admin keys (and the local CLI) see everything. */
  admin?: boolean;
}
export const ANONYMOUS: Viewer = Object.freeze({});
export const LOCAL_ADMIN: Viewer = Object.freeze({ admin: true });

/** An API key as stored (the secret itself is never stored, only its SHA-256). */
export interface ApiKey {
  /** `key_` + 12 hex digits. */
  id: string;
  name: string;
  admin: boolean;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds; a revoked key is refused (401 BAD_API_KEY). */
  revokedAt?: number;
}
export type CaptureStatus = 'importing' | 'done' | 'failed';

/** What is known about a capture before its records are produced (hashes come from one read of the file). */
export interface CaptureMeta {
  /** SHA-256 of the capture file, lower-case hex: the capture's identity. */
  id: string;
  /** Required by the time the import commits: here, or from `produce` (CaptureFacts) when computed meanwhile. */
  md5?: string;
  sha1?: string;
  /** Bytes of the capture file as submitted (compressed size for a gzip'd capture). */
  size: number;
  /** File name as submitted (never used as a path). */
  name: string;
  submitter?: string;
  visibility?: Visibility;
  /** 'pcap' | 'pcapng', '+gzip' when compressed; may instead come back from `produce`. */
  format?: string;
}

/** Facts only known once the records are produced; `produce` may return them. */
export interface CaptureFacts {
  /** The file's MD5 and SHA-1 when CaptureMeta lacked them (the analysis job hashes them alongside). */
  md5?: string;
  sha1?: string;
  format?: string;
  linkTypes?: number[];
  firstTs?: number;
  lastTs?: number;
  packets?: number;
  /** The engine's run statistics (EngineStats), stored as JSON. */
  stats?: unknown;
}

/** A stored capture. */
export interface CaptureRow extends CaptureMeta, CaptureFacts {
  md5: string;
  sha1: string;
  visibility: Visibility;
  status: CaptureStatus;
  error?: string;
  /** Epoch seconds. */
  importedAt: number;
  recordCount: number;
}

export interface ImportResult {
  captureId: string;
  records: number;
  observables: number;
  /** True when an earlier import of the same capture was replaced. */
  replaced: boolean;
}

export interface Page {
  limit?: number;
  offset?: number;
}

/** Options of the methods that list or find: whose view (omitted: LOCAL_ADMIN). */
export interface ViewerOption {
  viewer?: Viewer;
}

export interface CaptureFilter extends Page, ViewerOption {
  submitter?: string;
  visibility?: Visibility;
  /** Newest import first (default) or oldest. */
  order?: 'newest' | 'oldest';
  /** Imported (submitted and stored) at or after / at or before, epoch seconds. */
  importedFrom?: number;
  importedTo?: number;
  /** First packet at or after / at or before, epoch seconds (captures without one are left out). */
  firstTsFrom?: number;
  firstTsTo?: number;
}

/** A stored record: its columns and the document as the engine wrote it. */
export interface StoredRecord {
  id: number;
  captureId: string;
  /** Schema path ('conn', 'dns', ...); EVE alerts are 'alert', notice.log 'notice'. */
  log: string;
  ts: number | null;
  uid: string | null;
  communityId: string | null;
  /** The parsed JSON document. */
  doc: Record<string, unknown>;
}

export interface RecordQuery extends Page, ViewerOption {
  /** Only records with ts in [from, to]. */
  from?: number;
  to?: number;
  uid?: string;
  /** Ascending by ts (default, ties by id) or descending. */
  sort?: 'ts' | '-ts';
}

/** A panel's view of one log of one capture (Store.logRows). */
export interface LogRowsQuery extends Page, ViewerOption {
  /** A query-language filter, scoped to the capture and the log (no `|` aggregation). */
  q?: string;
  /** `field` or `-field` (default `ts`): a column or any document field (query/log-view.ts says the order). */
  sort?: string;
}

export interface LogRowsResult {
  rows: StoredRecord[];
  /** Records the filter matches in the whole log. */
  total: number;
  /** A bad filter or sort field (rows empty, total 0). */
  error?: SearchError;
}

/** A position in one log's (ts, id) order, ts absent first (Store.logFields pages after it). */
export interface LogCursor {
  ts: number | null;
  id: number;
}

/** A record's chosen fields (Store.logFields): `values[i]` is paths[i]'s value, null when absent. */
export interface LogFieldsRow {
  id: number;
  ts: number | null;
  values: unknown[];
}

/** One place an observable was seen. */
export interface PivotHit {
  capture: Pick<CaptureRow, 'id' | 'name' | 'firstTs' | 'lastTs' | 'visibility'>;
  log: string;
  field: string;
  record: StoredRecord;
}

export interface SearchOptions extends Page, ViewerOption {}

export interface PivotOptions extends Page, ViewerOption {}

export interface SearchError {
  /** 0-based character offset in the query. */
  position: number;
  expected: string;
  message: string;
}

export interface AggregationRow {
  /** The grouped value (null when the field is absent); absent for a plain `| count`. */
  key?: unknown;
  count: number;
}

export interface SearchResult {
  rows?: StoredRecord[];
  aggregation?: AggregationRow[];
  error?: SearchError;
}
/** The capture's MD5 and SHA-1 as the import commits them: from its meta, else from `produce`'s facts. */
export function committedHashes(meta: CaptureMeta, facts: CaptureFacts): { md5: string; sha1: string } {
  const md5 = meta.md5 ?? facts.md5, sha1 = meta.sha1 ?? facts.sha1;
  if (md5 === undefined || sha1 === undefined) throw new Error(`the MD5 or SHA-1 of capture ${meta.id} is unknown: the import gave neither meta nor facts with it`);
  return { md5, sha1 };
}

/** The observable types the index knows (normalised values, see observables.ts). */
export const OBSERVABLE_TYPES = [
  'ip', 'domain', 'url', 'host', 'user_agent', 'md5', 'sha1', 'sha256', 'ja3', 'ja3s', 'ja4',
  'hassh', 'hasshServer', 'cert_fp', 'email', 'filename', 'uid', 'community_id',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

export interface Store {
  /**
   * Stores one capture's records, all or nothing: `produce` writes records to the sink (batched
   * into one transaction); if it throws, nothing of this import is kept and an earlier import of
   * the same capture stays as it was. A capture imported again replaces the earlier one.
   * Imports on one Store run one after another.
   */
  importCapture(meta: CaptureMeta, produce: (sink: RecordSink) => Promise<CaptureFacts | void>): Promise<ImportResult>;
  captures(filter?: CaptureFilter): Promise<CaptureRow[]>;
  /** By full sha256, or md5/sha1, or an unambiguous sha256 prefix (at least 8 hex digits). */
  capture(id: string, viewer?: Viewer): Promise<CaptureRow | undefined>;
  /** Removes the capture and everything derived from it; false when there was none. */
  deleteCapture(id: string): Promise<boolean>;
  /** Every record holding the observable (value normalised first), newest capture first. */
  pivot(type: ObservableType, value: string, page?: PivotOptions): Promise<PivotHit[]>;
  /** The query language (src/store/query/): rows or an aggregation, or an error with its position. */
  search(query: string, opts?: SearchOptions): Promise<SearchResult>;
  records(captureId: string, log: string, query?: RecordQuery): Promise<StoredRecord[]>;
  /** A page of one log filtered and sorted by any field, and the filtered total (log-rows.ts). */
  logRows(captureId: string, log: string, query?: LogRowsQuery): Promise<LogRowsResult>;
  /**
   * Chosen document fields (JSON paths) of one log's records after `after` in (ts, id) order, at
   * most `limit` (LOG_FIELDS_PAGE_MAX): a lean read for summaries, no document parsed in JS
   * (scanLogFields in log-rows.ts pages it). No viewer: the caller has checked the capture.
   */
  logFields(captureId: string, log: string, paths: readonly (readonly string[])[], page: { after?: LogCursor; limit: number }): Promise<LogFieldsRow[]>;
  /** How many captures the store holds, every status and visibility (for /metrics). */
  captureCount(): Promise<number>;
  /** A new API key; the secret (`cdx_…`) is returned once and only its SHA-256 is stored. */
  createKey(name: string, opts?: { admin?: boolean }): Promise<{ key: ApiKey; secret: string }>;
  /** The key whose secret this is (revoked keys too, with revokedAt set); undefined when none. */
  keyBySecret(secret: string): Promise<ApiKey | undefined>;
  /** Every key, oldest first. */
  keys(): Promise<ApiKey[]>;
  /** Revokes a key for good; false when there is no such key or it was already revoked. */
  revokeKey(id: string): Promise<boolean>;
  /** Labels, votes, comments, signatures, similar captures, suggestions, archive, trends (src/store/intel/). */
  readonly intel: IntelStore;
  close(): Promise<void>;
}

export type StoreLocation = { sqlite: string } | { pg: string };

/** What each backend module exports: `SqliteStore` from sqlite/sqlite-store.ts, `PgStore` from postgres/pg-store.ts. */
interface BackendModule {
  open(location: string): Promise<Store>;
}

/**
 * Backends load on demand, so a SQLite user never loads `pg` (and the reverse). The specifiers are
 * literals so that the CLI's bundle (scripts/bundle-cli.mjs) carries each backend as a chunk of its own.
 */
const BACKENDS: Record<'sqlite' | 'pg', () => Promise<BackendModule>> = {
  sqlite: async () => (await import('./sqlite/sqlite-store.js')).SqliteStore,
  pg: async () => (await import('./postgres/pg-store.js')).PgStore,
};

/** Opens (creating and migrating as needed) the store at `where`: a SQLite file path or a PostgreSQL URL. */
export async function openStore(where: StoreLocation): Promise<Store> {
  if ('sqlite' in where) return (await BACKENDS.sqlite()).open(where.sqlite);
  return (await BACKENDS.pg()).open(where.pg);
}
