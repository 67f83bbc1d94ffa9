/** The search area's API calls: field catalog, whois, geo/ASN (beside the shared calls in api.ts). */
import { getJson } from '../../api.js';

/** One field of GET /api/fields (src/api/routes/fields.ts; not imported: that module pulls in Fastify's types). */
export interface FieldInfo { name: string; type: string; log?: string; doc?: string }

/** GET /api/whois/{value} (WhoisAnswer in src/whois/index.ts, which pulls in node:net). */
export interface WhoisAnswer {
  query: string; kind: 'ip' | 'domain'; servers: string[]; text: string; truncated: boolean;
  referralFailed?: string; fetchedAt: string; cached: boolean;
}

/** Geo/ASN of an address (GET /api/geo/{ip}): whatever the server knows, shown as label/value pairs. */
export type GeoAnswer = Record<string, unknown>;

let fieldsOnce: Promise<{ logs: string[]; fields: FieldInfo[] }> | undefined;

export const searchApi = {
  /** The field catalog, fetched once per page load (it only changes with the server). */
  fields: () => {
    fieldsOnce ??= getJson<{ logs: string[]; fields: FieldInfo[] }>('/api/fields').catch((e: unknown) => { fieldsOnce = undefined; throw e; });
    return fieldsOnce;
  },
  whois: (value: string, signal?: AbortSignal) => getJson<WhoisAnswer>(`/api/whois/${encodeURIComponent(value)}`, undefined, signal),
  geo: (ip: string, signal?: AbortSignal) => getJson<GeoAnswer>(`/api/geo/${encodeURIComponent(ip)}`, undefined, signal),
};
