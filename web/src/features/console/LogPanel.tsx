/**
 * One log of the capture as a panel: header (title, row count, filter box, columns, move, collapse,
 * full screen), and the virtualised table (components/LogTable.tsx). Unfiltered it pages the log
 * API in ts order (either direction); with a filter (the search language, e.g. `10.0.0.1` or
 * `dns.query:*.example.com`) it pages the search API. Other columns sort in the browser once the
 * whole (filtered) log is small enough to hold (CLIENT_SORT_MAX_ROWS).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SortingState, VisibilityState } from '@tanstack/react-table';
import type { StoredRecord } from '../../api.js';
import { LogTable, columnsOf, valueAt, type PageLoader } from '../../components/LogTable.js';
import { consoleApi } from './api.js';
import { loadColumns, saveColumns, PANEL_MIN_PX } from './layout.js';

/** Rows a panel may load whole to sort by any column in the browser. */
export const CLIENT_SORT_MAX_ROWS = 5000;
/** Columns shown before the analyst picks (the rest are one click away). */
const DEFAULT_VISIBLE_COLUMNS = 12;

export interface LogPanelProps {
  captureId: string;
  log: string;
  count: number;
  filter: string;
  onFilter: (f: string) => void;
  collapsed: boolean;
  fullscreen: boolean;
  height: number;
  onToggleCollapse: () => void;
  onToggleFullscreen: () => void;
  onMove: (delta: -1 | 1) => void;
  onResize: (px: number) => void;
  onOpen: (r: StoredRecord) => void;
  dragProps: React.HTMLAttributes<HTMLElement>;
  initiallyFocused: boolean;
  onFirstRows?: () => void;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

export function LogPanel(p: LogPanelProps) {
  const [draft, setDraft] = useState(p.filter);
  const [total, setTotal] = useState<number | null>(p.filter ? null : p.count);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'ts', desc: false }]);
  const [columns, setColumns] = useState<string[]>([]);
  const [chosen, setChosen] = useState<string[] | null>(() => loadColumns(p.log));
  const section = useRef<HTMLElement>(null);
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => setDraft(p.filter), [p.filter]);
  useEffect(() => { if (p.initiallyFocused) section.current?.scrollIntoView({ block: 'start' }); }, [p.initiallyFocused]);

  // The row count: the log's own, or the filter's.
  useEffect(() => {
    if (!p.filter) { setTotal(p.count); setFilterError(null); return; }
    const ac = new AbortController();
    setTotal(null);
    consoleApi.filteredCount(p.captureId, p.log, p.filter, ac.signal).then(
      (n) => { setTotal(n); setFilterError(null); },
      (e: Error) => { if (!ac.signal.aborted) { setTotal(0); setFilterError(e.message); } },
    );
    return () => ac.abort();
  }, [p.captureId, p.log, p.filter, p.count]);

  // Columns from the first page the table fetches (no request of their own).
  const onFirstRows = p.onFirstRows;
  const onPage = useCallback((rows: StoredRecord[]) => {
    setColumns((old) => (old.length ? old : columnsOf(rows)));
    onFirstRows?.();
  }, [onFirstRows]);

  const sortCol = sorting[0]?.id ?? 'ts';
  const desc = sorting[0]?.desc ?? false;
  const clientSort = sortCol !== 'ts' && total !== null && total <= CLIENT_SORT_MAX_ROWS;

  const load = useMemo<PageLoader>(() => {
    const pageOf = (offset: number, limit: number, signal: AbortSignal) => p.filter
      ? consoleApi.filteredPage(p.captureId, p.log, p.filter, offset, limit, signal)
      : consoleApi.page(p.captureId, p.log, offset, limit, desc ? '-ts' : 'ts', signal);
    if (!clientSort) return pageOf;
    let all: Promise<StoredRecord[]> | undefined;
    return async (offset, limit, signal) => {
      all ??= (async () => {
        const rows: StoredRecord[] = [];
        for (let o = 0; o < (total ?? 0); o += 1000) rows.push(...await pageOf(o, 1000, signal));
        rows.sort((a, b) => compare(valueAt(a.doc, sortCol), valueAt(b.doc, sortCol)) * (desc ? -1 : 1));
        return rows;
      })();
      return (await all).slice(offset, offset + limit);
    };
  }, [p.captureId, p.log, p.filter, desc, sortCol, clientSort, total]);

  const allColumns = useMemo(() => (columns.includes('ts') ? columns : ['ts', ...columns]), [columns]);
  const shown = chosen?.filter((c) => allColumns.includes(c)) ?? allColumns.slice(0, DEFAULT_VISIBLE_COLUMNS);
  const visible: VisibilityState = Object.fromEntries(allColumns.map((c) => [c, shown.includes(c)]));
  const toggleColumn = (c: string) => {
    const next = shown.includes(c) ? shown.filter((x) => x !== c) : allColumns.filter((x) => x === c || shown.includes(x));
    setChosen(next);
    saveColumns(p.log, next);
  };

  // Remember the height the analyst drags the panel body to (CSS resize: vertical).
  const onResize = p.onResize;
  useEffect(() => {
    const el = body.current;
    if (!el || p.collapsed || p.fullscreen) return;
    let last = el.offsetHeight;
    const ro = new ResizeObserver(() => {
      const h = el.offsetHeight;
      if (Math.abs(h - last) > 4 && h >= PANEL_MIN_PX) { last = h; onResize(h); }
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [p.collapsed, p.fullscreen, onResize]);

  const onSortingChange = useCallback((s: SortingState) => setSorting(s), []);
  const canSort = useCallback((c: string) => c === 'ts' || (total !== null && total <= CLIENT_SORT_MAX_ROWS), [total]);
  const titleId = `panel-${p.log}-title`;
  const sourceKey = `${p.captureId}|${p.log}|${p.filter}|${sortCol}|${desc}|${clientSort}`;

  return (
    <section
      ref={section} className={`panel${p.collapsed ? ' collapsed' : ''}${p.fullscreen ? ' fullscreen' : ''}`}
      aria-labelledby={titleId} data-log={p.log} role={p.fullscreen ? 'dialog' : 'region'} aria-modal={p.fullscreen || undefined}
      onKeyDown={(e) => { if (e.key === 'Escape' && p.fullscreen) { e.stopPropagation(); p.onToggleFullscreen(); } }}
    >
      <header className="panel-head" {...p.dragProps}>
        <span className="drag-handle" aria-hidden="true" title="Drag to reorder">⠿</span>
        <h2 id={titleId} className="panel-title">{p.log}</h2>
        <span className="panel-count dim" aria-live="polite">{total === null ? '…' : total.toLocaleString('en-US')}{p.filter ? ` of ${p.count.toLocaleString('en-US')}` : ''} rows</span>
        <form className="panel-filter" role="search" onSubmit={(e) => { e.preventDefault(); p.onFilter(draft.trim()); }}>
          <input type="search" aria-label={`Filter ${p.log}`} placeholder={`filter, e.g. 10.0.0.1 or ${p.log}.field:value`} value={draft} onChange={(e) => setDraft(e.target.value)} />
          {p.filter && <button type="button" className="ghost" onClick={() => p.onFilter('')} aria-label={`Clear the ${p.log} filter`}>✕</button>}
        </form>
        <details className="panel-columns">
          <summary aria-label={`Columns of ${p.log}`}>Columns</summary>
          <fieldset>
            <legend className="dim">Columns shown</legend>
            {allColumns.map((c) => (
              <label key={c}><input type="checkbox" checked={shown.includes(c)} onChange={() => toggleColumn(c)} /> <span className="mono">{c}</span></label>
            ))}
          </fieldset>
        </details>
        <span className="panel-buttons">
          <button type="button" className="ghost" onClick={() => p.onMove(-1)} aria-label={`Move ${p.log} up`}>↑</button>
          <button type="button" className="ghost" onClick={() => p.onMove(1)} aria-label={`Move ${p.log} down`}>↓</button>
          <button type="button" className="ghost" onClick={p.onToggleCollapse} aria-expanded={!p.collapsed} aria-label={`${p.collapsed ? 'Expand' : 'Collapse'} ${p.log}`}>{p.collapsed ? '▸' : '▾'}</button>
          <button type="button" className="ghost" onClick={p.onToggleFullscreen} aria-pressed={p.fullscreen} aria-label={`${p.fullscreen ? 'Leave full screen' : 'Full screen'}: ${p.log}`}>{p.fullscreen ? '⤡' : '⤢'}</button>
        </span>
      </header>
      {filterError && <p role="alert" className="error-box panel-error">{filterError}</p>}
      {!p.collapsed && (
        <div ref={body} className="panel-body" style={p.fullscreen ? undefined : { height: p.height }}>
          {total !== null && (
            <LogTable
              sourceKey={sourceKey} total={total} load={load} columns={allColumns} visible={visible}
              sorting={sorting} canSort={canSort} onSortingChange={onSortingChange} onOpen={p.onOpen} label={`${p.log} records`} onPage={onPage}
            />
          )}
        </div>
      )}
    </section>
  );
}
