/** Browse's API calls: captures within dates, a label's captures (the archive), and downloads that must carry the API key. */
import { apiKey, failure, getJson, type CaptureList, type CaptureRow } from '../../api.js';
import type { ArchiveEntry, CaptureRef } from '../../../../src/store/intel/intel-store.js';

export type LabelledCapture = CaptureRef & { labels: string[] };
/** A row of the list: a full capture row, or (by label) the archive's shorter reference. */
export interface BrowseRow {
  id: string; name: string; visibility: string; firstTs?: number | null;
  size?: CaptureRow['size']; packets?: CaptureRow['packets']; recordCount?: number;
}

export const browseApi = {
  /** Analysed captures, newest first, within time bounds (epoch seconds, inclusive; dates.ts). */
  captures: (p: { limit: number; offset?: number } & Record<string, number | undefined>, signal?: AbortSignal) =>
    getJson<CaptureList>('/api/captures', p, signal),
  /** Captures carrying a label (any kind), newest first: GET /api/archive/{label}. */
  byLabel: (label: string, signal?: AbortSignal) =>
    getJson<{ entries: ArchiveEntry[]; captures: LabelledCapture[] }>(`/api/archive/${encodeURIComponent(label)}`, undefined, signal),
};

/** The three downloads of a capture. */
export const DOWNLOADS = [
  { rest: '/pcap', text: 'pcap', title: 'The capture file as uploaded' },
  { rest: '/files.zip', text: 'files', title: 'Extracted files, zip with the password "infected"' },
  { rest: '/logs.zip', text: 'logs', title: 'Every log (Zeek JSON, eve.json), zipped' },
] as const;

/**
 * Downloads with the API key (a plain link cannot send the Authorization header, and a private
 * capture is "not found" without it): fetch, then hand the bytes to the browser as a file.
 */
export async function downloadWithKey(path: string, fileName: string): Promise<void> {
  const key = apiKey.get();
  const r = await fetch(path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (!r.ok) throw await failure(r);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
