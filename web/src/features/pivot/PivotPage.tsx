/**
 * Pivot: every record holding one observable (GET /api/pivot/{type}/{value}), grouped by capture,
 * newest capture first, each group linking to its console. Reached from row tools and aggregations
 * ("other captures with this"); the URL is the deep link.
 */
import { useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, type PivotHit } from '../../api.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatCount, formatTs } from '../../lib/format.js';
import { searchFor } from '../../lib/classify.js';
import { useAsync } from '../../lib/use-async.js';
import { RecordList } from '../search/RecordList.js';
import '../search/search.css';

/** Hits per request (PAGE_MAX_ROWS on the server is the ceiling). */
const PIVOT_PAGE_ROWS = 500;

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** type and value from the raw path (wouter decodes with decodeURI, which mangles a literal '%'). */
function pivotParams(): { type: string; value: string } {
  const m = /^\/pivot\/([^/]+)\/(.+)$/.exec(window.location.pathname);
  return m ? { type: safeDecode(m[1]), value: safeDecode(m[2]) } : { type: '', value: '' };
}

export default function PivotPage() {
  useLocation(); // re-render on navigation
  const { type, value } = pivotParams();
  const [limit, setLimit] = useState(PIVOT_PAGE_ROWS);
  const state = useAsync((signal) => api.pivot(type, value, { limit: Math.min(limit, 1000) }, signal), [type, value, limit]);
  return (
    <section aria-labelledby="pivot-title" className="pivot-page">
      <h1 id="pivot-title" className="pivot-head">Captures with <span className="dim">{type}</span> <code className="mono">{value}</code></h1>
      <p className="dim"><Link href={`/search?q=${encodeURIComponent(searchFor('', value))}`}>Search the text of every record for it</Link></p>
      {state.status === 'loading' && <p role="status" className="dim">Looking across captures…</p>}
      {state.status === 'error' && <ErrorBox error={state.error} />}
      {state.status === 'ok' && <Hits hits={state.value.hits} more={state.value.hits.length >= limit && limit < 1000} onMore={() => setLimit(1000)} />}
    </section>
  );
}

function Hits({ hits, more, onMore }: { hits: PivotHit[]; more: boolean; onMore: () => void }) {
  const groups = useMemo(() => {
    const m = new Map<string, { capture: PivotHit['capture']; hits: PivotHit[] }>();
    for (const h of hits) {
      const g = m.get(h.capture.id);
      if (g) g.hits.push(h); else m.set(h.capture.id, { capture: h.capture, hits: [h] });
    }
    return [...m.values()].sort((a, b) => (b.capture.lastTs ?? b.capture.firstTs ?? 0) - (a.capture.lastTs ?? a.capture.firstTs ?? 0));
  }, [hits]);
  if (hits.length === 0) return <p>No capture you can see holds this value.</p>;
  return (
    <>
      <p role="status">{formatCount(groups.length)} {groups.length === 1 ? 'capture' : 'captures'}, {formatCount(hits.length)} records{more ? ' (first page)' : ''}.</p>
      {groups.map((g) => (
        <section key={g.capture.id} className="capture-group" aria-label={`Capture ${g.capture.name}`}>
          <h2 className="capture-group-title">
            <Link href={`/captures/${encodeURIComponent(g.capture.id)}`}>{g.capture.name}</Link>
            <span className="dim mono"> {g.capture.id.slice(0, 12)}</span>
            <span className="dim"> · {formatTs(g.capture.firstTs)} · {formatCount(g.hits.length)} {g.hits.length === 1 ? 'record' : 'records'}</span>
          </h2>
          <RecordList label={`Records of capture ${g.capture.name}`}
            records={g.hits.map((h, i) => ({ ...h.record, key: `${h.record.id}#${i}`, extra: h.field }))} />
        </section>
      ))}
      {more && <button type="button" className="primary" onClick={onMore}>Show more</button>}
    </>
  );
}
