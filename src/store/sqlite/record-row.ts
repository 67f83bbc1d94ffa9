/** A records row as SQLite returns it, and its StoredRecord form. */
import type { StoredRecord } from '../store.js';
import { withDocText } from '../doc-text.js';

export interface RecordDbRow {
  id: number; capture_id: string; log: string; ts: number | null; uid: string | null; community_id: string | null; doc: string;
}

export function toStoredRecord(r: RecordDbRow): StoredRecord {
  // The text too: the API sends it as is (doc-text.ts).
  return withDocText({ id: r.id, captureId: r.capture_id, log: r.log, ts: r.ts, uid: r.uid, communityId: r.community_id, doc: JSON.parse(r.doc) as Record<string, unknown> }, r.doc);
}
