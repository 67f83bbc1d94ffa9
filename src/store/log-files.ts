/**
 * Logs made elsewhere into the store: a Zeek log directory (JSON lines or TSV with `#fields`
 * headers) or a Suricata eve.json (its alerts). Records are kept verbatim (every key, even ones
 * our schemas do not know); the schema used for a log supplies field types (addr fields feed the
 * ip observables), from our own schema of that name, else from the TSV `#types` header, else
 * 'string' with Zeek's conn id addresses typed addr.
 *
 * The files are as hostile as captures: lines are capped (IMPORT_LINE_MAX_BYTES), a line that is
 * not JSON or not a record is counted and skipped, never fatal.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FieldSpec, LogRecord, LogSchema, RecordSink, ZeekType } from '../engine/logs/schema.js';
import { EVE_LOG } from '../engine/detect/eve-log.js';
import { LOG_SCHEMAS } from './query/log-catalog.js';
import { markVerbatim } from './ingest.js';
import { IMPORT_LINE_MAX_BYTES } from './limits.js';
import type { CaptureFacts, CaptureMeta } from './store.js';

export interface LogImportStats {
  files: number;
  records: number;
  /** Lines that were not JSON objects / TSV rows of the header's width, or longer than the cap. */
  badLines: number;
  /** EVE events other than alerts (flow, dns, http, ...), which are not imported. */
  skippedEvents: number;
}

/** Lines of a file, each at most `max` bytes; a longer line yields undefined (and is skipped whole). */
export async function* boundedLines(path: string, max = IMPORT_LINE_MAX_BYTES): AsyncGenerator<string | undefined> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    let start = 0;
    for (let nl = buf.indexOf(10, start); ; nl = buf.indexOf(10, start)) {
      const end = nl < 0 ? buf.length : nl;
      if (!overflow) {
        if (size + end - start > max) { overflow = true; parts = []; size = 0; } else if (end > start) { parts.push(buf.subarray(start, end)); size += end - start; }
      }
      if (nl < 0) break;
      yield overflow ? undefined : Buffer.concat(parts, size).toString('utf8');
      parts = []; size = 0; overflow = false;
      start = nl + 1;
    }
  }
  if (overflow) yield undefined;
  else if (size > 0) yield Buffer.concat(parts, size).toString('utf8');
}

const KNOWN = new Map(LOG_SCHEMAS.map((s) => [s.path, s]));
const CONN_ID_ADDRS = new Set(['id.orig_h', 'id.resp_h']);

/** A schema for imported records of `path`: ours when we have one, else built from what the file says. */
function importSchema(path: string, fields: readonly string[], types?: readonly string[]): LogSchema {
  const ours = KNOWN.get(path);
  const specs: FieldSpec[] = ours ? [...ours.fields] : [];
  const have = new Set(specs.map((f) => f.name));
  fields.forEach((name, i) => {
    if (have.has(name)) return;
    const type = (types?.[i] ?? (CONN_ID_ADDRS.has(name) ? 'addr' : 'string')) as ZeekType;
    specs.push({ name, type, doc: 'Imported field.' });
  });
  // A document log of ours (eve.json next to Zeek logs) stays a document: nested paths, ts from `timestamp`.
  return markVerbatim({ path, doc: `Imported ${path} records.`, fields: specs, ...(ours?.document ? { document: true } : {}) });
}

/** One TSV value as JSON: numbers, booleans, sets/vectors as arrays; undefined when unset. */
function tsvValue(raw: string, type: string, h: TsvHeader): unknown {
  if (raw === h.unset) return undefined;
  const container = /^(set|vector)\[(.+)\]$/.exec(type);
  if (container) {
    if (raw === h.empty) return [];
    return raw.split(h.setSeparator).map((v) => tsvValue(v, container[2], h));
  }
  switch (type) {
    case 'count': case 'int': case 'port': case 'double': case 'time': case 'interval': {
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw;
    }
    case 'bool': return raw === 'T' ? true : raw === 'F' ? false : raw;
    default: return raw === h.empty ? '' : raw;
  }
}

interface TsvHeader {
  separator: string; setSeparator: string; empty: string; unset: string; path: string;
  fields: string[]; types: string[];
}

/** `\x09` style escapes of Zeek's header values. */
const unescapeHeader = (v: string): string => v.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

async function importZeekFile(file: string, sink: RecordSink, stats: LogImportStats): Promise<void> {
  const stem = basename(file).split('.')[0];
  let tsv: TsvHeader | undefined;
  let schema: LogSchema | undefined;
  let jsonSchemaKeys = '';
  for await (const line of boundedLines(file)) {
    if (line === undefined) { stats.badLines++; continue; }
    if (line === '') continue;
    if (line.startsWith('#')) {
      tsv ??= { separator: '\t', setSeparator: ',', empty: '(empty)', unset: '-', path: stem, fields: [], types: [] };
      const sp = line.indexOf(line.startsWith('#separator') ? ' ' : tsv.separator);
      const key = line.slice(1, sp < 0 ? line.length : sp);
      const rest = sp < 0 ? '' : line.slice(sp + 1);
      if (key === 'separator') tsv.separator = unescapeHeader(rest);
      else if (key === 'set_separator') tsv.setSeparator = unescapeHeader(rest);
      else if (key === 'empty_field') tsv.empty = rest;
      else if (key === 'unset_field') tsv.unset = rest;
      else if (key === 'path') tsv.path = rest;
      else if (key === 'fields') tsv.fields = rest.split(tsv.separator);
      else if (key === 'types') { tsv.types = rest.split(tsv.separator); schema = importSchema(tsv.path, tsv.fields, tsv.types); }
      continue;
    }
    if (tsv && tsv.fields.length > 0) {
      const values = line.split(tsv.separator);
      if (values.length !== tsv.fields.length) { stats.badLines++; continue; }
      const rec: LogRecord = {};
      for (let i = 0; i < values.length; i++) {
        const v = tsvValue(values[i], tsv.types[i] ?? 'string', tsv);
        if (v !== undefined) rec[tsv.fields[i]] = v;
      }
      schema ??= importSchema(tsv.path, tsv.fields, tsv.types);
      sink.write(schema, rec);
      stats.records++;
      continue;
    }
    const rec = parseObject(line);
    if (!rec) { stats.badLines++; continue; }
    const keys = Object.keys(rec);
    // One schema per file unless new keys show up (sparse fields): rebuilt only then.
    const sig = keys.join('\u0000');
    if (!schema || (sig !== jsonSchemaKeys && keys.some((k) => !schema!.fields.some((f) => f.name === k)))) {
      schema = importSchema(stem, keys);
      jsonSchemaKeys = sig;
    }
    sink.write(schema, rec);
    stats.records++;
  }
}

function parseObject(line: string): LogRecord | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The files of a Zeek log directory, in name order (`*.log`, `*.json`). */
export function zeekLogFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /\.(log|json)$/.test(f)).sort().map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

/**
 * SHA-256 (the id), MD5 and SHA-1 over the files' bytes in order, in one streamed pass: a capture's
 * identity, and that of imported logs (a re-import of the same files replaces).
 */
export async function hashFiles(files: readonly string[]): Promise<Required<Pick<CaptureMeta, 'id' | 'md5' | 'sha1' | 'size'>>> {
  const sha256 = createHash('sha256'), md5 = createHash('md5'), sha1 = createHash('sha1');
  let size = 0;
  for (const f of files) {
    for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      sha256.update(b); md5.update(b); sha1.update(b);
      size += b.length;
    }
  }
  return { id: sha256.digest('hex'), md5: md5.digest('hex'), sha1: sha1.digest('hex'), size };
}

/** Writes every record of a Zeek log directory to `sink`. */
export async function produceZeekDir(files: readonly string[], sink: RecordSink, stats: LogImportStats): Promise<CaptureFacts> {
  for (const f of files) {
    stats.files++;
    await importZeekFile(f, sink, stats);
  }
  return { format: 'zeek-logs' };
}

/** Writes the alerts of a Suricata eve.json to `sink` (other event types are counted, not stored). */
export async function produceEveFile(file: string, sink: RecordSink, stats: LogImportStats): Promise<CaptureFacts> {
  stats.files++;
  for await (const line of boundedLines(file)) {
    if (line === undefined) { stats.badLines++; continue; }
    if (line.trim() === '') continue;
    const rec = parseObject(line);
    if (!rec) { stats.badLines++; continue; }
    if (rec.event_type !== 'alert') { stats.skippedEvents++; continue; }
    sink.write(EVE_LOG, rec);
    stats.records++;
  }
  return { format: 'eve' };
}

export function newLogImportStats(): LogImportStats {
  return { files: 0, records: 0, badLines: 0, skippedEvents: 0 };
}
