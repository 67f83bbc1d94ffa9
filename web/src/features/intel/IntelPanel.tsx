/**
 * The console's intelligence panel (its own lazy chunk, mounted once the log tables have drawn):
 * "likely <label>" suggestions with their evidence; tabs for the similar captures (ranked, the
 * shared observables as the reason, each a link to that console) and the signature drafts (with
 * their hits across the archive, labelled and unlabelled, and copy buttons); exports (STIX 2.1,
 * MISP, CSV). Everything shown is capture or user text: React text only.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'wouter';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatTs } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';
import '../labels/labels.css';
import { labelsApi } from '../labels/api.js';
import { LABELS_CHANGED } from '../labels/Labels.js';
import { useApiKey } from '../settings/use-api-key.js';
import { intelApi, KIND_NAMES, labelHref, type SimilarHit, type Suggestion } from './api.js';
import { Drafts } from './Drafts.js';
import { Exports } from './Exports.js';
import { ObservableLink } from './ObservableLink.js';
import './intel.css';

/** Similar captures asked for (the API ranks the whole collection; the first ones matter). */
const SIMILAR_SHOWN = 20;
/** Shared observables shown per similar capture before "more". */
const SHARED_SHOWN = 6;

/** localStorage: the panel collapsed (an analyst who never wants it keeps it out of the way, and its requests with it). */
const COLLAPSED_STORAGE = 'capdex.intelPanel.collapsed';

export default function IntelPanel({ captureId, captureName, isPrivate }: { captureId: string; captureName: string; isPrivate: boolean }) {
  const [collapsed, setCollapsed] = useState(() => localStorage.getItem(COLLAPSED_STORAGE) === '1');
  const toggle = () => setCollapsed((c) => { if (c) localStorage.removeItem(COLLAPSED_STORAGE); else localStorage.setItem(COLLAPSED_STORAGE, '1'); return !c; });
  return (
    <section className={collapsed ? 'intel-panel collapsed' : 'intel-panel'} aria-labelledby="intel-title">
      <div className="intel-panel-head">
        <button type="button" className="ghost small" onClick={toggle} aria-expanded={!collapsed} aria-controls="intel-body"
          aria-label={collapsed ? 'Expand intelligence' : 'Collapse intelligence'}>{collapsed ? '▸' : '▾'}</button>
        <h2 id="intel-title" className="panel-title">intelligence</h2>
        <Exports hrefOf={(f) => intelApi.exportFile(captureId, f)} fileStem={`capdex-${captureId.slice(0, 12)}`} name={captureName || captureId.slice(0, 12)} withKey={isPrivate} />
      </div>
      {!collapsed && <IntelBody captureId={captureId} isPrivate={isPrivate} />}
    </section>
  );
}

function IntelBody({ captureId, isPrivate }: { captureId: string; isPrivate: boolean }) {
  const key = useApiKey();
  const [tab, setTab] = useState<'similar' | 'drafts'>('similar');
  const similar = useAsync((signal) => intelApi.similar(captureId, SIMILAR_SHOWN, signal), [captureId, key]);
  const suggestions = useAsync((signal) => intelApi.suggestions(captureId, signal), [captureId, key]);
  const drafts = useAsync((signal) => intelApi.drafts(captureId, signal), [captureId, key]);
  const tabs = [
    { id: 'similar', text: 'Similar captures', count: similar.status === 'ok' ? similar.value.length : undefined },
    { id: 'drafts', text: 'Signature drafts', count: drafts.status === 'ok' ? drafts.value.rules.length : undefined },
  ] as const;
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const onTabKey = (e: KeyboardEvent, i: number) => {
    const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
    if (j < 0) return;
    e.preventDefault();
    setTab(tabs[j].id);
    tabRefs.current[j]?.focus();
  };

  return (
    <div className="intel-panel-body" id="intel-body">
      <div className="suggestions-box">
        <h3 className="mini-title">Label suggestions</h3>
        {suggestions.status === 'loading' && <p className="dim small" role="status">Looking for labelled captures sharing strong observables…</p>}
        {suggestions.status === 'error' && <ErrorBox error={suggestions.error} />}
        {suggestions.status === 'ok' && <Suggestions list={suggestions.value.suggestions} captureId={captureId} canLabel={Boolean(key)} />}
      </div>
      <div className="intel-tabs-box">
        <div role="tablist" aria-label="Intelligence" className="intel-tabs">
          {tabs.map((t, i) => (
            <button key={t.id} ref={(b) => { tabRefs.current[i] = b; }} type="button" role="tab" id={`intel-tab-${t.id}`}
              aria-selected={tab === t.id} aria-controls={`intel-pane-${t.id}`} tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)} onKeyDown={(e) => onTabKey(e, i)}>
              {t.text}{t.count !== undefined && <span className="tab-count">{t.count}</span>}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="intel-pane-similar" aria-labelledby="intel-tab-similar" className="intel-pane" tabIndex={0} hidden={tab !== 'similar'}>
          {similar.status === 'loading' ? <p className="dim" role="status">Ranking the collection…</p>
            : similar.status === 'error' ? <ErrorBox error={similar.error} /> : <Similar hits={similar.value} />}
        </div>
        <div role="tabpanel" id="intel-pane-drafts" aria-labelledby="intel-tab-drafts" className="intel-pane" tabIndex={0} hidden={tab !== 'drafts'}>
          {drafts.status === 'loading' ? <p className="dim" role="status">Drafting rules and counting their hits…</p>
            : drafts.status === 'error' ? <ErrorBox error={drafts.error} />
              : <Drafts set={drafts.value} rulesFile={intelApi.draftsFile(captureId)} fileName={`capdex-draft-${captureId.slice(0, 12)}.rules`} withKey={isPrivate} what="capture" />}
        </div>
      </div>
    </div>
  );
}

/** "Add label" on a suggestion (with an API key): the label is added and every chip list of the capture reloads. */
function AcceptSuggestion({ captureId, s }: { captureId: string; s: Suggestion }) {
  const [state, setState] = useState<'idle' | 'busy' | 'added'>('idle');
  const [error, setError] = useState<Error | null>(null);
  if (state === 'added') return <span className="small ok-text" role="status">added</span>;
  return (
    <>
      <button type="button" className="ghost small" disabled={state === 'busy'} aria-label={`Label this capture ${s.label.kind} ${s.label.value}`}
        onClick={() => {
          setState('busy'); setError(null);
          labelsApi.add(captureId, s.label.kind, s.label.value).then(
            () => { setState('added'); window.dispatchEvent(new CustomEvent(LABELS_CHANGED, { detail: captureId })); },
            (e: Error) => { setState('idle'); setError(e); },
          );
        }}>+ add label</button>
      {error && <ErrorBox error={error} />}
    </>
  );
}

function Suggestions({ list, captureId, canLabel }: { list: Suggestion[]; captureId: string; canLabel: boolean }) {
  if (list.length === 0) return <p className="dim small">No labelled capture shares a strong observable (file hash, certificate, JA3+SNI, contacted domain) with this one.</p>;
  return (
    <ul className="suggestion-list" aria-label="Label suggestions">
      {list.map((s) => (
        <li key={`${s.label.kind}:${s.label.value}`} className={`suggestion-item confidence-${s.confidence}`}>
          <div className="suggestion-title">
            <span className={`label-chip kind-${s.label.kind}`}>
              <Link href={labelHref(s.label.kind, s.label.value)}>
                <span className="label-kind">likely {s.label.kind}</span> {s.label.value}
              </Link>
            </span>
            <span className="badge confidence">{s.confidence} confidence</span>
            {canLabel && <AcceptSuggestion captureId={captureId} s={s} />}
          </div>
          <details>
            <summary className="small">{s.evidence.length} shared {s.evidence.length === 1 ? 'observable' : 'observables'}</summary>
            <ul className="evidence-list">
              {s.evidence.map((e) => (
                <li key={`${e.kind}:${e.value}`}>
                  <span className="dim small">{KIND_NAMES[e.kind] ?? e.kind}</span> <ObservableLink kind={e.kind} value={e.value} />
                  <span className="dim small"> in </span>
                  {e.captures.map((c, i) => (
                    <span key={c.id}>{i > 0 && ', '}<Link href={`/captures/${encodeURIComponent(c.id)}`}>{c.name || c.id.slice(0, 12)}</Link></span>
                  ))}
                </li>
              ))}
            </ul>
          </details>
        </li>
      ))}
    </ul>
  );
}

function Similar({ hits }: { hits: SimilarHit[] }) {
  if (hits.length === 0) return <p className="dim">No other capture you can see shares enough observables with this one.</p>;
  return (
    <table className="plain similar-table" aria-label="Similar captures">
      <thead><tr><th scope="col">#</th><th scope="col">Capture</th><th scope="col">Similarity</th><th scope="col">Shared observables (the reason)</th></tr></thead>
      <tbody>
        {hits.map((h, i) => (
          <tr key={h.capture.id}>
            <td className="num dim">{i + 1}</td>
            <td className="similar-capture">
              <Link href={`/captures/${encodeURIComponent(h.capture.id)}`} className="capture-link">{h.capture.name || h.capture.id.slice(0, 16)}</Link>
              {h.capture.visibility === 'private' && <span className="badge private">private</span>}
              <div className="dim small mono">{formatTs(h.capture.firstTs).slice(0, 16)}</div>
            </td>
            <td>
              <div className="score" title={`Estimated Jaccard similarity ${h.score}`}>
                <meter min={0} max={1} value={h.score} aria-label={`Similarity ${Math.round(h.score * 100)}%`} />
                <span className="num">{Math.round(h.score * 100)}%</span>
              </div>
            </td>
            <td className="shared-cell">
              <SharedList shared={h.shared} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SharedList({ shared }: { shared: SimilarHit['shared'] }) {
  const [all, setAll] = useState(false);
  if (shared.length === 0) return <span className="dim small">flow features only (services, ports)</span>;
  const shown = all ? shared : shared.slice(0, SHARED_SHOWN);
  return (
    <ul className="shared-list">
      {shown.map((f) => (
        <li key={`${f.kind}:${f.value}`} className="shared-item">
          <span className="shared-kind">{f.kind}</span><ObservableLink kind={f.kind} value={f.value} />
        </li>
      ))}
      {shared.length > SHARED_SHOWN && (
        <li><button type="button" className="ghost small" onClick={() => setAll((a) => !a)}>{all ? 'fewer' : `+${shared.length - SHARED_SHOWN} more`}</button></li>
      )}
    </ul>
  );
}

