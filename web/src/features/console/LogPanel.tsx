/**
 * One log of the capture as a panel: header (title, row count, filter box, columns, move, collapse,
 * full screen), and the virtualised table (components/LogTable.tsx) with a filter box under each
 * column. Filtering and sorting are the server's, over the whole log (GET .../logs/{log}?q=&sort=):
 * the free filter (the search language, e.g. `10.0.0.1` or `dns.query:*.example.com`) and the
 * column filters (column-filters.ts) become one query; any column sorts, in either direction, and
 * the count is the server's total for the view. The view lives in the URL (view-url.ts).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SortingState, VisibilityState } from '@tanstack/react-table';
import type { StoredRecord } from '../../api.js';
import { LogTable, columnsOf, valueAt, type PageLoader } from '../../components/LogTable.js';
import { consoleApi } from './api.js';
import { OP_WORDS, panelFilterQuery, parseColumnFilter } from './column-filters.js';
import { loadColumns, saveColumns, PANEL_MIN_PX } from './layout.js';
import type { PanelView } from './view-url.js';

/** Columns shown before the analyst picks (the rest are one click away). */
const DEFAULT_VISIBLE_COLUMNS = 12;

/**
 * Logs whose documents do not open with what an analyst reads first: these columns lead, and are
 * the ones shown until the analyst picks others. EVE alerts start with timestamp, flow_id,
 * event_type…: the first twelve would not even hold the signature.
 */
const LEADING_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  alert: ['timestamp', 'alert.signature', 'alert.severity', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'app_proto', 'uid', 'alert.signature_id', 'alert.category'],
};

export interface LogPanelProps {
  captureId: string;
  log: string;
  count: number;
  view: PanelView;
  onView: (v: PanelView) => void;
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

/** Zeek types compared as numbers (the query language's 'number' class). */
const NUMBER_TYPES = new Set(['count', 'int', 'port', 'double', 'interval', 'vector[count]', 'vector[interval]']);

/** Columns whose values in a page are numbers (ts aside: it filters as a time). */
function numericColumns(rows: readonly StoredRecord[], columns: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const c of columns) {
    if (c === 'ts') continue;
    const v = rows.map((r) => valueAt(r.doc, c)).find((x) => x !== undefined && x !== null);
    if (typeof v === 'number') out.add(c);
  }
  return out;
}

export function LogPanel(p: LogPanelProps) {
  const { view, onView } = p;
  const [draft, setDraft] = useState(view.filter);
  const [served, setServed] = useState<number | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [numeric, setNumeric] = useState<Set<string>>(() => new Set());
  const [types, setTypes] = useState<Map<string, string> | null>(null);
  const [chosen, setChosen] = useState<string[] | null>(() => loadColumns(p.log));
  const section = useRef<HTMLElement>(null);
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => setDraft(view.filter), [view.filter]);
  useEffect(() => { if (p.initiallyFocused) section.current?.scrollIntoView({ block: 'start' }); }, [p.initiallyFocused]);

  // Columns (and which hold numbers) from the first page the table fetches (no request of their own).
  const onFirstRows = p.onFirstRows;
  const onPage = useCallback((rows: StoredRecord[]) => {
    setColumns((old) => {
      if (old.length || !rows.length) return old;
      const cols = columnsOf(rows);
      setNumeric(numericColumns(rows, cols));
      return cols;
    });
    onFirstRows?.();
  }, [onFirstRows]);

  const sortDesc = view.sort.startsWith('-');
  const sortCol = sortDesc ? view.sort.slice(1) : view.sort;
  const sorting = useMemo<SortingState>(() => [{ id: sortCol, desc: sortDesc }], [sortCol, sortDesc]);
  // Column filters need each column's type (a number filters by equality, text by containing):
  // the schemas' (GET /api/fields), else what the first page holds. Until known, nothing is asked.
  const hasColumnFilters = Object.values(view.cols).some((t) => t.trim());
  useEffect(() => {
    if (!hasColumnFilters || types) return;
    let live = true;
    consoleApi.fieldTypes().then((t) => { if (live) setTypes(t); }, () => { if (live) setTypes(new Map()); });
    return () => { live = false; };
  }, [hasColumnFilters, types]);
  const isNumeric = useCallback((c: string) => {
    const t = types?.get(`${p.log}.${c}`) ?? types?.get(c);
    return t !== undefined ? NUMBER_TYPES.has(t) : numeric.has(c);
  }, [types, numeric, p.log]);
  const typesReady = !hasColumnFilters || types !== null;
  const { q, errors } = useMemo(() => panelFilterQuery(p.log, view.filter, view.cols, isNumeric), [p.log, view.filter, view.cols, isNumeric]);
  const filtered = q !== '';
  const sourceKey = `${p.captureId}|${p.log}|${q}|${view.sort}`;
  useEffect(() => setServed(null), [sourceKey]);

  const load = useMemo<PageLoader>(() => async (offset, limit, signal) => {
    const r = await consoleApi.view(p.captureId, p.log, { q, sort: view.sort, offset, limit }, signal);
    return { rows: r.records, total: r.partial ? undefined : r.total };
  }, [p.captureId, p.log, q, view.sort]);

  const total = served ?? (filtered ? null : p.count);
  const activeColumns = Object.entries(view.cols).flatMap(([c, text]) => { const f = parseColumnFilter(text); return f ? [{ c, f }] : []; });
  const setColumnFilter = useCallback((c: string, text: string) => {
    const cols = { ...view.cols };
    if (text) cols[c] = text; else delete cols[c];
    onView({ ...view, cols });
  }, [view, onView]);
  const onSortingChange = useCallback((s: SortingState) => {
    const first = s[0];
    onView({ ...view, sort: first ? `${first.desc ? '-' : ''}${first.id}` : 'ts' });
  }, [view, onView]);

  const leading = LEADING_COLUMNS[p.log];
  const allColumns = useMemo(() => {
    const all = columns.includes('ts') ? columns : ['ts', ...columns];
    if (!leading) return all;
    const first = leading.filter((c) => all.includes(c));
    return [...first, ...all.filter((c) => !first.includes(c))];
  }, [columns, leading]);
  const shown = chosen?.filter((c) => allColumns.includes(c))
    ?? (leading ? allColumns.filter((c) => leading.includes(c)) : allColumns.slice(0, DEFAULT_VISIBLE_COLUMNS));
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

  const titleId = `panel-${p.log}-title`;

  return (
    <section
      ref={section} className={`panel${p.collapsed ? ' collapsed' : ''}${p.fullscreen ? ' fullscreen' : ''}`}
      aria-labelledby={titleId} data-log={p.log} role={p.fullscreen ? 'dialog' : 'region'} aria-modal={p.fullscreen || undefined}
      onKeyDown={(e) => { if (e.key === 'Escape' && p.fullscreen) { e.stopPropagation(); p.onToggleFullscreen(); } }}
    >
      <header className="panel-head" {...p.dragProps}>
        <span className="drag-handle" aria-hidden="true" title="Drag to reorder">⠿</span>
        <h2 id={titleId} className="panel-title">{p.log}</h2>
        <span className="panel-count dim" aria-live="polite">{total === null ? '…' : total.toLocaleString('en-US')}{filtered ? ` of ${p.count.toLocaleString('en-US')}` : ''} rows</span>
        <form className="panel-filter" role="search" onSubmit={(e) => { e.preventDefault(); onView({ ...view, filter: draft.trim() }); }}>
          <input type="search" aria-label={`Filter ${p.log}`} placeholder={`filter, e.g. 10.0.0.1 or ${p.log}.field:value`} value={draft} onChange={(e) => setDraft(e.target.value)} />
          {view.filter && <button type="button" className="ghost" onClick={() => onView({ ...view, filter: '' })} aria-label={`Clear the ${p.log} filter`}>✕</button>}
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
      {activeColumns.length > 0 && (
        <ul className="panel-active-filters" aria-label={`Column filters of ${p.log}`}>
          {activeColumns.map(({ c, f }) => (
            <li key={c} className="chip">
              <span className="mono">{c}</span> {f.op === 'contains' && isNumeric(c) ? OP_WORDS.eq : OP_WORDS[f.op]} <span className="mono">{f.value}</span>
              <button type="button" className="ghost" onClick={() => setColumnFilter(c, '')} aria-label={`Remove the ${c} filter`}>✕</button>
            </li>
          ))}
          <li><button type="button" className="ghost small" onClick={() => onView({ ...view, cols: {} })}>Clear column filters</button></li>
        </ul>
      )}
      {errors.length > 0 && <p role="alert" className="error-box panel-error">{errors.join('; ')}</p>}
      {!p.collapsed && (
        <div ref={body} className="panel-body" style={p.fullscreen ? undefined : { height: p.height }}>
          {errors.length === 0 && typesReady && (
            <LogTable
              sourceKey={sourceKey} total={total} load={load} columns={allColumns} visible={visible}
              sorting={sorting} onSortingChange={onSortingChange} onOpen={p.onOpen} label={`${p.log} records`} onPage={onPage}
              columnFilters={view.cols} onColumnFilter={setColumnFilter} onTotal={setServed}
            />
          )}
        </div>
      )}
    </section>
  );
}
