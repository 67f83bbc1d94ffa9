/**
 * The shared-intelligence store (issue 10), one implementation over both backends (IntelDb):
 * labels, votes and comments on captures; each capture's features, MinHash signature and LSH
 * buckets (refresh, run after import); similar captures, label suggestions, the archive and trends.
 *
 * Viewer rules (docs/contracts/access.md): methods that look across captures take a viewer and
 * filter in SQL (a join on captures: public, or admin, or the viewer's own); an omitted viewer is
 * the local admin. Methods on one capture expect the caller to have found it as that viewer
 * (Store.capture) first, and take its full id.
 */
import { randomBytes } from 'node:crypto';
import type { IntelDb, IntelTx } from './intel-db.js';
import { FEATURE_KINDS, type Feature, type FeatureKind, STRONG_KINDS, featureKey, readFeatures } from './features.js';
import { estimateJaccard, lshBuckets, minhash, signatureBytes, signatureFromBytes } from './minhash.js';
import { LOCAL_ADMIN, type Viewer } from '../store.js';
import { DRAFT_FEATURE, type DraftHits, type DraftSet, draftRules } from './drafts.js';
import { HuntStore } from './hunts.js';
import { COMMENTS_PAGE_MAX, LABELS_PER_CAPTURE_MAX, type LabelKind } from './labels.js';


export interface Label {
  id: string;
  captureId: string;
  kind: LabelKind;
  value: string;
  /** The API key that added it; null when added locally (CLI). */
  keyId: string | null;
  /** Epoch seconds. */
  createdAt: number;
}

export type VoteValue = 'agree' | 'disagree';
export interface VoteSummary {
  agree: number;
  disagree: number;
  /** The asking key's own vote, if any. */
  mine?: VoteValue;
}

export interface Comment {
  id: string;
  captureId: string;
  keyId: string | null;
  text: string;
  createdAt: number;
}

export interface CaptureRef {
  id: string;
  name: string;
  firstTs: number | null;
  lastTs: number | null;
  visibility: string;
}

export interface SimilarHit {
  capture: CaptureRef;
  /** Estimated Jaccard similarity of the two captures' feature sets (0..1). */
  score: number;
  /** Features both captures hold (strong kinds first, at most SHARED_MAX). */
  shared: Feature[];
}

export interface Suggestion {
  label: { kind: LabelKind; value: string };
  text: string;
  confidence: 'high' | 'medium';
  evidence: { kind: FeatureKind; value: string; captures: CaptureRef[] }[];
}

export interface ArchiveEntry {
  kind: LabelKind;
  value: string;
  captures: number;
  firstSeen: number | null;
  lastSeen: number | null;
  top: Partial<Record<'domain' | 'ja3' | 'ja4' | 'user_agent' | 'uri' | 'alert', { value: string; captures: number }[]>>;
}

/** A label as the archive names it: its value, and optionally its kind (else any kind holding that value). */
export interface LabelRef {
  value: string;
  kind?: LabelKind;
}

export interface LabelObservables {
  label: LabelRef;
  /** The label's visible captures (newest first, at most ARCHIVE_CAPTURES_MAX). */
  captures: CaptureRef[];
  observables: { kind: FeatureKind; value: string; hits: DraftHits }[];
}

export type TrendInterval = 'week' | 'month';
export interface TrendPeriod {
  /** Week: the Monday (YYYY-MM-DD, UTC); month: YYYY-MM. */
  period: string;
  captures: number;
  topLabels: { kind: string; value: string; captures: number }[];
  /** Sectors targeted: labels of kind sector, most captures first (apart from topLabels, where families may crowd them out). */
  sectors: { value: string; captures: number }[];
  topAlerts: { signature: string; captures: number }[];
  /** Features first seen (across visible captures) in this period, per kind. */
  newObservables: Record<string, number>;
  /**
   * With a label only (a family over time): its captures' top observables of this period per kind
   * (domains, JA3/JA4, user agents, URI patterns, alerts), so a change of infrastructure or tooling
   * shows as the values changing from one period to the next.
   */
  topObservables?: ArchiveEntry['top'];
}

/** Candidates (captures sharing an LSH bucket) scored exactly per query. */
export const SIMILAR_CANDIDATES_MAX = 2000;
/** Shared features listed per similar capture. */
export const SHARED_MAX = 50;
/** Captures listed per evidence item of a suggestion. */
const EVIDENCE_CAPTURES_MAX = 10;
/** Evidence rows read per suggestion query. */
const EVIDENCE_ROWS_MAX = 5000;
/**
 * A feature in more than this share of all signed captures (and in more than SUGGEST_COMMON_MIN
 * of them) is common infrastructure (a CDN name, a browser's JA3+SNI to a search engine), not
 * evidence of a family.
 */
export const SUGGEST_COMMON_SHARE = 0.2;
export const SUGGEST_COMMON_MIN = 5;
/** Families listed by the archive, and top values per kind in an entry. */
export const ARCHIVE_LABELS_MAX = 200;
export const ARCHIVE_TOP = 10;
export const ARCHIVE_CAPTURES_MAX = 500;
/** Candidate observables of a label (drafts and exports read at most this many). */
export const LABEL_OBSERVABLES_MAX = 1000;
/**
 * A label's draft covers observables held by at least this share of its captures: fewer, and the
 * rule is about one sample, not the family.
 */
export const LABEL_DRAFT_MIN_SHARE = 0.5;
const DRAFT_FEATURE_KINDS = [...new Set(Object.values(DRAFT_FEATURE))];
/** Periods returned by trends (the most recent), and top items per period. */
export const TRENDS_PERIODS_MAX = 120;
export const TRENDS_TOP = 10;
/** Rows per multi-row INSERT (3 parameters each: far below SQLite's 32766). */
const INSERT_ROWS = 500;
/** Latest plausible capture time (9999-12-31): hostile first_ts beyond it is left out of trends. */
const MAX_TS = 253_402_300_799;

const ARCHIVE_KINDS: readonly LabelKind[] = ['family', 'category', 'campaign', 'actor'];
const ARCHIVE_TOP_KINDS = ['domain', 'ja3', 'ja4', 'user_agent', 'uri', 'alert'] as const;
const NEW_OBSERVABLE_KINDS: readonly FeatureKind[] = ['domain', 'ip', 'sha256', 'md5', 'ja3', 'ja4', 'cert_fp', 'user_agent', 'uri'];

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const newId = (prefix: string): string => prefix + randomBytes(8).toString('hex');
const now = (): number => Date.now() / 1000;

/** SQL condition: capture `c` visible to the viewer (2 parameters, from visParams). */
const VISIBLE = "(c.visibility = 'public' OR ? = 1 OR c.submitter = ?)";
const visParams = (v: Viewer): unknown[] => [v.admin ? 1 : 0, v.keyId ?? null];

interface LabelRow { id: string; capture_id: string; kind: string; value: string; key_id: string | null; created_at: number }
const toLabel = (r: LabelRow): Label => ({ id: r.id, captureId: r.capture_id, kind: r.kind as LabelKind, value: r.value, keyId: r.key_id, createdAt: Number(r.created_at) });
interface CaptureRefRow { id: string; name: string | null; first_ts: number | null; last_ts: number | null; visibility: string }
const toRef = (r: CaptureRefRow): CaptureRef => ({ id: r.id, name: r.name ?? '', firstTs: r.first_ts, lastTs: r.last_ts, visibility: r.visibility });

/** Tables that hold rows of one capture (purged with it). */
export const INTEL_CAPTURE_TABLES = ['labels', 'label_votes', 'label_comments', 'capture_features', 'capture_signatures', 'signature_buckets', 'retro_hunt_results'] as const;

export class IntelStore {
  /** Retro-hunts and their results (hunts.ts). */
  readonly hunts: HuntStore;

  constructor(private readonly db: IntelDb) {
    this.hunts = new HuntStore(db);
  }

  // ---- labels, votes, comments ------------------------------------------------------------

  async labels(captureId: string): Promise<Label[]> {
    const rows = await this.db.all<LabelRow>('SELECT * FROM labels WHERE capture_id = ? ORDER BY created_at, id', [captureId]);
    return rows.map(toLabel);
  }

  /** Adds a label (kind and value already checked by checkLabel); the existing one when already there. */
  async addLabel(captureId: string, kind: LabelKind, value: string, keyId: string | null): Promise<{ label: Label; created: boolean }> {
    return this.db.write(async (tx) => {
      const existing = await tx.all<LabelRow>('SELECT * FROM labels WHERE capture_id = ? AND kind = ? AND value = ?', [captureId, kind, value]);
      if (existing.length) return { label: toLabel(existing[0]), created: false };
      const n = await tx.all<{ n: number }>('SELECT count(*) AS n FROM labels WHERE capture_id = ?', [captureId]);
      if (Number(n[0].n) >= LABELS_PER_CAPTURE_MAX) throw new LabelLimitError();
      const row: LabelRow = { id: newId('lbl_'), capture_id: captureId, kind, value, key_id: keyId, created_at: now() };
      await tx.run('INSERT INTO labels (id, capture_id, kind, value, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [row.id, row.capture_id, row.kind, row.value, row.key_id, row.created_at]);
      return { label: toLabel(row), created: true };
    });
  }

  /** Removes a label by id, or by (kind, value); false when the capture has no such label. */
  async removeLabel(captureId: string, which: { id: string } | { kind: string; value: string }): Promise<boolean> {
    return this.db.write(async (tx) => ('id' in which
      ? tx.run('DELETE FROM labels WHERE capture_id = ? AND id = ?', [captureId, which.id])
      : tx.run('DELETE FROM labels WHERE capture_id = ? AND kind = ? AND value = ?', [captureId, which.kind, which.value])).then((n) => n > 0));
  }

  /** One vote per key and capture: a new vote replaces the key's earlier one; null withdraws it. */
  async vote(captureId: string, keyId: string, vote: VoteValue | null): Promise<VoteSummary> {
    await this.db.write(async (tx) => {
      await tx.run('DELETE FROM label_votes WHERE capture_id = ? AND key_id = ?', [captureId, keyId]);
      if (vote) await tx.run('INSERT INTO label_votes (capture_id, key_id, vote, created_at) VALUES (?, ?, ?, ?)', [captureId, keyId, vote, now()]);
    });
    return this.votes(captureId, keyId);
  }

  async votes(captureId: string, keyId?: string): Promise<VoteSummary> {
    const rows = await this.db.all<{ vote: string; n: number; mine: number }>(
      'SELECT vote, count(*) AS n, sum(CASE WHEN key_id = ? THEN 1 ELSE 0 END) AS mine FROM label_votes WHERE capture_id = ? GROUP BY vote',
      [keyId ?? null, captureId]);
    const out: VoteSummary = { agree: 0, disagree: 0 };
    for (const r of rows) {
      if (r.vote !== 'agree' && r.vote !== 'disagree') continue;
      out[r.vote] = Number(r.n);
      if (Number(r.mine) > 0) out.mine = r.vote;
    }
    return out;
  }

  async addComment(captureId: string, keyId: string | null, text: string): Promise<Comment> {
    const c: Comment = { id: newId('cmt_'), captureId, keyId, text, createdAt: now() };
    await this.db.write((tx) => tx.run('INSERT INTO label_comments (id, capture_id, key_id, text, created_at) VALUES (?, ?, ?, ?, ?)',
      [c.id, captureId, keyId, text, c.createdAt]));
    return c;
  }

  async comments(captureId: string): Promise<Comment[]> {
    const rows = await this.db.all<{ id: string; capture_id: string; key_id: string | null; text: string; created_at: number }>(
      'SELECT * FROM (SELECT * FROM label_comments WHERE capture_id = ? ORDER BY created_at DESC, id DESC LIMIT ?) t ORDER BY created_at, id',
      [captureId, COMMENTS_PAGE_MAX]);
    return rows.map((r) => ({ id: r.id, captureId: r.capture_id, keyId: r.key_id, text: r.text, createdAt: Number(r.created_at) }));
  }

  // ---- features and signatures ------------------------------------------------------------

  /**
   * Recomputes a stored capture's features, signature and LSH buckets (after its import; again
   * after a re-import). Returns the number of features (0 for a capture with none: no buckets,
   * so it is nobody's "similar").
   */
  async refresh(captureId: string): Promise<number> {
    const features = await readFeatures(this.db, captureId);
    const sig = minhash(features.map(featureKey));
    await this.db.write(async (tx) => {
      await purgeDerived(tx, captureId);
      for (let i = 0; i < features.length; i += INSERT_ROWS) {
        const chunk = features.slice(i, i + INSERT_ROWS);
        await tx.run(`INSERT INTO capture_features (capture_id, kind, value) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
          chunk.flatMap((f) => [captureId, f.kind, f.value]));
      }
      await tx.run('INSERT INTO capture_signatures (capture_id, minhash, features, computed_at) VALUES (?, ?, ?, ?)',
        [captureId, signatureBytes(sig), features.length, now()]);
      if (features.length > 0) {
        const buckets = lshBuckets(sig);
        await tx.run(`INSERT INTO signature_buckets (bucket, capture_id) VALUES ${buckets.map(() => '(?, ?)').join(', ')}`,
          buckets.flatMap((b) => [b, captureId]));
      }
    });
    return features.length;
  }

  async hasSignature(captureId: string): Promise<boolean> {
    return (await this.db.all('SELECT 1 AS x FROM capture_signatures WHERE capture_id = ?', [captureId])).length > 0;
  }

  async features(captureId: string): Promise<Feature[]> {
    return this.db.all<Feature>('SELECT kind, value FROM capture_features WHERE capture_id = ? ORDER BY kind, value', [captureId]);
  }

  /** Removes everything intel holds about a capture (its deletion). */
  async purge(captureId: string): Promise<void> {
    await this.db.write(async (tx) => {
      for (const t of INTEL_CAPTURE_TABLES) await tx.run(`DELETE FROM ${t} WHERE capture_id = ?`, [captureId]);
    });
  }

  // ---- similar captures -------------------------------------------------------------------

  /** The visible captures most similar to this one, best first; undefined when it has no signature yet. */
  async similar(captureId: string, viewer: Viewer = LOCAL_ADMIN, limit = 20): Promise<SimilarHit[] | undefined> {
    const own = await this.db.all<{ minhash: Uint8Array; features: number }>('SELECT minhash, features FROM capture_signatures WHERE capture_id = ?', [captureId]);
    if (own.length === 0) return undefined;
    if (Number(own[0].features) === 0) return [];
    const sig = signatureFromBytes(own[0].minhash);
    const buckets = lshBuckets(sig);
    const candidates = await this.db.all<{ capture_id: string; n: number }>(
      `SELECT b.capture_id, count(*) AS n FROM signature_buckets b JOIN captures c ON c.id = b.capture_id
       WHERE b.bucket IN (${marks(buckets.length)}) AND b.capture_id <> ? AND ${VISIBLE}
       GROUP BY b.capture_id ORDER BY n DESC, b.capture_id LIMIT ?`,
      [...buckets, captureId, ...visParams(viewer), SIMILAR_CANDIDATES_MAX]);
    // One round trip for the candidates' signatures and what a hit shows of its capture.
    const scored: { ref: CaptureRef; score: number }[] = [];
    for (let i = 0; i < candidates.length; i += INSERT_ROWS) {
      const ids = candidates.slice(i, i + INSERT_ROWS).map((c) => c.capture_id);
      const rows = await this.db.all<CaptureRefRow & { minhash: Uint8Array }>(
        `SELECT c.id, c.name, c.first_ts, c.last_ts, c.visibility, s.minhash FROM capture_signatures s JOIN captures c ON c.id = s.capture_id
         WHERE s.capture_id IN (${marks(ids.length)})`, ids);
      for (const r of rows) scored.push({ ref: toRef(r), score: estimateJaccard(sig, signatureFromBytes(r.minhash)) });
    }
    scored.sort((a, b) => b.score - a.score || (a.ref.id < b.ref.id ? -1 : 1));
    const top = scored.slice(0, Math.max(0, Math.min(limit, 1000)));
    const shared = await this.sharedWith(captureId, top.map((t) => t.ref.id));
    return top.map((t) => ({ capture: t.ref, score: Math.round(t.score * 1000) / 1000, shared: shared.get(t.ref.id) ?? [] }));
  }

  /** Features the capture shares with each of `others` (strong kinds first, SHARED_MAX each), in one query. */
  private async sharedWith(captureId: string, others: string[]): Promise<Map<string, Feature[]>> {
    const out = new Map<string, Feature[]>();
    if (others.length === 0) return out;
    const strong = STRONG_KINDS as readonly string[];
    const rows = await this.db.all<Feature & { capture_id: string }>(
      `SELECT y.capture_id, x.kind, x.value FROM capture_features x
       JOIN capture_features y ON y.capture_id IN (${marks(others.length)}) AND y.kind = x.kind AND y.value = x.value
       WHERE x.capture_id = ? ORDER BY y.capture_id, CASE WHEN x.kind IN (${marks(strong.length)}) THEN 0 ELSE 1 END, x.kind, x.value`,
      [...others, captureId, ...strong]);
    for (const r of rows) {
      const list = out.get(r.capture_id) ?? [];
      if (list.length < SHARED_MAX) list.push({ kind: r.kind, value: r.value });
      out.set(r.capture_id, list);
    }
    return out;
  }

  /** Features two captures both hold, strong kinds first. */
  async shared(a: string, b: string, max = SHARED_MAX): Promise<Feature[]> {
    const strong = STRONG_KINDS as readonly string[];
    const rows = await this.db.all<Feature>(
      `SELECT x.kind, x.value FROM capture_features x JOIN capture_features y ON y.capture_id = ? AND y.kind = x.kind AND y.value = x.value
       WHERE x.capture_id = ? ORDER BY CASE WHEN x.kind IN (${marks(strong.length)}) THEN 0 ELSE 1 END, x.kind, x.value LIMIT ?`,
      [b, a, ...strong, max]);
    return rows;
  }

  // ---- suggestions ------------------------------------------------------------------------

  /**
   * "Likely <label>": labels of other visible captures that share a strong feature (file hash,
   * certificate, JA3+SNI, contacted domain) with this one, with the evidence; features common to
   * much of the collection do not count. Labels the capture already has are left out.
   */
  async suggestions(captureId: string, viewer: Viewer = LOCAL_ADMIN): Promise<Suggestion[]> {
    const strong = STRONG_KINDS as readonly string[];
    const rows = await this.db.all<{ kind: string; value: string; capture_id: string; name: string | null; first_ts: number | null;
      last_ts: number | null; visibility: string; label_kind: string; label_value: string }>(
      `SELECT me.kind, me.value, c.id AS capture_id, c.name, c.first_ts, c.last_ts, c.visibility, l.kind AS label_kind, l.value AS label_value
       FROM capture_features me
       JOIN capture_features f ON f.kind = me.kind AND f.value = me.value AND f.capture_id <> me.capture_id
       JOIN labels l ON l.capture_id = f.capture_id
       JOIN captures c ON c.id = f.capture_id
       WHERE me.capture_id = ? AND me.kind IN (${marks(strong.length)}) AND ${VISIBLE}
         AND NOT EXISTS (SELECT 1 FROM labels mine WHERE mine.capture_id = me.capture_id AND mine.kind = l.kind AND mine.value = l.value)
       ORDER BY l.kind, l.value, me.kind, me.value, c.id LIMIT ?`,
      [captureId, ...strong, ...visParams(viewer), EVIDENCE_ROWS_MAX]);
    if (rows.length === 0) return [];
    const common = await this.commonFeatures(captureId);
    const byLabel = new Map<string, Suggestion>();
    for (const r of rows) {
      if (common.has(`${r.kind}:${r.value}`)) continue;
      const key = `${r.label_kind}\u0000${r.label_value}`;
      let s = byLabel.get(key);
      if (!s) {
        s = { label: { kind: r.label_kind as LabelKind, value: r.label_value }, text: `likely ${r.label_value}`, confidence: 'medium', evidence: [] };
        byLabel.set(key, s);
      }
      let ev = s.evidence.find((e) => e.kind === r.kind && e.value === r.value);
      if (!ev) { ev = { kind: r.kind as FeatureKind, value: r.value, captures: [] }; s.evidence.push(ev); }
      if (ev.captures.length < EVIDENCE_CAPTURES_MAX && !ev.captures.some((c) => c.id === r.capture_id)) ev.captures.push(toRef({ ...r, id: r.capture_id }));
    }
    const out = [...byLabel.values()].filter((s) => s.evidence.length > 0);
    for (const s of out) {
      // A file hash or certificate alone is strong; otherwise two independent kinds of evidence.
      const kinds = new Set(s.evidence.map((e) => e.kind));
      s.confidence = kinds.has('sha256') || kinds.has('md5') || kinds.has('cert_fp') || kinds.size >= 2 ? 'high' : 'medium';
    }
    return out.sort((a, b) => (a.confidence === b.confidence ? 0 : a.confidence === 'high' ? -1 : 1) || b.evidence.length - a.evidence.length
      || (a.label.value < b.label.value ? -1 : 1));
  }

  /** Strong features of the capture seen in too much of the collection to be evidence. */
  private async commonFeatures(captureId: string): Promise<Set<string>> {
    const strong = STRONG_KINDS as readonly string[];
    const total = Number((await this.db.all<{ n: number }>('SELECT count(*) AS n FROM capture_signatures'))[0].n);
    const limit = Math.max(SUGGEST_COMMON_MIN, Math.floor(total * SUGGEST_COMMON_SHARE));
    const rows = await this.db.all<{ kind: string; value: string; n: number }>(
      `SELECT me.kind, me.value, count(*) AS n FROM capture_features me
       JOIN capture_features f ON f.kind = me.kind AND f.value = me.value
       WHERE me.capture_id = ? AND me.kind IN (${marks(strong.length)}) GROUP BY me.kind, me.value`, [captureId, ...strong]);
    return new Set(rows.filter((r) => Number(r.n) > limit).map((r) => `${r.kind}:${r.value}`));
  }

  // ---- archive ------------------------------------------------------------------------------

  /** Families, categories, campaigns and actors with their visible captures. */
  async archive(viewer: Viewer = LOCAL_ADMIN): Promise<ArchiveEntry[]> {
    const rows = await this.db.all<{ kind: string; value: string; n: number; first: number | null; last: number | null }>(
      `SELECT l.kind, l.value, count(DISTINCT c.id) AS n, min(c.first_ts) AS first, max(c.last_ts) AS last
       FROM labels l JOIN captures c ON c.id = l.capture_id
       WHERE l.kind IN (${marks(ARCHIVE_KINDS.length)}) AND ${VISIBLE}
       GROUP BY l.kind, l.value ORDER BY n DESC, l.kind, l.value LIMIT ?`,
      [...ARCHIVE_KINDS, ...visParams(viewer), ARCHIVE_LABELS_MAX]);
    const out: ArchiveEntry[] = [];
    for (const r of rows) {
      out.push({ kind: r.kind as LabelKind, value: r.value, captures: Number(r.n), firstSeen: r.first, lastSeen: r.last,
        top: await this.archiveTop(r.kind, r.value, viewer) });
    }
    return out;
  }

  /** One label's archive page: its entry (per kind holding that value) and its captures, newest first. */
  async archiveLabel(value: string, viewer: Viewer = LOCAL_ADMIN, kind?: string): Promise<{ entries: ArchiveEntry[]; captures: (CaptureRef & { labels: string[] })[] } | undefined> {
    const kindCond = kind ? ' AND l.kind = ?' : '';
    const kindParam = kind ? [kind] : [];
    const rows = await this.db.all<{ kind: string; n: number; first: number | null; last: number | null }>(
      `SELECT l.kind, count(DISTINCT c.id) AS n, min(c.first_ts) AS first, max(c.last_ts) AS last
       FROM labels l JOIN captures c ON c.id = l.capture_id WHERE l.value = ?${kindCond} AND ${VISIBLE} GROUP BY l.kind ORDER BY l.kind`,
      [value, ...kindParam, ...visParams(viewer)]);
    if (rows.length === 0) return undefined;
    const entries: ArchiveEntry[] = [];
    for (const r of rows) {
      entries.push({ kind: r.kind as LabelKind, value, captures: Number(r.n), firstSeen: r.first, lastSeen: r.last, top: await this.archiveTop(r.kind, value, viewer) });
    }
    const caps = await this.db.all<CaptureRefRow>(
      `SELECT DISTINCT c.id, c.name, c.first_ts, c.last_ts, c.visibility FROM labels l JOIN captures c ON c.id = l.capture_id
       WHERE l.value = ?${kindCond} AND ${VISIBLE} ORDER BY c.first_ts DESC, c.id LIMIT ?`,
      [value, ...kindParam, ...visParams(viewer), ARCHIVE_CAPTURES_MAX]);
    const labels = new Map<string, string[]>();
    const ids = caps.map((c) => c.id);
    for (let i = 0; i < ids.length; i += INSERT_ROWS) {
      const chunk = ids.slice(i, i + INSERT_ROWS);
      for (const l of await this.db.all<LabelRow>(`SELECT * FROM labels WHERE capture_id IN (${marks(chunk.length)}) ORDER BY kind, value`, chunk)) {
        const list = labels.get(l.capture_id) ?? [];
        list.push(`${l.kind}:${l.value}`);
        labels.set(l.capture_id, list);
      }
    }
    return { entries, captures: caps.map((c) => ({ ...toRef(c), labels: labels.get(c.id) ?? [] })) };
  }

  private async archiveTop(kind: string, value: string, viewer: Viewer): Promise<ArchiveEntry['top']> {
    const rows = await this.db.all<{ kind: string; value: string; n: number }>(
      `SELECT f.kind, f.value, count(DISTINCT f.capture_id) AS n
       FROM labels l JOIN captures c ON c.id = l.capture_id JOIN capture_features f ON f.capture_id = l.capture_id
       WHERE l.kind = ? AND l.value = ? AND f.kind IN (${marks(ARCHIVE_TOP_KINDS.length)}) AND ${VISIBLE}
       GROUP BY f.kind, f.value ORDER BY n DESC, f.kind, f.value LIMIT ?`,
      [kind, value, ...ARCHIVE_TOP_KINDS, ...visParams(viewer), ARCHIVE_TOP * ARCHIVE_TOP_KINDS.length * 20]);
    const top: ArchiveEntry['top'] = {};
    for (const r of rows) {
      const k = r.kind as (typeof ARCHIVE_TOP_KINDS)[number];
      const list = (top[k] ??= []);
      if (list.length < ARCHIVE_TOP) list.push({ value: r.value, captures: Number(r.n) });
    }
    return top;
  }

  // ---- signature drafts --------------------------------------------------------------------

  /** Suricata rule drafts for a capture's distinguishing observables, each with its hits across visible captures. */
  async drafts(captureId: string, viewer: Viewer = LOCAL_ADMIN): Promise<DraftSet> {
    const features = await this.features(captureId);
    const labels = await this.labels(captureId);
    const label = labels.find((l) => l.kind === 'family') ?? labels.find((l) => l.kind === 'category') ?? labels[0];
    const domains = features.filter((f) => f.kind === 'domain').map((f) => f.value);
    const set = draftRules({ captureId, label: label?.value, features, domainLogs: await this.domainLogs(domains, [captureId]) });
    for (const r of set.rules) r.hits = await this.hits(DRAFT_FEATURE[r.kind], r.kind === 'filesha256' ? r.value.split(',') : [r.value], viewer);
    return set;
  }

  /** Where each domain was seen in these captures (the logs of its observables: dns, http, ssl, ...). */
  private async domainLogs(domains: readonly string[], captureIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (let i = 0; i < domains.length; i += INSERT_ROWS) {
      const chunk = domains.slice(i, i + INSERT_ROWS);
      for (const r of await this.db.all<{ value: string; log: string }>(
        `SELECT DISTINCT o.value, o.log FROM observables o
         WHERE o.type = 'domain' AND o.value IN (${marks(chunk.length)})
           AND o.capture_key IN (SELECT key FROM captures WHERE id IN (${marks(captureIds.length)}))`, [...chunk, ...captureIds])) {
        const set = out.get(r.value) ?? new Set<string>();
        set.add(r.log);
        out.set(r.value, set);
      }
    }
    return out;
  }

  /**
   * Visible captures holding the feature values: all of them, labelled, benign; with `label`, also
   * those carrying it. `perValue` counts each value apart (one row per value), else any of them.
   */
  private async hitRows(kind: string, values: readonly string[], viewer: Viewer, perValue: boolean, label?: LabelRef): Promise<(DraftHits & { value?: string })[]> {
    const inLabel = label
      ? `, count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM labels li WHERE li.capture_id = c.id AND li.value = ?${label.kind ? ' AND li.kind = ?' : ''}) THEN c.id END) AS in_label`
      : '';
    const labelParams = label ? [label.value, ...(label.kind ? [label.kind] : [])] : [];
    const rows = await this.db.all<{ value?: string; n: number; labelled: number; benign: number; in_label?: number }>(
      `SELECT ${perValue ? 'f.value, ' : ''}count(DISTINCT c.id) AS n,
         count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM labels l WHERE l.capture_id = c.id) THEN c.id END) AS labelled,
         count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM labels l WHERE l.capture_id = c.id AND l.kind = 'category' AND l.value = 'benign') THEN c.id END) AS benign${inLabel}
       FROM capture_features f JOIN captures c ON c.id = f.capture_id
       WHERE f.kind = ? AND f.value IN (${marks(values.length)}) AND ${VISIBLE}${perValue ? ' GROUP BY f.value' : ''}`,
      [...labelParams, kind, ...values, ...visParams(viewer)]);
    return rows.map((r) => {
      const h: DraftHits & { value?: string } = { captures: Number(r.n), labelled: Number(r.labelled), unlabelled: Number(r.n) - Number(r.labelled), benign: Number(r.benign) };
      if (label) h.inLabel = Number(r.in_label ?? 0);
      if (perValue) h.value = r.value;
      return h;
    });
  }

  /** Visible captures holding any of the values (labelled ones, benign ones, the label's own). */
  private async hits(kind: string, values: string[], viewer: Viewer, label?: LabelRef): Promise<DraftHits> {
    const [r] = await this.hitRows(kind, values, viewer, false, label);
    return r ?? { captures: 0, labelled: 0, unlabelled: 0, benign: 0, ...(label ? { inLabel: 0 } : {}) };
  }

  // ---- a label's captures, observables, drafts ----------------------------------------------

  /** The kinds of label holding this value on visible captures (family, campaign, ...), most used first. */
  async labelKinds(value: string, viewer: Viewer = LOCAL_ADMIN): Promise<LabelKind[]> {
    const rows = await this.db.all<{ kind: string; n: number }>(
      `SELECT l.kind, count(*) AS n FROM labels l JOIN captures c ON c.id = l.capture_id WHERE l.value = ? AND ${VISIBLE} GROUP BY l.kind ORDER BY n DESC, l.kind`,
      [value, ...visParams(viewer)]);
    return rows.map((r) => r.kind as LabelKind);
  }

  /** The visible captures carrying a label (newest first, at most `max`). */
  async labelCaptures(label: LabelRef, viewer: Viewer = LOCAL_ADMIN, max = ARCHIVE_CAPTURES_MAX): Promise<CaptureRef[]> {
    const rows = await this.db.all<CaptureRefRow>(
      `SELECT DISTINCT c.id, c.name, c.first_ts, c.last_ts, c.visibility FROM labels l JOIN captures c ON c.id = l.capture_id
       WHERE l.value = ?${label.kind ? ' AND l.kind = ?' : ''} AND ${VISIBLE} ORDER BY c.first_ts DESC, c.id LIMIT ?`,
      [label.value, ...(label.kind ? [label.kind] : []), ...visParams(viewer), max]);
    return rows.map(toRef);
  }

  /**
   * A label's characteristic observables: features of its visible captures held by at least
   * `minShare` of them and no more common outside the label than in it (rare elsewhere), each with
   * its hits across visible captures; most widespread in the label first. undefined: no visible
   * capture carries the label.
   */
  async labelObservables(label: LabelRef, viewer: Viewer = LOCAL_ADMIN, opts: { kinds?: readonly string[]; minShare?: number } = {}): Promise<LabelObservables | undefined> {
    const captures = await this.labelCaptures(label, viewer);
    if (captures.length === 0) return undefined;
    const ids = captures.map((c) => c.id);
    const minCaptures = Math.max(1, Math.ceil(captures.length * (opts.minShare ?? 0)));
    const kinds = opts.kinds ?? FEATURE_KINDS;
    // SQLite, without statistics, would read the (kind, value) index: every feature of those kinds
    // in the collection (100k captures: 13 s). `+kind` keeps it on the primary key by capture.
    const kindCol = this.db.dialect === 'sqlite' ? '+f.kind' : 'f.kind';
    const candidates = await this.db.all<{ kind: string; value: string; n: number }>(
      `SELECT f.kind, f.value, count(*) AS n FROM capture_features f
       WHERE f.capture_id IN (${marks(ids.length)}) AND ${kindCol} IN (${marks(kinds.length)})
       GROUP BY f.kind, f.value HAVING count(*) >= ? ORDER BY n DESC, f.kind, f.value LIMIT ?`,
      [...ids, ...kinds, minCaptures, LABEL_OBSERVABLES_MAX]);
    const byKind = new Map<string, string[]>();
    for (const c of candidates) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c.value]);
    const hits = new Map<string, DraftHits>();
    for (const [kind, values] of byKind) {
      for (let i = 0; i < values.length; i += INSERT_ROWS) {
        for (const h of await this.hitRows(kind, values.slice(i, i + INSERT_ROWS), viewer, true, label)) {
          const { value, ...counts } = h;
          hits.set(`${kind}:${value}`, counts);
        }
      }
    }
    const observables: LabelObservables['observables'] = [];
    for (const c of candidates) {
      const h = hits.get(`${c.kind}:${c.value}`);
      if (!h || h.captures - (h.inLabel ?? 0) > (h.inLabel ?? 0)) continue;
      observables.push({ kind: c.kind as FeatureKind, value: c.value, hits: h });
    }
    return { label, captures, observables };
  }

  /**
   * Suricata rule drafts for what a label's captures have in common (observables in at least
   * LABEL_DRAFT_MIN_SHARE of them, rare elsewhere), each with its hits: the label's own captures
   * against the labelled and unlabelled rest (the false-positive risk). undefined: no such label.
   */
  async labelDrafts(label: LabelRef, viewer: Viewer = LOCAL_ADMIN): Promise<(DraftSet & { captures: number }) | undefined> {
    const obs = await this.labelObservables(label, viewer, { kinds: DRAFT_FEATURE_KINDS, minShare: LABEL_DRAFT_MIN_SHARE });
    if (!obs) return undefined;
    const features = obs.observables.map((o) => ({ kind: o.kind, value: o.value }));
    const domains = features.filter((f) => f.kind === 'domain').map((f) => f.value);
    const set = draftRules({ captureId: `label-${label.value}`, label: label.value, features,
      domainLogs: await this.domainLogs(domains, obs.captures.map((c) => c.id)) });
    const known = new Map(obs.observables.map((o) => [`${o.kind}:${o.value}`, o.hits]));
    for (const r of set.rules) {
      const kind = DRAFT_FEATURE[r.kind];
      r.hits = known.get(`${kind}:${r.value}`) ?? await this.hits(kind, r.kind === 'filesha256' ? r.value.split(',') : [r.value], viewer, label);
    }
    return { ...set, captures: obs.captures.length };
  }

  // ---- trends -------------------------------------------------------------------------------

  /**
   * Per week or month of capture time (first packet): captures, top labels (families, sectors,
   * ...), the sectors targeted, top alert signatures (by captures alerting), and how many observables were new. With
   * `label`, only captures carrying that label (a family's activity over time).
   */
  async trends(interval: TrendInterval, viewer: Viewer = LOCAL_ADMIN, label?: string): Promise<TrendPeriod[]> {
    const period = this.periodExpr(interval);
    const labelCond = label ? ' AND EXISTS (SELECT 1 FROM labels lf WHERE lf.capture_id = c.id AND lf.value = ?)' : '';
    const scope = `c.first_ts IS NOT NULL AND c.first_ts >= 0 AND c.first_ts <= ${MAX_TS} AND ${VISIBLE}${labelCond}`;
    const scopeParams = [...visParams(viewer), ...(label ? [label] : [])];
    const periods = new Map<string, TrendPeriod>();
    const at = (key: unknown): TrendPeriod => {
      const p = this.periodName(interval, key);
      let t = periods.get(p);
      if (!t) { t = { period: p, captures: 0, topLabels: [], sectors: [], topAlerts: [], newObservables: {} }; periods.set(p, t); }
      return t;
    };
    for (const r of await this.db.all<{ p: unknown; n: number }>(
      `SELECT ${period} AS p, count(*) AS n FROM captures c WHERE ${scope} GROUP BY ${period}`, scopeParams)) at(r.p).captures = Number(r.n);
    for (const r of await this.db.all<{ p: unknown; kind: string; value: string; n: number }>(
      `SELECT ${period} AS p, l.kind, l.value, count(DISTINCT c.id) AS n FROM labels l JOIN captures c ON c.id = l.capture_id
       WHERE ${scope} GROUP BY ${period}, l.kind, l.value ORDER BY n DESC, l.kind, l.value`, scopeParams)) {
      const t = at(r.p);
      if (t.topLabels.length < TRENDS_TOP) t.topLabels.push({ kind: r.kind, value: r.value, captures: Number(r.n) });
      if (r.kind === 'sector' && t.sectors.length < TRENDS_TOP) t.sectors.push({ value: r.value, captures: Number(r.n) });
    }
    for (const r of await this.db.all<{ p: unknown; value: string; n: number }>(
      `SELECT ${period} AS p, f.value, count(DISTINCT c.id) AS n FROM capture_features f JOIN captures c ON c.id = f.capture_id
       WHERE f.kind = 'alert' AND ${scope} GROUP BY ${period}, f.value ORDER BY n DESC, f.value`, scopeParams)) {
      const t = at(r.p);
      if (t.topAlerts.length < TRENDS_TOP) t.topAlerts.push({ signature: r.value, captures: Number(r.n) });
    }
    for (const r of await this.db.all<{ p: unknown; kind: string; n: number }>(
      `SELECT first_p AS p, kind, count(*) AS n FROM (
         SELECT f.kind, f.value, min(${period}) AS first_p FROM capture_features f JOIN captures c ON c.id = f.capture_id
         WHERE f.kind IN (${marks(NEW_OBSERVABLE_KINDS.length)}) AND ${scope} GROUP BY f.kind, f.value) firsts
       GROUP BY first_p, kind`, [...NEW_OBSERVABLE_KINDS, ...scopeParams])) {
      at(r.p).newObservables[r.kind] = Number(r.n);
    }
    if (label) {
      for (const r of await this.db.all<{ p: unknown; kind: string; value: string; n: number }>(
        `SELECT ${period} AS p, f.kind, f.value, count(DISTINCT c.id) AS n FROM capture_features f JOIN captures c ON c.id = f.capture_id
         WHERE f.kind IN (${marks(ARCHIVE_TOP_KINDS.length)}) AND ${scope} GROUP BY ${period}, f.kind, f.value ORDER BY n DESC, f.kind, f.value`,
        [...ARCHIVE_TOP_KINDS, ...scopeParams])) {
        const t = at(r.p);
        const list = ((t.topObservables ??= {})[r.kind as (typeof ARCHIVE_TOP_KINDS)[number]] ??= []);
        if (list.length < TRENDS_TOP) list.push({ value: r.value, captures: Number(r.n) });
      }
    }
    return [...periods.values()].sort((a, b) => (a.period < b.period ? -1 : 1)).slice(-TRENDS_PERIODS_MAX);
  }

  /** The period of capture `c` in SQL: a week number (Mondays, from the epoch) or 'YYYY-MM'. */
  private periodExpr(interval: TrendInterval): string {
    // 1970-01-01 was a Thursday: shifting by 3 days puts week boundaries on Mondays.
    if (interval === 'week') return this.db.dialect === 'sqlite' ? 'CAST((c.first_ts + 259200) / 604800 AS INTEGER)' : 'floor((c.first_ts + 259200) / 604800)::bigint';
    return this.db.dialect === 'sqlite' ? "strftime('%Y-%m', c.first_ts, 'unixepoch')" : "to_char(to_timestamp(c.first_ts) AT TIME ZONE 'UTC', 'YYYY-MM')";
  }

  private periodName(interval: TrendInterval, key: unknown): string {
    if (interval === 'month') return String(key);
    return new Date((Number(key) * 604800 - 259200) * 1000).toISOString().slice(0, 10);
  }
}

export class LabelLimitError extends Error {
  constructor() { super(`a capture holds at most ${LABELS_PER_CAPTURE_MAX} labels`); }
}

async function purgeDerived(tx: IntelTx, captureId: string): Promise<void> {
  for (const t of ['capture_features', 'capture_signatures', 'signature_buckets']) await tx.run(`DELETE FROM ${t} WHERE capture_id = ?`, [captureId]);
}
