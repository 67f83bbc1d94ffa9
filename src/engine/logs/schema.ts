/**
 * Log schemas, declared once: field names, Zeek types and a doc string per field. Writers
 * (JSON, TSV), the store and the UI's field help all derive from these declarations.
 */
export type ZeekType =
  | 'time' | 'interval' | 'double' | 'count' | 'int' | 'port' | 'bool' | 'string' | 'addr' | 'subnet' | 'enum'
  | 'set[string]' | 'set[addr]' | 'set[enum]' | 'vector[string]' | 'vector[count]' | 'vector[interval]' | 'vector[addr]';

export interface FieldSpec {
  readonly name: string;
  readonly type: ZeekType;
  readonly doc: string;
  /** Values come from our own code in a fixed alphabet (uids, states, base64): never need escaping. */
  readonly plain?: boolean;
}

export interface LogSchema {
  /** File stem and Zeek `#path`: "conn" → conn.log. */
  readonly path: string;
  readonly doc: string;
  readonly fields: readonly FieldSpec[];
  /**
   * Records are nested JSON documents (EVE: `alert{...}`), which TSV cannot hold: files write them
   * as JSON lines to `<path>.json` whatever the format; `fields` then only documents them.
   */
  readonly document?: boolean;
}

/** A record: field name → value; absent (unset) fields are undefined or missing. */
export type LogRecord = Record<string, unknown>;

/** Where records go: files, the store, a test's array. */
export interface RecordSink {
  write(schema: LogSchema, record: LogRecord): void;
}

export function field(name: string, type: ZeekType, doc: string, opts?: { plain?: boolean }): FieldSpec {
  return opts?.plain ? { name, type, doc, plain: true } : { name, type, doc };
}

/** The connection identity every connection-bound log starts with. */
export const CONN_ID_FIELDS: readonly FieldSpec[] = [
  field('id.orig_h', 'addr', "The originator's IP address."),
  field('id.orig_p', 'port', "The originator's port (ICMP: message type)."),
  field('id.resp_h', 'addr', "The responder's IP address."),
  field('id.resp_p', 'port', "The responder's port (ICMP: counterpart type, or code for one-way messages)."),
];
