/** The console's API calls: the capture summary, pages of its logs (filtered and sorted by the server), and geo batches. */
import { api, capturePath, getJson, sendJson, type StoredRecord } from '../../api.js';
import type { CaptureSummary } from '../../../../src/api/routes/summary-shape.js';

export type { CaptureSummary };

/** POST /api/geo answers (src/geo/geoip.ts GeoAnswer; not imported: it pulls in node modules). */
export interface GeoPoint { ip: string; private?: boolean; invalid?: boolean; country?: string | null; city?: string | null; lat?: number | null; lon?: number | null; asn?: number | null; org?: string | null }

/** A page of a panel's view: the log filtered and sorted by the server, with the view's row count. */
export interface ViewPage { records: StoredRecord[]; total?: number; partial?: boolean }

let fieldTypesOnce: Promise<Map<string, string>> | undefined;

export const consoleApi = {
  /** Field name (`conn.duration`, `alert.signature`) → its Zeek type, from GET /api/fields (fetched once a page load). */
  fieldTypes: (): Promise<Map<string, string>> => {
    fieldTypesOnce ??= getJson<{ fields: { name: string; type: string }[] }>('/api/fields')
      .then((r) => new Map(r.fields.map((f) => [f.name, f.type])))
      .catch((e: unknown) => { fieldTypesOnce = undefined; throw e; });
    return fieldTypesOnce;
  },
  /** Records per log from the store's aggregation (fast: the panels need only this to start). */
  logCounts: async (id: string, signal?: AbortSignal): Promise<{ log: string; count: number }[]> =>
    ((await api.search(`capture:${id} | count by log`, { limit: 1000 }, signal)).aggregation ?? [])
      .filter((a) => typeof a.key === 'string').map((a) => ({ log: a.key as string, count: a.count })),
  summary: (id: string, signal?: AbortSignal) => getJson<CaptureSummary>(capturePath(id, '/summary'), undefined, signal),
  /** One page of a log filtered by q (the search language, scoped by the server) and sorted by any field (`-field`: descending). */
  view: (id: string, log: string, p: { q: string; sort: string; offset: number; limit: number }, signal?: AbortSignal) =>
    getJson<ViewPage>(capturePath(id, `/logs/${encodeURIComponent(log)}`), { q: p.q || undefined, sort: p.sort, offset: p.offset, limit: p.limit }, signal),
  geo: (ips: string[]) => sendJson<GeoPoint[]>('POST', '/api/geo', { ips }),
};
