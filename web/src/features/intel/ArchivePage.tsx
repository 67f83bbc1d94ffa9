/**
 * The Malware Archive (`/archive`): every family, category, campaign and actor with its capture
 * count and first/last seen; the selected one (`?label=emotet&kind=family`, a deep link) shows the
 * observables that characterise it (top domains, JA3/JA4, user agents, URI patterns, alerts), each
 * one click from a pivot, its captures, and the download of all of them as one zip ("infected")
 * when the server offers it. Label values are user text and observables capture data: React text only.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from 'wouter';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatCount, formatTs } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';
import { downloadWithKey } from '../browse/api.js';
import '../labels/labels.css';
import { useApiKey } from '../settings/use-api-key.js';
import { familyZipTemplate, fillLabel, intelApi, KIND_NAMES, labelHref, type ArchiveCapture, type ArchiveEntry } from './api.js';
import { Drafts } from './Drafts.js';
import { Exports } from './Exports.js';
import { ObservableLink } from './ObservableLink.js';
import './intel.css';

const KIND_FILTERS = [
  { kind: '', text: 'All' }, { kind: 'family', text: 'Families' }, { kind: 'category', text: 'Categories' },
  { kind: 'campaign', text: 'Campaigns' }, { kind: 'actor', text: 'Actors' },
] as const;
/** The characteristic observables shown per entry, in this order. */
const TOP_KINDS = ['domain', 'ja3', 'ja4', 'user_agent', 'uri', 'alert'] as const;

/** A label as a file name part. */
const slug = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64);
const day = (ts: number | null | undefined): string => formatTs(ts).slice(0, 10);

export default function ArchivePage() {
  const key = useApiKey();
  const [params, setParams] = useSearchParams();
  const label = params.get('label') ?? '';
  const kindFilter = params.get('show') ?? '';
  const selectedKind = params.get('kind') ?? '';
  const archive = useAsync((signal) => intelApi.archive(signal), [key]);
  const entries = useMemo(() => {
    const all = archive.status === 'ok' ? archive.value.entries : [];
    return [...all].filter((e) => !kindFilter || e.kind === kindFilter).sort((a, b) => b.captures - a.captures || a.value.localeCompare(b.value));
  }, [archive, kindFilter]);
  const selected = entries.find((e) => e.value === label && (!selectedKind || e.kind === selectedKind))
    ?? (archive.status === 'ok' ? archive.value.entries.find((e) => e.value === label && (!selectedKind || e.kind === selectedKind)) : undefined);

  const go = (next: { label?: string; kind?: string; show?: string }) => {
    const p = new URLSearchParams();
    const show = next.show ?? kindFilter;
    const l = next.label ?? label;
    const k = next.kind ?? selectedKind;
    if (show) p.set('show', show);
    if (l) { p.set('label', l); if (k) p.set('kind', k); }
    setParams(p);
  };

  return (
    <section className="intel-page archive" aria-labelledby="archive-title">
      <header className="intel-head">
        <h1 id="archive-title">Malware Archive</h1>
        <p className="dim">Shared captures by family, category, campaign and actor: what characterises each, and every capture of it.</p>
      </header>
      <div className="segmented" role="group" aria-label="Show">
        {KIND_FILTERS.map((f) => (
          <button key={f.kind} type="button" aria-pressed={kindFilter === f.kind} onClick={() => go({ show: f.kind })}>{f.text}</button>
        ))}
      </div>
      {archive.status === 'loading' && <p role="status" className="dim">Loading the archive…</p>}
      {archive.status === 'error' && <ErrorBox error={archive.error} />}
      {archive.status === 'ok' && (
        <div className="archive-grid">
          <EntryList entries={entries} selected={selected} onPick={(e) => go({ label: e.value, kind: e.kind })} />
          {selected ? <EntryDetail key={`${selected.kind}:${selected.value}`} entry={selected} />
            : label ? <p role="status" className="archive-empty">No archive entry named “{label}” that you can see.</p>
              : <p className="archive-empty dim">Pick an entry to see what characterises it and its captures.</p>}
        </div>
      )}
    </section>
  );
}

function EntryList({ entries, selected, onPick }: { entries: ArchiveEntry[]; selected?: ArchiveEntry; onPick: (e: ArchiveEntry) => void }) {
  const body = useRef<HTMLTableSectionElement>(null);
  // Arrow keys walk the list (and open each entry), Home/End jump to its ends.
  const walk = (ev: KeyboardEvent, i: number) => {
    const j = ev.key === 'ArrowDown' ? i + 1 : ev.key === 'ArrowUp' ? i - 1 : ev.key === 'Home' ? 0 : ev.key === 'End' ? entries.length - 1 : -1;
    if (j < 0 || j >= entries.length || (j === i && ev.key !== 'Home' && ev.key !== 'End')) return;
    ev.preventDefault();
    onPick(entries[j]);
    body.current?.querySelectorAll<HTMLButtonElement>('button.entry-button')[j]?.focus();
  };
  if (entries.length === 0) return <p role="status">Nothing labelled yet. Label captures from their console or from <Link href="/browse">Browse</Link>.</p>;
  return (
    <div className="table-scroll archive-list">
      <table className="plain" aria-label="Archive entries">
        <thead><tr><th scope="col">Label</th><th scope="col" className="num">Captures</th><th scope="col">Seen</th></tr></thead>
        <tbody ref={body}>
          {entries.map((e, i) => {
            const current = selected?.kind === e.kind && selected.value === e.value;
            return (
              <tr key={`${e.kind}:${e.value}`} className={current ? 'current' : undefined} aria-current={current ? 'true' : undefined}>
                <td>
                  <button type="button" className={`entry-button label-chip kind-${e.kind}`} onClick={() => onPick(e)} onKeyDown={(ev) => walk(ev, i)}
                    title={e.value} aria-label={`${e.kind} ${e.value}: ${e.captures} captures`}>
                    <span className="label-kind">{e.kind}</span><span className="entry-value">{e.value}</span>
                  </button>
                </td>
                <td className="num">{formatCount(e.captures)}</td>
                <td className="mono small seen" title="First and last seen (first packet of its captures)">
                  {day(e.firstSeen)}{day(e.lastSeen) !== day(e.firstSeen) && <><br />{day(e.lastSeen)}</>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EntryDetail({ entry }: { entry: ArchiveEntry }) {
  const key = useApiKey();
  const page = useAsync((signal) => intelApi.archiveLabel(entry.value, entry.kind, signal), [entry.value, entry.kind, key]);
  const kinds = TOP_KINDS.filter((k) => (entry.top[k]?.length ?? 0) > 0);
  return (
    <article className="archive-detail" aria-labelledby="entry-title">
      <div className="entry-head">
        <h2 id="entry-title"><span className={`label-chip kind-${entry.kind}`}><span className="label-kind">{entry.kind}</span></span> <span className="entry-name">{entry.value}</span></h2>
        <dl className="facts">
          <div><dt>Captures</dt><dd>{formatCount(entry.captures)}</dd></div>
          <div><dt>First seen</dt><dd className="mono">{formatTs(entry.firstSeen)}</dd></div>
          <div><dt>Last seen</dt><dd className="mono">{formatTs(entry.lastSeen)}</dd></div>
        </dl>
        <div className="entry-actions">
          <FamilyZip label={entry.value} kind={entry.kind} />
          <Link className="plain-button" href={`/trends?label=${encodeURIComponent(entry.value)}`}>Trends of {entry.value}</Link>
          <Link className="plain-button" href={`/search?q=${encodeURIComponent(`label:"${entry.value.replace(/["\\]/g, (c) => `\\${c}`)}" | count by log`)}`}>Search its records</Link>
        </div>
        <Exports hrefOf={(f) => intelApi.labelExportFile(entry.value, entry.kind, f)} fileStem={`capdex-${entry.kind}-${slug(entry.value)}`} name={entry.value} withKey={Boolean(key)} />
      </div>
      <h3 className="mini-title">What characterises it</h3>
      {kinds.length === 0 ? <p className="dim">No observables shared by its captures yet.</p> : (
        <div className="top-grid">
          {kinds.map((k) => (
            <section key={k} className="top-card" aria-labelledby={`top-${k}`}>
              <h4 id={`top-${k}`}>{KIND_NAMES[k] ?? k}</h4>
              <ol className="top-list">
                {entry.top[k]!.map((t) => (
                  <li key={t.value}>
                    <ObservableLink kind={k} value={t.value} />
                    <span className="dim small" title={`${t.captures} of its captures`}>{t.captures}/{entry.captures}</span>
                  </li>
                ))}
              </ol>
            </section>
          ))}
        </div>
      )}
      <LabelDrafts entry={entry} />
      <h3 className="mini-title">Captures</h3>
      {page.status === 'loading' && <p role="status" className="dim">Loading its captures…</p>}
      {page.status === 'error' && <ErrorBox error={page.error} />}
      {page.status === 'ok' && <CaptureTable captures={page.value.captures} label={entry.value} />}
    </article>
  );
}

/** The label's signature drafts: computed on the server when first opened (they count hits across the archive). */
function LabelDrafts({ entry }: { entry: ArchiveEntry }) {
  const key = useApiKey();
  const [open, setOpen] = useState(false);
  return (
    <details className="label-drafts" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary className="mini-title">Signature drafts for {entry.value}</summary>
      {open && <LabelDraftsBody entry={entry} withKey={Boolean(key)} />}
    </details>
  );
}

function LabelDraftsBody({ entry, withKey }: { entry: ArchiveEntry; withKey: boolean }) {
  const drafts = useAsync((signal) => intelApi.labelDrafts(entry.value, entry.kind, signal), [entry.value, entry.kind, withKey]);
  if (drafts.status === 'loading') return <p className="dim" role="status">Drafting rules from what its captures share…</p>;
  if (drafts.status === 'error') return <ErrorBox error={drafts.error} />;
  return <Drafts set={drafts.value} rulesFile={intelApi.labelDraftsFile(entry.value, entry.kind)} fileName={`capdex-draft-${entry.kind}-${slug(entry.value)}.rules`} withKey={withKey} what={entry.kind} />;
}

function CaptureTable({ captures, label }: { captures: ArchiveCapture[]; label: string }) {
  if (captures.length === 0) return <p className="dim">None you can see.</p>;
  return (
    <div className="table-scroll">
      <table className="plain" aria-label={`Captures labelled ${label}`}>
        <thead><tr><th scope="col">Name</th><th scope="col">Labels</th><th scope="col">First packet</th><th scope="col">Last packet</th></tr></thead>
        <tbody>
          {captures.map((c) => (
            <tr key={c.id}>
              <td>
                <Link href={`/captures/${encodeURIComponent(c.id)}`} className="capture-link">{c.name || c.id.slice(0, 16)}</Link>
                {c.visibility === 'private' && <span className="badge private">private</span>}
                <div className="mono dim small">{c.id.slice(0, 16)}…</div>
              </td>
              <td>
                <ul className="label-list">
                  {c.labels.map((l) => {
                    const colon = l.indexOf(':');
                    const kind = colon < 0 ? 'tag' : l.slice(0, colon);
                    const value = colon < 0 ? l : l.slice(colon + 1);
                    return <li key={l} className={`label-chip kind-${kind}`}><Link href={labelHref(kind, value)}><span className="label-kind">{kind}</span> {value}</Link></li>;
                  })}
                </ul>
              </td>
              <td className="mono small">{formatTs(c.firstTs)}</td>
              <td className="mono small">{formatTs(c.lastTs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * "Download the family's captures": only if the server has the endpoint (familyZipTemplate). With
 * an API key the zip is fetched with it (private captures of the key are in it); without, a plain
 * link lets the browser stream it.
 */
function FamilyZip({ label, kind }: { label: string; kind: string }) {
  const key = useApiKey();
  const [template, setTemplate] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => { let live = true; void familyZipTemplate().then((t) => { if (live) setTemplate(t); }); return () => { live = false; }; }, []);
  if (!template) return null;
  const href = `${fillLabel(template, label)}?kind=${encodeURIComponent(kind)}`;
  const text = 'Download captures (zip, password infected)';
  const fileName = `capdex-${kind}-${slug(label)}.zip`;
  return (
    <span className="family-zip">
      {key ? (
        <button type="button" className="primary" disabled={busy} onClick={() => {
          setBusy(true); setError(null);
          downloadWithKey(href, fileName).catch((e: Error) => setError(e)).finally(() => setBusy(false));
        }}>{busy ? 'Preparing the zip…' : text}</button>
      ) : <a className="primary button-link" href={href} download={fileName}>{text}</a>}
      {error && <ErrorBox error={error} />}
    </span>
  );
}
