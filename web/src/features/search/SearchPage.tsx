/**
 * Search: the query language over every capture the viewer may see. The query and page live in
 * the URL (/search?q=…&page=…), so every search is a deep link. Records come grouped by capture;
 * aggregations (`| count by f`, `| top N f`, `| values f`) as a table and a bar chart; errors
 * point at the server's position with a caret. Every value opens row tools, one click from a pivot.
 */
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, ApiRequestError, type AggregationRow, type SearchAnswer, type StoredRecord } from '../../api.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { classify, searchFor } from '../../lib/classify.js';
import { formatCount } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';
import { QueryInput } from './QueryInput.js';
import { RecordList } from './RecordList.js';
import { SyntaxHelp } from './SyntaxHelp.js';
import './search.css';

const AggChart = lazy(() => import('./AggChart.js'));

/** Rows per page (the API allows up to PAGE_MAX_ROWS; 100 keeps the page light). */
export const SEARCH_PAGE_ROWS = 100;

export default function SearchPage() {
  useSearch(); // re-render on changes; read the raw string (wouter's decodeURI would turn a literal %25 into %)
  const params = new URLSearchParams(window.location.search);
  const q = params.get('q') ?? '';
  const page = Math.max(0, Number.parseInt(params.get('page') ?? '0', 10) || 0);
  const [, navigate] = useLocation();
  const [draft, setDraft] = useState(q);
  const [invalid, setInvalid] = useState(false);
  useEffect(() => setDraft(q), [q]);
  const go = (query: string, p = 0) => navigate(`/search?q=${encodeURIComponent(query)}${p > 0 ? `&page=${p}` : ''}`);

  return (
    <section aria-labelledby="search-title" className="search-page">
      <h1 id="search-title">Search</h1>
      <form role="search" className="search-form" onSubmit={(e) => { e.preventDefault(); if (draft.trim()) go(draft.trim()); }}>
        <QueryInput value={draft} onChange={setDraft} onSubmit={() => { if (draft.trim()) go(draft.trim()); }} invalid={invalid} describedBy={invalid ? 'query-error' : undefined} />
        <button type="submit" className="primary">Search</button>
      </form>
      <SyntaxHelp onPick={(example) => { setDraft(example); go(example); }} />
      {q && <Results key={`${q}\u0000${page}`} q={q} page={page} onPage={(p) => go(q, p)} onInvalid={setInvalid} />}
    </section>
  );
}

function Results({ q, page, onPage, onInvalid }: { q: string; page: number; onPage: (p: number) => void; onInvalid: (bad: boolean) => void }) {
  const state = useAsync((signal) => api.search(q, { limit: SEARCH_PAGE_ROWS, offset: page * SEARCH_PAGE_ROWS }, signal), [q, page]);
  const bad = state.status === 'error' && state.error instanceof ApiRequestError && state.error.code === 'BAD_QUERY';
  useEffect(() => onInvalid(bad), [bad, onInvalid]);
  if (state.status === 'loading') return <p role="status" className="dim">Searching…</p>;
  if (state.status === 'error') return <QueryErrorView q={q} error={state.error} />;
  return <Answer q={q} answer={state.value} page={page} onPage={onPage} />;
}

/** The server's message and the query with a caret under the position it gave. */
function QueryErrorView({ q, error }: { q: string; error: Error }) {
  const pos = error instanceof ApiRequestError && typeof error.extra.position === 'number' ? error.extra.position : undefined;
  if (pos === undefined) return <ErrorBox error={error} />;
  const chars = Array.from(q.slice(0, pos)).length;
  return (
    <div className="error-box query-error" role="alert" id="query-error">
      <p>{error.message}</p>
      <pre className="mono caret-view" aria-label={`Error at character ${chars + 1}`}>{q.replace(/[\u0000-\u001f]/g, ' ')}{'\n'}{' '.repeat(chars)}^</pre>
    </div>
  );
}

function Answer({ q, answer, page, onPage }: { q: string; answer: SearchAnswer; page: number; onPage: (p: number) => void }) {
  if (answer.aggregation) return <AggregationView q={q} rows={answer.aggregation} />;
  const rows = answer.rows ?? [];
  const more = rows.length === SEARCH_PAGE_ROWS;
  return (
    <>
      <Pager page={page} count={rows.length} more={more} onPage={onPage} />
      {rows.length === 0 ? <p>No records match.</p> : <GroupedRows rows={rows} />}
      {rows.length > 20 && <Pager page={page} count={rows.length} more={more} onPage={onPage} />}
    </>
  );
}

function Pager({ page, count, more, onPage }: { page: number; count: number; more: boolean; onPage: (p: number) => void }) {
  const from = page * SEARCH_PAGE_ROWS;
  return (
    <nav className="pager" aria-label="Result pages">
      <button type="button" onClick={() => onPage(page - 1)} disabled={page === 0}>← Previous</button>
      <span className="dim" role="status">{count === 0 ? 'No records' : `Records ${formatCount(from + 1)}–${formatCount(from + count)}`}</span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={!more}>Next →</button>
    </nav>
  );
}

/** One section per capture, in the order the server ranked their first records. */
function GroupedRows({ rows }: { rows: StoredRecord[] }) {
  const groups = useMemo(() => {
    const m = new Map<string, StoredRecord[]>();
    for (const r of rows) { const g = m.get(r.captureId); if (g) g.push(r); else m.set(r.captureId, [r]); }
    return [...m.entries()];
  }, [rows]);
  const ids = groups.map(([id]) => id);
  const names = useAsync(async (signal) => {
    const out = new Map<string, string>();
    await Promise.all(ids.map(async (id) => {
      try { const d = await api.capture(id, signal); if (d.capture) out.set(id, d.capture.name); } catch { /* the id stands in */ }
    }));
    return out;
  }, [ids.join(',')]);
  const nameOf = (id: string) => (names.status === 'ok' ? names.value.get(id) : undefined);
  return (
    <>
      {groups.map(([id, recs]) => (
        <section key={id} className="capture-group" aria-label={`Capture ${nameOf(id) ?? id}`}>
          <h2 className="capture-group-title">
            <Link href={`/captures/${encodeURIComponent(id)}`}>{nameOf(id) ?? `${id.slice(0, 16)}…`}</Link>
            <span className="dim mono"> {id.slice(0, 12)}</span>
            <span className="dim"> · {formatCount(recs.length)} {recs.length === 1 ? 'record' : 'records'}</span>
          </h2>
          <RecordList label={`Records of capture ${nameOf(id) ?? id}`} records={recs.map((r) => ({ ...r, key: String(r.id) }))} />
        </section>
      ))}
    </>
  );
}

/** The field an aggregation groups by, read back from the query (the server answers keys only). */
export function aggregationField(q: string): string | undefined {
  return /\|\s*(?:count\s+by|top\s+\d+|values)\s+([A-Za-z_][A-Za-z0-9_.]*)/i.exec(q)?.[1];
}

function AggregationView({ q, rows }: { q: string; rows: AggregationRow[] }) {
  const field = aggregationField(q);
  const filter = q.slice(0, q.lastIndexOf('|')).trim();
  const data = rows.map((r) => ({ key: r.key === undefined || r.key === null ? '(none)' : String(r.key), count: r.count, raw: r.key }));
  if (!field) {
    return <p className="agg-total" role="status"><strong>{formatCount(rows[0]?.count ?? 0)}</strong> records match.</p>;
  }
  const total = data.reduce((s, r) => s + r.count, 0);
  return (
    <div className="agg">
      <table className="plain agg-table" aria-label={`Counts by ${field}`}>
        <thead><tr><th scope="col">{field}</th><th scope="col">Records</th><th scope="col">Share</th><th scope="col"><span className="sr-only">Pivots</span></th></tr></thead>
        <tbody>
          {data.map((r, i) => {
            const c = classify(r.raw, field);
            return (
              <tr key={`${r.key}#${i}`}>
                <td className="mono agg-key">{r.key}</td>
                <td className="num">{formatCount(r.count)}</td>
                <td className="num dim">{total ? `${((r.count / total) * 100).toFixed(1)}%` : ''}</td>
                <td><span className="agg-links">
                  {r.raw !== null && r.raw !== undefined && (
                    <Link href={`/search?q=${encodeURIComponent(`${filter ? `${filter} AND ` : ''}${searchFor(field, r.key)}`)}`} aria-label={`Records with ${field} ${r.key}`}>records</Link>
                  )}
                  {c.pivot && <Link href={`/pivot/${c.pivot}/${encodeURIComponent(c.value)}`} aria-label={`Other captures with ${r.key}`}>pivot</Link>}
                </span></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data.length > 0 && (
        <Suspense fallback={<p className="dim" role="status">Loading chart…</p>}>
          <AggChart rows={data} field={field} />
        </Suspense>
      )}
    </div>
  );
}
