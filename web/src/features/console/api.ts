/** The console's API calls: the capture summary, its logs' pages and filtered pages, and geo batches. */
import { api, capturePath, getJson, sendJson, type StoredRecord } from '../../api.js';
import type { CaptureSummary } from '../../../../src/api/routes/summary-shape.js';

export type { CaptureSummary };

/** POST /api/geo answers (src/geo/geoip.ts GeoAnswer; not imported: it pulls in node modules). */
export interface GeoPoint { ip: string; private?: boolean; invalid?: boolean; country?: string | null; city?: string | null; lat?: number | null; lon?: number | null; asn?: number | null; org?: string | null }

/** The search-language query of one log of one capture, narrowed by the panel's filter. */
export function panelQuery(captureId: string, log: string, filter: string): string {
  const f = filter.trim();
  return `capture:${captureId} log:"${log.replace(/["\\]/g, '')}"${f ? ` (${f})` : ''}`;
}

export const consoleApi = {
  /** Records per log from the store's aggregation (fast: the panels need only this to start). */
  logCounts: async (id: string, signal?: AbortSignal): Promise<{ log: string; count: number }[]> =>
    ((await api.search(`capture:${id} | count by log`, { limit: 1000 }, signal)).aggregation ?? [])
      .filter((a) => typeof a.key === 'string').map((a) => ({ log: a.key as string, count: a.count })),
  summary: (id: string, signal?: AbortSignal) => getJson<CaptureSummary>(capturePath(id, '/summary'), undefined, signal),
  page: async (id: string, log: string, offset: number, limit: number, sort: 'ts' | '-ts', signal?: AbortSignal): Promise<StoredRecord[]> =>
    (await api.logs(id, log, { offset, limit, sort }, signal)).records,
  filteredPage: async (id: string, log: string, filter: string, offset: number, limit: number, signal?: AbortSignal): Promise<StoredRecord[]> =>
    (await api.search(panelQuery(id, log, filter), { offset, limit }, signal)).rows ?? [],
  filteredCount: async (id: string, log: string, filter: string, signal?: AbortSignal): Promise<number> =>
    (await api.search(`${panelQuery(id, log, filter)} | count`, {}, signal)).aggregation?.[0]?.count ?? 0,
  geo: (ips: string[]) => sendJson<GeoPoint[]>('POST', '/api/geo', { ips }),
};
