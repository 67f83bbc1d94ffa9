/**
 * Shared intelligence's API calls (src/api/routes/archive.ts, trends.ts, similar.ts, labels.ts,
 * drafts.ts, export.ts, retro-hunt.ts): the archive, trends, a capture's similar captures, label
 * suggestions, signature drafts and exports, and retro-hunts. Types come from the server's modules.
 */
import { capturePath, getJson, query, sendJson } from '../../api.js';
import type { ArchiveEntry, CaptureRef, SimilarHit, Suggestion, TrendInterval, TrendPeriod } from '../../../../src/store/intel/intel-store.js';
import type { DraftSet, RuleDraft } from '../../../../src/store/intel/drafts.js';
import type { Hunt, HuntAlert, HuntFileMatch, HuntKind, HuntSummary } from '../../../../src/jobs/retro-hunt.js';

export type { ArchiveEntry, CaptureRef, SimilarHit, Suggestion, TrendInterval, TrendPeriod, DraftSet, RuleDraft, Hunt, HuntAlert, HuntFileMatch, HuntKind, HuntSummary };
export type ArchiveCapture = CaptureRef & { labels: string[] };

/** The export formats of GET /api/captures/{id}/export. */
export const EXPORTS = [
  { format: 'stix', text: 'STIX 2.1', ext: 'stix.json', title: 'A STIX 2.1 bundle: indicators, observed data, labels as relationships' },
  { format: 'misp', text: 'MISP', ext: 'misp.json', title: 'A MISP event (JSON) with its attributes and tags' },
  { format: 'csv', text: 'CSV', ext: 'csv', title: 'An IOC list: type, value, context' },
] as const;

export const intelApi = {
  archive: (signal?: AbortSignal) => getJson<{ entries: ArchiveEntry[] }>('/api/archive', undefined, signal),
  archiveLabel: (label: string, kind: string | undefined, signal?: AbortSignal) =>
    getJson<{ entries: ArchiveEntry[]; captures: ArchiveCapture[] }>(`/api/archive/${encodeURIComponent(label)}`, { kind }, signal),
  trends: (interval: TrendInterval, label: string | undefined, signal?: AbortSignal) =>
    getJson<{ interval: TrendInterval; periods: TrendPeriod[] }>('/api/trends', { interval, label }, signal),
  similar: (id: string, limit: number, signal?: AbortSignal) =>
    getJson<SimilarHit[]>(`/api/similar/${encodeURIComponent(id)}`, { limit }, signal),
  suggestions: (id: string, signal?: AbortSignal) =>
    getJson<{ suggestions: Suggestion[] }>(capturePath(id, '/suggestions'), undefined, signal),
  drafts: (id: string, signal?: AbortSignal) => getJson<DraftSet>(capturePath(id, '/drafts'), undefined, signal),
  draftsFile: (id: string) => capturePath(id, '/drafts?format=rules'),
  exportFile: (id: string, format: string) => capturePath(id, `/export?format=${encodeURIComponent(format)}`),
  labelDrafts: (label: string, kind: string, signal?: AbortSignal) =>
    getJson<DraftSet & { captures: number }>(`/api/labels/${encodeURIComponent(label)}/drafts`, { kind }, signal),
  labelDraftsFile: (label: string, kind: string) => `/api/labels/${encodeURIComponent(label)}/drafts${query({ kind, format: 'rules' })}`,
  labelExportFile: (label: string, kind: string, format: string) => `/api/labels/${encodeURIComponent(label)}/export${query({ kind, format })}`,
  startHunt: (rules: string, kind: HuntKind = 'suricata') => sendJson<Hunt>('POST', '/api/retro-hunts', { kind, rules }),
  hunt: (id: string, signal?: AbortSignal) => getJson<Hunt>(`/api/retro-hunts/${encodeURIComponent(id)}`, undefined, signal),
  hunts: (signal?: AbortSignal) => getJson<{ hunts: HuntSummary[] }>('/api/retro-hunts', undefined, signal),
};

/**
 * The archive's "a family's captures as one zip" endpoint, if this server has one: read from
 * /openapi.json (a GET path under /api/archive/ or /api/labels/ taking the label, ending in .zip or
 * /download), so the button shows only where the server can answer it. Cached for the page's life.
 */
let familyZipPath: Promise<string | undefined> | undefined;
export function familyZipTemplate(): Promise<string | undefined> {
  familyZipPath ??= getJson<{ paths?: Record<string, Record<string, unknown>> }>('/openapi.json').then(
    (doc) => Object.keys(doc.paths ?? {}).find((p) => /^\/api\/(archive|labels)\/\{[a-z]+\}\/[a-z./-]*(zip|download)[a-z./-]*$/i.test(p) && 'get' in (doc.paths?.[p] ?? {})),
    () => undefined,
  );
  return familyZipPath;
}

/** The template's `{label}` (whatever the parameter is called) filled with the label. */
export const fillLabel = (template: string, label: string): string => template.replace(/\{[a-z]+\}/i, encodeURIComponent(label));

/** Label kinds the archive lists (src/store/intel/intel-store.ts ARCHIVE_KINDS); sectors and tags are browsed instead. */
const ARCHIVE_KINDS = new Set(['family', 'category', 'campaign', 'actor']);

/** Where a label leads: its archive entry, or (sector, tag) the captures carrying it. */
export const labelHref = (kind: string, value: string): string => (ARCHIVE_KINDS.has(kind)
  ? `/archive?label=${encodeURIComponent(value)}&kind=${encodeURIComponent(kind)}`
  : `/browse?label=${encodeURIComponent(value)}`);

/** A feature kind as analysts read it. */
export const KIND_NAMES: Record<string, string> = {
  domain: 'Domains', ja3: 'JA3', ja4: 'JA4', user_agent: 'User agents', uri: 'URI patterns', alert: 'Alert signatures',
  sha256: 'SHA-256', md5: 'MD5', sha1: 'SHA-1', cert_fp: 'Certificates', ja3sni: 'JA3 + SNI', ja3s: 'JA3S', hassh: 'HASSH',
  hasshServer: 'HASSH server', email: 'E-mail', filename: 'File names', ip: 'Addresses', service: 'Services', port: 'Ports',
};
