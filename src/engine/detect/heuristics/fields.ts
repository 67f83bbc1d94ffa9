/**
 * Defensive field readers for records the heuristics observe: a record is a plain object whose
 * fields may be absent, and the heuristics must not trust their shape (a future analyzer, or a
 * bug, could put a number where a string was expected). Each reader returns undefined instead.
 */
import type { LogRecord } from '../../logs/schema.js';

export function str(rec: LogRecord, name: string): string | undefined {
  const v = rec[name];
  return typeof v === 'string' ? v : undefined;
}

export function num(rec: LogRecord, name: string): number | undefined {
  const v = rec[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(rec: LogRecord, name: string): boolean | undefined {
  const v = rec[name];
  return typeof v === 'boolean' ? v : undefined;
}

/** A vector/set field's string elements (sets may arrive as arrays or Sets). */
export function strs(rec: LogRecord, name: string): readonly string[] {
  const v = rec[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (v instanceof Set) return [...v].filter((x): x is string => typeof x === 'string');
  return [];
}

/** The connection identity of a conn-bound record, or undefined when it has none. */
export interface ConnId { uid: string; origH: string; origP: number; respH: string; respP: number }

export function connId(rec: LogRecord): ConnId | undefined {
  const uid = str(rec, 'uid');
  const origH = str(rec, 'id.orig_h');
  const respH = str(rec, 'id.resp_h');
  if (uid === undefined || origH === undefined || respH === undefined) return undefined;
  return { uid, origH, origP: num(rec, 'id.orig_p') ?? 0, respH, respP: num(rec, 'id.resp_p') ?? 0 };
}

/** The notice fields that place a finding on the connection of `rec` (uid, id.*, src/dst/p, proto). */
export function aboutConn(rec: LogRecord, proto = str(rec, 'proto')): { uid?: string; conn: LogRecord; proto?: string; src?: string; dst?: string; p?: number } {
  return { uid: str(rec, 'uid'), conn: rec, proto, src: str(rec, 'id.orig_h'), dst: str(rec, 'id.resp_h'), p: num(rec, 'id.resp_p') };
}

/**
 * A small copy of a record's connection identity, for tables that keep the first record of each
 * of up to heuristicMaxKeys keys: the whole record (a conn.log row has ~25 fields) would cost
 * many times more memory.
 */
export function connRef(rec: LogRecord): LogRecord {
  // Field by field with literal names: a loop over a list of names made each read a keyed lookup
  // across every record shape (megamorphic), once per new key of the tables that keep these.
  const o: LogRecord = {};
  const ts = rec.ts, uid = rec.uid, oh = rec['id.orig_h'], op = rec['id.orig_p'], rh = rec['id.resp_h'], rp = rec['id.resp_p'], proto = rec.proto;
  if (ts !== undefined) o.ts = ts;
  if (uid !== undefined) o.uid = uid;
  if (oh !== undefined) o['id.orig_h'] = oh;
  if (op !== undefined) o['id.orig_p'] = op;
  if (rh !== undefined) o['id.resp_h'] = rh;
  if (rp !== undefined) o['id.resp_p'] = rp;
  if (proto !== undefined) o.proto = proto;
  return o;
}
