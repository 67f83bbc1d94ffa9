/**
 * Ingest, backend-agnostic: one record from the engine (or from Zeek/EVE files) becomes the row
 * the backends insert: typed columns, the document text, the free text for the full-text index
 * and its observables. Backends batch these rows inside one transaction per capture.
 *
 * The document is the JSON the engine's writer makes for that record (jsonLine without its
 * newline), so what the store returns is byte-for-byte what `capdex analyze` writes; nested
 * documents (EVE) and records imported from other tools' files are kept as JSON.stringify gives them.
 */
import type { LogRecord, LogSchema } from '../engine/logs/schema.js';
import { jsonLine } from '../engine/logs/json-writer.js';
import { FTS_TEXT_MAX_CHARS } from './limits.js';
import { ObservableExtractor, type ObservableRow, isDocumentSchema, storedLogName } from './observables.js';

/** Schemas whose records are stored verbatim (JSON.stringify), e.g. built from an imported Zeek file's header. */
const VERBATIM_SCHEMAS = new WeakSet<LogSchema>();

/** Marks a schema made for imported records: their keys may be ones our schema does not know, and all are kept. */
export function markVerbatim(schema: LogSchema): LogSchema {
  VERBATIM_SCHEMAS.add(schema);
  return schema;
}

/** A record as the backends store it. One instance is reused per encoder: copy what you keep. */
export interface IngestRow {
  log: string;
  ts: number | null;
  uid: string | null;
  communityId: string | null;
  doc: string;
  /** The record's string values, for the full-text index. */
  text: string;
  observables: ObservableRow[];
  /** For files.log records with a SHA-256: the file's facts (files / file_sightings tables). */
  file: FileFacts | null;
}

export interface FileFacts {
  sha256: string;
  md5: string | null;
  sha1: string | null;
  mime: string | null;
  size: number | null;
  ts: number | null;
}

export class RecordEncoder {
  private readonly observables = new ObservableExtractor();
  private readonly row: IngestRow = { log: '', ts: null, uid: null, communityId: null, doc: '', text: '', observables: [], file: null };

  encode(schema: LogSchema, rec: LogRecord): IngestRow {
    const row = this.row;
    const document = isDocumentSchema(schema);
    row.log = storedLogName(schema);
    // Zeek writes ts as epoch seconds, or ISO 8601 text when configured so (JSON::TS_FORMAT).
    row.ts = document ? eveTime(rec.timestamp) : finiteOrNull(rec.ts) ?? eveTime(rec.ts);
    row.uid = typeof rec.uid === 'string' && rec.uid !== '' ? rec.uid : null;
    row.communityId = typeof rec.community_id === 'string' && rec.community_id !== '' ? rec.community_id : null;
    if (document || VERBATIM_SCHEMAS.has(schema)) row.doc = JSON.stringify(rec);
    else {
      const line = jsonLine(schema, rec);
      row.doc = line.slice(0, line.length - 1);
    }
    row.text = freeText(rec);
    this.observables.extract(schema, rec, row.observables);
    row.file = row.log === 'files' ? fileFacts(rec, row.ts) : null;
    return row;
  }
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** EVE "2009-11-24T21:27:09.534255+0000" → epoch seconds (microseconds kept), null when not that shape. */
export function eveTime(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (!m) return null;
  let zone = m[3] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = zone.slice(0, 3) + ':' + zone.slice(3);
  const ms = Date.parse(m[1] + zone);
  if (!Number.isFinite(ms)) return null;
  const frac = m[2] ? Number('0.' + m[2]) : 0;
  return ms / 1000 + frac;
}

/**
 * The record's string values (nested ones too), space-separated and capped: bare words in a
 * query match these. Keys and numbers are left out: they are searched as fields, not words.
 */
export function freeText(rec: LogRecord): string {
  const parts: string[] = [];
  let size = 0;
  const visit = (v: unknown, depth: number): void => {
    if (size >= FTS_TEXT_MAX_CHARS) return;
    if (typeof v === 'string') {
      if (v === '') return;
      const s = v.length > FTS_TEXT_MAX_CHARS - size ? v.slice(0, FTS_TEXT_MAX_CHARS - size) : v;
      parts.push(s);
      size += s.length + 1;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length && size < FTS_TEXT_MAX_CHARS; i++) visit(v[i], depth + 1);
    } else if (v !== null && typeof v === 'object' && depth < 8) {
      for (const k in v as Record<string, unknown>) visit((v as Record<string, unknown>)[k], depth + 1);
    }
  };
  for (const k in rec) visit(rec[k], 0);
  return parts.join(' ');
}

const HEX64 = /^[0-9a-f]{64}$/;

function fileFacts(rec: LogRecord, ts: number | null): FileFacts | null {
  const sha256 = typeof rec.sha256 === 'string' ? rec.sha256.toLowerCase() : '';
  if (!HEX64.test(sha256)) return null;
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const size = finiteOrNull(rec.total_bytes) ?? finiteOrNull(rec.seen_bytes);
  return { sha256, md5: str(rec.md5), sha1: str(rec.sha1), mime: str(rec.mime_type), size, ts };
}
