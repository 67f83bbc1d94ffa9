/**
 * Browse (`/browse`): the newest captures this viewer may see (public ones, and the API key's own
 * private ones), paged; by label (`?label=emotet`, from the archive); by name within the newest
 * captures (`?q=`); submitted between and first packet between (`?submitted_from=2024-01-01&first_to=…`,
 * dates.ts, applied by the server). Each row: its labels, a link to its console, and its downloads. Every filter
 * lives in the URL, so a view is a link.
 */
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'wouter';
import { ApiRequestError } from '../../api.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatBytes, formatCount, formatTs } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';
import { Labels } from '../labels/Labels.js';
import '../labels/labels.css';
import { labelsApi } from '../labels/api.js';
import { useApiKey } from '../settings/use-api-key.js';
import { browseApi, type BrowseRow } from './api.js';
import { Downloads } from './Downloads.js';
import { DATE_PARAMS, NO_DATES, type DateBounds, apiBounds, describeDates, hasDates, readDates } from './dates.js';
import './browse.css';

/** Captures per page (each row loads its labels: keep pages small). */
const PAGE_ROWS = 25;
/**
 * A name filter looks through this many of the newest captures (the API lists by recency, not by
 * name): a bound the page says out loud.
 */
const NAME_SCAN_ROWS = 1000;
/** Labels offered as one-click filters (the most used first); the Label field finds the rest. */
const KNOWN_LABELS_SHOWN = 12;

interface Loaded { rows: BrowseRow[]; pending: { captureId: string; name: string; status: string }[]; more: boolean; scanned?: number }

async function load(label: string, q: string, dates: DateBounds, page: number, signal: AbortSignal): Promise<Loaded> {
  const needle = q.trim().toLowerCase();
  const bounds = apiBounds(dates);
  if (label) {
    // No capture this viewer may see carries it: an empty list, not an error.
    const r = await browseApi.byLabel(label, signal).catch((e: unknown) => {
      if (e instanceof ApiRequestError && e.code === 'LABEL_NOT_FOUND') return { captures: [] };
      throw e;
    });
    let all = needle ? r.captures.filter((c) => c.name.toLowerCase().includes(needle)) : r.captures;
    let scanned: number | undefined;
    if (hasDates(dates)) {
      // The archive has no submission times: the label's captures within the server's dated list.
      const within = (await browseApi.captures({ limit: NAME_SCAN_ROWS, ...bounds }, signal)).captures;
      const ids = new Set(within.map((c) => c.id));
      all = all.filter((c) => ids.has(c.id));
      scanned = within.length;
    }
    return { rows: all.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS), pending: [], more: all.length > (page + 1) * PAGE_ROWS, scanned };
  }
  if (needle) {
    const r = await browseApi.captures({ limit: NAME_SCAN_ROWS, ...bounds }, signal);
    const all = r.captures.filter((c) => c.name.toLowerCase().includes(needle));
    return { rows: all.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS), pending: [], more: all.length > (page + 1) * PAGE_ROWS, scanned: r.captures.length };
  }
  // One more than a page tells whether a next page exists.
  const r = await browseApi.captures({ limit: PAGE_ROWS + 1, offset: page * PAGE_ROWS, ...bounds }, signal);
  return { rows: r.captures.slice(0, PAGE_ROWS), pending: page === 0 ? r.pending : [], more: r.captures.length > PAGE_ROWS };
}

const DATE_FIELDS: { key: keyof DateBounds; text: string }[] = [
  { key: 'submittedFrom', text: 'Submitted from' }, { key: 'submittedTo', text: 'Submitted to' },
  { key: 'firstFrom', text: 'First packet from' }, { key: 'firstTo', text: 'First packet to' },
];

function Filters({ label, q, dates, onApply }: { label: string; q: string; dates: DateBounds; onApply: (label: string, q: string, dates: DateBounds) => void }) {
  const [labelText, setLabelText] = useState(label);
  const [qText, setQText] = useState(q);
  const [dateText, setDateText] = useState(dates);
  const archive = useAsync((signal) => labelsApi.archive(signal), []);
  const known = archive.status === 'ok' ? archive.value.entries : [];
  const submit = (e: FormEvent) => { e.preventDefault(); onApply(labelText.trim(), qText.trim(), dateText); };
  return (
    <form className="browse-filters" role="search" aria-label="Filter captures" onSubmit={submit}>
      <label className="field">
        <span>Name contains</span>
        <input type="search" value={qText} onChange={(e) => setQText(e.target.value)} placeholder="invoice" />
      </label>
      <label className="field">
        <span>Label</span>
        <input type="search" list="known-labels" value={labelText} onChange={(e) => setLabelText(e.target.value)} placeholder="emotet" />
        <datalist id="known-labels">
          {known.map((e) => <option key={`${e.kind}:${e.value}`} value={e.value}>{`${e.kind} · ${e.captures} capture${e.captures === 1 ? '' : 's'}`}</option>)}
        </datalist>
      </label>
      <fieldset className="date-filters">
        <legend className="dim">Dates (UTC)</legend>
        {DATE_FIELDS.map((f) => (
          <label key={f.key} className="field">
            <span>{f.text}</span>
            <input type="date" value={dateText[f.key]} onChange={(e) => setDateText((d) => ({ ...d, [f.key]: e.target.value }))} />
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary">Apply</button>
      {(label || q || hasDates(dates)) && <button type="button" className="plain-button" onClick={() => { setLabelText(''); setQText(''); setDateText(NO_DATES); onApply('', '', NO_DATES); }}>Clear</button>}
      {known.length > 0 && (
        <ul className="known-labels" aria-label="Labels in use">
          {[...known].sort((a, b) => b.captures - a.captures).slice(0, KNOWN_LABELS_SHOWN).map((e) => (
            <li key={`${e.kind}:${e.value}`} className={`label-chip kind-${e.kind}`}>
              <Link href={`/browse?label=${encodeURIComponent(e.value)}`}><span className="label-kind">{e.kind}</span> {e.value} <span className="dim">{e.captures}</span></Link>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

export default function BrowsePage() {
  const key = useApiKey();
  const [params, setParams] = useSearchParams();
  const label = params.get('label') ?? '';
  const q = params.get('q') ?? '';
  const page = Math.max(0, Math.min(10_000, Number.parseInt(params.get('page') ?? '0', 10) || 0));
  const dates = readDates(params);
  const datesKey = JSON.stringify(dates);
  const state = useAsync((signal) => load(label, q, dates, page, signal), [label, q, datesKey, page, key]);

  const go = (next: { label?: string; q?: string; dates?: DateBounds; page?: number }) => {
    const p = new URLSearchParams();
    const l = next.label ?? label;
    const n = next.q ?? q;
    const d = next.dates ?? dates;
    const pg = next.page ?? 0;
    if (l) p.set('label', l);
    if (n) p.set('q', n);
    for (const k of Object.keys(DATE_PARAMS) as (keyof DateBounds)[]) if (d[k]) p.set(DATE_PARAMS[k], d[k]);
    if (pg > 0) p.set('page', String(pg));
    setParams(p);
  };

  return (
    <section className="browse" aria-labelledby="browse-title">
      <div className="browse-head">
        <h1 id="browse-title">Captures</h1>
        {label && <span className="label-filter">labelled <strong>{label}</strong></span>}
      </div>
      <Filters key={`${label}|${q}|${datesKey}`} label={label} q={q} dates={dates} onApply={(l, n, d) => go({ label: l, q: n, dates: d, page: 0 })} />
      <p className="dim browse-note">
        {key ? 'Public captures and the private ones of your API key.' : 'Public captures. Set an API key to see your private ones too.'}
        {hasDates(dates) && ` Only captures ${describeDates(dates)}.`}
        {state.status === 'ok' && state.value.scanned !== undefined && ` ${label && hasDates(dates) ? 'Dates' : 'Name filter'} over the newest ${formatCount(state.value.scanned)} captures${hasDates(dates) ? ' within the dates' : ''}.`}
      </p>
      {state.status === 'loading' && <p role="status">Loading captures…</p>}
      {state.status === 'error' && <ErrorBox error={state.error} />}
      {state.status === 'ok' && <Results loaded={state.value} filtered={Boolean(label || q || hasDates(dates))} page={page} go={(pg) => go({ page: pg })} />}
    </section>
  );
}

function Results({ loaded, filtered, page, go }: { loaded: Loaded; filtered: boolean; page: number; go: (page: number) => void }) {
  const { rows, pending, more } = loaded;
  return (
    <>
      {pending.length > 0 && (
        <p className="dim">{pending.length} in the queue: {pending.map((j) => (
          <Link key={j.captureId} href={`/captures/${j.captureId}`} className="mono pending">{j.name} ({j.status})</Link>
        ))}</p>
      )}
      {rows.length === 0 ? (
        <p role="status">{filtered ? 'No captures match.' : <>No captures yet. <Link href="/">Submit one</Link>.</>}</p>
      ) : (
        <div className="table-scroll">
          <table className="plain browse-table" aria-label="Analysed captures">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Labels</th><th scope="col">First packet</th><th scope="col">Size</th><th scope="col">Packets</th><th scope="col">Records</th><th scope="col">Download</th></tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>
                    <div className="name-cell">
                      <Link href={`/captures/${c.id}`} className="capture-link">{c.name}</Link>
                      <span className="mono dim sha" title={c.id}>{c.id.slice(0, 12)}…</span>
                      {c.visibility === 'private' && <span className="badge private">private</span>}
                    </div>
                  </td>
                  <td><Labels captureId={c.id} captureName={c.name} compact /></td>
                  <td className="num">{formatTs(c.firstTs)}</td>
                  <td className="num">{formatBytes(c.size)}</td>
                  <td className="num">{formatCount(c.packets)}</td>
                  <td className="num">{formatCount(c.recordCount)}</td>
                  <td><Downloads captureId={c.id} name={c.name} isPrivate={c.visibility === 'private'} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(page > 0 || more) && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={page === 0} onClick={() => go(page - 1)}>← Newer</button>
          <span className="dim">Page {page + 1}</span>
          <button type="button" disabled={!more} onClick={() => go(page + 1)}>Older →</button>
        </nav>
      )}
    </>
  );
}
