/**
 * A stored record's document as the JSON text the store holds (SQLite keeps it as TEXT), carried
 * next to the parsed `doc` under a symbol. The API sends a page of records with this text spliced
 * in (src/api/raw-docs.ts) instead of stringifying every parsed document again: for a page of 100
 * conn records that was half of the request's CPU. Not enumerable, so records compare, spread and
 * stringify exactly as before; a backend that has no text (PostgreSQL's JSONB) sets none.
 */
import type { StoredRecord } from './store.js';

const DOC_TEXT = Symbol('capdex.docText');

/** `rec` with `text` (the JSON of `rec.doc`, as stored) attached. */
export function withDocText(rec: StoredRecord, text: string): StoredRecord {
  Object.defineProperty(rec, DOC_TEXT, { value: text });
  return rec;
}

/** The stored JSON text of a record's document, when its backend kept it. */
export function docTextOf(rec: unknown): string | undefined {
  return typeof rec === 'object' && rec !== null ? (rec as { [DOC_TEXT]?: string })[DOC_TEXT] : undefined;
}
