/** Rows as PostgreSQL returns them, turned into the Store's shapes (text decoded, see pg-text.ts). */
import type { CaptureRow, StoredRecord } from '../store.js';
import { decodeText } from './pg-text.js';

export interface CaptureDbRow {
  id: string; md5: string | null; sha1: string | null; size: number | null; format: string | null;
  link_types: string | null; first_ts: number | null; last_ts: number | null; packets: number | null;
  name: string | null; submitter: string | null; visibility: string; status: string; error: string | null;
  imported_at: number; stats: unknown; record_count: number;
}

export interface RecordDbRow {
  id: number; capture_id: string; log: string; ts: number | null; uid: string | null; community_id: string | null;
  doc: Record<string, unknown>;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const optText = (v: string | null): string | undefined => (v === null ? undefined : decodeText(v));

export function captureFromRow(r: CaptureDbRow): CaptureRow {
  const row: CaptureRow = {
    id: decodeText(r.id), md5: decodeText(r.md5 ?? ''), sha1: decodeText(r.sha1 ?? ''), size: r.size ?? 0,
    name: decodeText(r.name ?? ''), visibility: r.visibility === 'public' ? 'public' : 'private',
    status: r.status === 'done' || r.status === 'failed' ? r.status : 'importing',
    importedAt: r.imported_at, recordCount: r.record_count,
  };
  const more: Partial<CaptureRow> = {
    submitter: optText(r.submitter), format: optText(r.format), firstTs: opt(r.first_ts), lastTs: opt(r.last_ts),
    packets: opt(r.packets), stats: opt(r.stats), error: optText(r.error),
    linkTypes: r.link_types === null ? undefined : (JSON.parse(r.link_types) as number[]),
  };
  for (const [k, v] of Object.entries(more)) if (v !== undefined) (row as unknown as Record<string, unknown>)[k] = v;
  return row;
}

export function recordFromRow(r: RecordDbRow): StoredRecord {
  return {
    id: r.id, captureId: decodeText(r.capture_id), log: decodeText(r.log), ts: r.ts,
    uid: r.uid === null ? null : decodeText(r.uid), communityId: r.community_id === null ? null : decodeText(r.community_id),
    doc: r.doc,
  };
}
