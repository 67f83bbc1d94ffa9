/**
 * A capture's (or a label's) intelligence as documents other tools import: a STIX 2.1 bundle (indicators with
 * STIX patterns, observables, the labels as malware / campaign / threat-actor objects, and
 * "indicates" / "attributed-to" relationships), a MISP event (attributes with MISP types and
 * categories, labels as tags) and a CSV IOC list. test/store/intel/schemas/ holds the JSON
 * schemas (from the STIX 2.1 specification and the MISP core format RFC) they are validated against.
 *
 * Ids are UUIDv5 from the capture and the object's content (STIX's recommendation for
 * observables, here for every object): exporting twice gives the same ids, so a TIP importing
 * both merges instead of duplicating. Values come from hostile captures: STIX patterns escape
 * `\` and `'`; CSV cells are quoted, and cells a spreadsheet would run as a formula are prefixed.
 */
import { createHash } from 'node:crypto';
import type { Feature } from './features.js';
import type { Label } from './intel-store.js';
import type { DraftHits } from './drafts.js';
import { isInternalIp } from './features.js';

export { isInternalIp };

/** Indicators/attributes per export (the strongest kinds first). */
export const EXPORT_INDICATORS_MAX = 1000;

export interface ExportCapture {
  id: string;
  md5: string;
  sha1: string;
  name: string;
  firstTs?: number;
  lastTs?: number;
  importedAt: number;
}

/** What an export is about: one capture, or a label's captures. */
export interface ExportSubject {
  /** Seeds every id (a capture's sha256; `label/<kind>/<value>`): the same subject exports to the same ids. */
  key: string;
  /** Indicator descriptions and the MISP event's info. */
  description: string;
  info: string;
  firstTs?: number;
  lastTs?: number;
  /** Epoch seconds: the objects' `created` (a capture's import; a label's newest capture). */
  createdAt: number;
  /** The capture files (sha256, name) the observables were seen in: MISP "Artifacts dropped". */
  files: readonly { id: string; name: string }[];
}

type LabelText = Pick<Label, 'kind' | 'value'>;

export function captureSubject(c: ExportCapture): ExportSubject {
  return {
    key: c.id, description: `Seen in capture ${c.id} (${c.name.slice(0, 200)})`,
    info: `Capdex capture ${c.name.slice(0, 200)} (${c.id.slice(0, 16)})`,
    firstTs: c.firstTs, lastTs: c.lastTs, createdAt: c.importedAt, files: [{ id: c.id, name: c.name }],
  };
}

/** A label's captures as one subject (captures: newest first, as labelCaptures lists them). */
export function labelSubject(label: LabelText, captures: readonly { id: string; name: string; firstTs: number | null; lastTs: number | null }[]): ExportSubject {
  const firsts = captures.map((c) => c.firstTs).filter((t): t is number => t !== null && Number.isFinite(t));
  const lasts = captures.map((c) => c.lastTs ?? c.firstTs).filter((t): t is number => t !== null && Number.isFinite(t));
  const last = lasts.length ? Math.max(...lasts) : undefined;
  return {
    key: `label/${label.kind}/${label.value}`,
    description: `Common to the ${captures.length} captures labelled ${label.kind} ${label.value}`,
    info: `Capdex ${label.kind} ${label.value} (${captures.length} captures)`,
    firstTs: firsts.length ? Math.min(...firsts) : undefined, lastTs: last,
    // Deterministic (not "now"): exporting the same label twice gives the same document.
    createdAt: last ?? 0,
    files: captures.map((c) => ({ id: c.id, name: c.name })),
  };
}

/** STIX's namespace for deterministic identifiers (STIX 2.1 §2.9). */
const STIX_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** RFC 4122 version-5 UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace = STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const iso = (s: number | undefined, fallback: number): string => {
  const t = s !== undefined && Number.isFinite(s) && s > 0 && s < 253_402_300_799 ? s : fallback;
  return new Date(Math.round(t * 1000)).toISOString();
};

/** A STIX pattern string literal. */
const lit = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The kinds exported, in order: the ones an analyst acts on first. */
export const EXPORT_KINDS = ['sha256', 'md5', 'sha1', 'cert_fp', 'domain', 'ip', 'ja3', 'ja3s', 'ja4', 'user_agent', 'uri', 'filename', 'email'] as const;
const EXPORT_ORDER: readonly string[] = EXPORT_KINDS;

function exportable(features: readonly Feature[]): Feature[] {
  return features.filter((f) => EXPORT_ORDER.includes(f.kind))
    .sort((a, b) => EXPORT_ORDER.indexOf(a.kind) - EXPORT_ORDER.indexOf(b.kind) || (a.value < b.value ? -1 : 1))
    .slice(0, EXPORT_INDICATORS_MAX);
}

// ---- STIX 2.1 -------------------------------------------------------------------------------

interface StixPiece { pattern: string; sco?: Record<string, unknown>; name: string }

function stixPiece(f: Feature): StixPiece | undefined {
  const v = f.value;
  switch (f.kind) {
    case 'domain': return { pattern: `[domain-name:value = ${lit(v)}]`, sco: { type: 'domain-name', value: v }, name: `Domain ${v}` };
    case 'ip': {
      if (isInternalIp(v)) return undefined;
      const type = v.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
      return { pattern: `[${type}:value = ${lit(v)}]`, sco: { type, value: v }, name: `Address ${v}` };
    }
    case 'sha256': case 'md5': case 'sha1': {
      const algo = f.kind === 'sha256' ? 'SHA-256' : f.kind === 'md5' ? 'MD5' : 'SHA-1';
      return { pattern: `[file:hashes.'${algo}' = ${lit(v)}]`, sco: { type: 'file', hashes: { [algo]: v } }, name: `File ${algo} ${v}` };
    }
    case 'cert_fp': {
      const algo = v.length === 64 ? 'SHA-256' : v.length === 40 ? 'SHA-1' : undefined;
      if (!algo) return undefined;
      return { pattern: `[x509-certificate:hashes.'${algo}' = ${lit(v)}]`, sco: { type: 'x509-certificate', hashes: { [algo]: v } }, name: `Certificate ${algo} ${v}` };
    }
    case 'user_agent':
      return { pattern: `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = ${lit(v)}]`, name: `User-Agent ${v.slice(0, 80)}` };
    default:
      return undefined;
  }
}

export function stixBundle(capture: ExportCapture, labels: readonly LabelText[], features: readonly Feature[]): Record<string, unknown> {
  return stixBundleOf(captureSubject(capture), labels, features);
}

export function stixBundleOf(subject: ExportSubject, labels: readonly LabelText[], features: readonly Feature[]): Record<string, unknown> {
  const created = iso(subject.createdAt, subject.createdAt);
  const first = iso(subject.firstTs, subject.createdAt);
  const last = iso(subject.lastTs ?? subject.firstTs, subject.createdAt);
  const id = (type: string, key: string): string => `${type}--${uuidV5(`${subject.key}/${type}/${key}`)}`;
  const common = (type: string, key: string) => ({ type, spec_version: '2.1', id: id(type, key), created, modified: created });
  const identity = { ...common('identity', 'capdex'), name: 'Capdex', identity_class: 'system' };
  const objects: Record<string, unknown>[] = [identity];
  const targets: { id: string; rel: string }[] = [];
  for (const l of labels) {
    if (l.kind === 'family') {
      const m = { ...common('malware', l.value), name: l.value, is_family: true, created_by_ref: identity.id };
      objects.push(m); targets.push({ id: m.id, rel: 'indicates' });
    } else if (l.kind === 'campaign') {
      const c = { ...common('campaign', l.value), name: l.value, created_by_ref: identity.id };
      objects.push(c); targets.push({ id: c.id, rel: 'indicates' });
    } else if (l.kind === 'actor') {
      const a = { ...common('threat-actor', l.value), name: l.value, created_by_ref: identity.id };
      objects.push(a); targets.push({ id: a.id, rel: 'indicates' });
    }
  }
  const labelTexts = labels.filter((l) => l.kind === 'category' || l.kind === 'tag' || l.kind === 'sector').map((l) => `${l.kind}:${l.value}`);
  const scoRefs: string[] = [];
  for (const f of exportable(features)) {
    const p = stixPiece(f);
    if (!p) continue;
    const ind: Record<string, unknown> = {
      ...common('indicator', `${f.kind}:${f.value}`), name: p.name, pattern: p.pattern, pattern_type: 'stix', pattern_version: '2.1',
      valid_from: first, indicator_types: ['malicious-activity'], created_by_ref: identity.id,
      description: subject.description,
    };
    if (labelTexts.length) ind.labels = labelTexts;
    objects.push(ind);
    for (const t of targets) {
      objects.push({ ...common('relationship', `${ind.id}/${t.rel}/${t.id}`), relationship_type: t.rel, source_ref: ind.id, target_ref: t.id });
    }
    if (p.sco) {
      const sco = { ...p.sco, spec_version: '2.1', id: `${p.sco.type as string}--${uuidV5(JSON.stringify(p.sco))}` };
      objects.push(sco);
      scoRefs.push(sco.id);
    }
  }
  if (scoRefs.length) {
    objects.push({ ...common('observed-data', 'capture'), first_observed: first, last_observed: last,
      number_observed: Math.max(1, subject.files.length), object_refs: scoRefs, created_by_ref: identity.id });
  }
  return { type: 'bundle', id: `bundle--${uuidV5(`${subject.key}/bundle/${objects.length}`)}`, objects };
}

// ---- MISP -----------------------------------------------------------------------------------

const MISP_TYPES: Record<string, { type: string; category: string } | undefined> = {
  domain: { type: 'domain', category: 'Network activity' },
  ip: { type: 'ip-dst', category: 'Network activity' },
  sha256: { type: 'sha256', category: 'Payload delivery' },
  md5: { type: 'md5', category: 'Payload delivery' },
  sha1: { type: 'sha1', category: 'Payload delivery' },
  ja3: { type: 'ja3-fingerprint-md5', category: 'Network activity' },
  ja3s: { type: 'ja3-fingerprint-md5', category: 'Network activity' },
  user_agent: { type: 'user-agent', category: 'Network activity' },
  filename: { type: 'filename', category: 'Payload delivery' },
  email: { type: 'email-src', category: 'Payload delivery' },
  uri: { type: 'uri', category: 'Network activity' },
};

export function mispEvent(capture: ExportCapture, labels: readonly LabelText[], features: readonly Feature[]): Record<string, unknown> {
  return mispEventOf(captureSubject(capture), labels, features);
}

export function mispEventOf(subject: ExportSubject, labels: readonly LabelText[], features: readonly Feature[]): Record<string, unknown> {
  const ts = String(Math.floor(subject.createdAt));
  const attrs: Record<string, unknown>[] = [];
  for (const f of exportable(features)) {
    let t = MISP_TYPES[f.kind];
    if (f.kind === 'cert_fp') t = { type: f.value.length === 64 ? 'x509-fingerprint-sha256' : 'x509-fingerprint-sha1', category: 'Network activity' };
    if (!t || (f.kind === 'ip' && isInternalIp(f.value)) || (f.kind === 'uri' && f.value.includes('{'))) continue;
    attrs.push({ uuid: uuidV5(`${subject.key}/misp/${f.kind}:${f.value}`), type: t.type, category: t.category, value: f.value,
      to_ids: f.kind !== 'filename' && f.kind !== 'uri', timestamp: ts, distribution: '5', deleted: false, comment: `capdex ${f.kind}` });
  }
  for (const file of subject.files) {
    // A capture's own (single) file keeps the seed it always had: ids stay stable across versions.
    const seed = file.id === subject.key ? `${subject.key}/misp/capture` : `${subject.key}/misp/capture/${file.id}`;
    attrs.push({ uuid: uuidV5(seed), type: 'sha256', category: 'Artifacts dropped', value: file.id, to_ids: false, timestamp: ts,
      distribution: '5', deleted: false, comment: `the capture file ${file.name.slice(0, 200)}` });
  }
  return {
    Event: {
      uuid: uuidV5(`${subject.key}/misp/event`),
      // The RFC: at most 256 characters, no new-lines (a capture's name is the submitter's text).
      info: subject.info.replace(/[\r\n]+/g, ' ').slice(0, 256),
      date: iso(subject.firstTs, subject.createdAt).slice(0, 10),
      timestamp: ts,
      threat_level_id: labels.some((l) => l.kind === 'family') ? '2' : '4',
      analysis: '0',
      distribution: '0',
      sharing_group_id: '0',
      published: false,
      // Never published (the RFC's value for that).
      publish_timestamp: '0',
      attribute_count: String(attrs.length),
      Attribute: attrs,
      Tag: [{ name: 'tlp:clear' }, ...labels.map((l) => ({ name: `capdex:${l.kind}="${l.value.replace(/"/g, '')}"` }))],
    },
  };
}

// ---- CSV ------------------------------------------------------------------------------------

/** One CSV cell: quoted when needed; a leading = + - @ (a spreadsheet formula) is prefixed with '. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function iocCsv(capture: ExportCapture, labels: readonly LabelText[], features: readonly Feature[]): string {
  const lab = labels.map((l) => `${l.kind}:${l.value}`).join(' ');
  const lines = ['type,value,capture,labels'];
  for (const f of exportable(features)) lines.push([f.kind, f.value, capture.id, lab].map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A label's IOC list: each observable with its hits (the label's captures, all, unlabelled, benign). */
export function labelIocCsv(label: LabelText, observables: readonly (Feature & { hits: DraftHits })[]): string {
  const lines = ['type,value,label,label_captures,captures,unlabelled,benign'];
  const byFeature = new Map(observables.map((o) => [`${o.kind}:${o.value}`, o.hits]));
  for (const f of exportable(observables)) {
    const h = byFeature.get(`${f.kind}:${f.value}`)!;
    lines.push([f.kind, f.value, `${label.kind}:${label.value}`, String(h.inLabel ?? 0), String(h.captures), String(h.unlabelled), String(h.benign)].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
