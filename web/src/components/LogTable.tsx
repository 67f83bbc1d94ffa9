/**
 * A virtualised table of stored records that pages from the API on demand: only the rows in view
 * (plus overscan) are in the DOM and only their pages are fetched, so a 1M-row log scrolls as
 * smoothly as a 100-row one. Columns are document paths (chosen by the caller); @tanstack/react-table
 * holds the column model (visibility, sort state), @tanstack/react-virtual the row window.
 * Keyboard: ↑/↓/PgUp/PgDn/Home/End move the active row, Enter opens it (onOpen). Cells are React
 * text only (capture data). Sorting and filtering are the server's (the loader gets them through
 * the caller's sourceKey); with onColumnFilter a filter row sits under the header, one box per
 * column, applied on Enter or when the box loses focus. The row count may come from the loader
 * (total: null until the first page answers).
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useReactTable, getCoreRowModel, type ColumnDef, type SortingState, type VisibilityState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { StoredRecord } from '../api.js';
import { formatTs } from '../lib/format.js';
import './LogTable.css';

/** Rows per fetch (the API serves up to 1000 a call): a few screens, small enough to draw the first at once. */
export const LOG_TABLE_PAGE_ROWS = 200;
const ROW_PX = 26;
/**
 * Milliseconds between two fetches of the window's missing pages while it moves: reading-pace
 * scrolling keeps its rows coming, a fling fetches where it is every so often, not every page it passes.
 */
const FETCH_EVERY_MS = 120;
/** Rows beyond the window whose pages are fetched too (ahead of a scroll in either direction). */
const FETCH_AHEAD_ROWS = 100;
/** Pages kept in memory (LOG_TABLE_PAGE_ROWS each): the farthest from the view go first, so a 1M-row log holds ~10k rows. */
export const LOG_TABLE_MAX_PAGES = 50;
/** Characters of one cell drawn (the full value is in the row tools). */
const CELL_MAX_CHARS = 200;

/** A page of rows, with the whole view's row count when the server gives it. */
export interface LoadedPage { rows: StoredRecord[]; total?: number }
export type PageLoader = (offset: number, limit: number, signal: AbortSignal) => Promise<LoadedPage>;

/** Forgets the loaded pages farthest from `near` once more than LOG_TABLE_MAX_PAGES are held (loading ones stay). */
function dropFarPages(pages: Map<number, StoredRecord[] | 'loading'>, near: number): void {
  if (pages.size <= LOG_TABLE_MAX_PAGES) return;
  const loaded = [...pages.entries()].filter(([, v]) => v !== 'loading').map(([k]) => k).sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
  for (const k of loaded.slice(0, pages.size - LOG_TABLE_MAX_PAGES)) pages.delete(k);
}

/** A document value at a path: Zeek's flat dotted keys first, then nested objects (EVE). */
export function valueAt(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A column's width in pixels from what it usually holds. */
export function columnWidth(path: string): number {
  if (path === 'ts' || path === 'timestamp') return 200;
  if (path === 'uid' || path === 'community_id' || path.endsWith('fuid')) return 180;
  if (path.endsWith('_h') || path.endsWith('_ip')) return 150;
  if (path.endsWith('_p') || path.endsWith('_port') || path === 'proto') return 80;
  return Math.min(260, Math.max(110, path.length * 9 + 30));
}

/** A cell's text: times as UTC dates (Zeek's epoch seconds are unreadable), long values cut. */
export function cellText(v: unknown, column = ''): string {
  if (v === undefined || v === null) return '';
  if (column === 'ts' && typeof v === 'number') return formatTs(v);
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > CELL_MAX_CHARS ? `${s.slice(0, CELL_MAX_CHARS)}…` : s;
}

/** Column paths of a sample of records, in first-seen order (nested objects one level deep). */
export function columnsOf(rows: readonly StoredRecord[], max = 80): string[] {
  const seen = new Set<string>();
  for (const r of rows.slice(0, 200)) {
    for (const [k, v] of Object.entries(r.doc)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const k2 of Object.keys(v)) seen.add(`${k}.${k2}`);
      else seen.add(k);
      if (seen.size >= max) return [...seen];
    }
  }
  return [...seen];
}

export interface LogTableProps {
  /** Changes whenever the data source changes (log, filter, sort): the page cache is dropped. */
  sourceKey: string;
  /** Rows in the view when known beforehand; null: the first page's total says. */
  total: number | null;
  load: PageLoader;
  columns: string[];
  visible: VisibilityState;
  sorting: SortingState;
  onSortingChange: (s: SortingState) => void;
  /** Per-column filter texts (column-filters.ts says what they mean) and where a changed one goes. */
  columnFilters?: Readonly<Record<string, string>>;
  onColumnFilter?: (column: string, text: string) => void;
  /** The view's row count as the server reports it. */
  onTotal?: (total: number) => void;
  onOpen: (r: StoredRecord) => void;
  label: string;
  height?: number | string;
  /** Called with each page as it arrives (the console takes its columns from the first and defers its charts until then). */
  onPage?: (rows: StoredRecord[]) => void;
}

export function LogTable(p: LogTableProps) {
  const pages = useRef(new Map<number, StoredRecord[] | 'loading'>());
  const [, setVersion] = useState(0);
  const [error, setError] = useState<Error | null>(null);
  const [active, setActive] = useState(0);
  const [served, setServed] = useState<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const abort = useRef(new AbortController());
  const total = served ?? p.total;
  const count = total ?? 0;

  useEffect(() => {
    abort.current.abort();
    abort.current = new AbortController();
    pages.current = new Map();
    setServed(null);
    setError(null);
    setActive(0);
    scroller.current?.scrollTo({ top: 0 });
    setVersion((v) => v + 1);
    return () => abort.current.abort();
  }, [p.sourceKey]);

  const defs = useMemo<ColumnDef<StoredRecord>[]>(() => p.columns.map((c) => ({ id: c, header: c, accessorFn: (r) => valueAt(r.doc, c) })), [p.columns]);
  const table = useReactTable({
    data: [], columns: defs, getCoreRowModel: getCoreRowModel(),
    state: { columnVisibility: p.visible, sorting: p.sorting }, manualSorting: true,
    onSortingChange: (u) => p.onSortingChange(typeof u === 'function' ? u(p.sorting) : u),
  });
  const cols = table.getVisibleLeafColumns();

  const virt = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });
  const items = virt.getVirtualItems();

  const rowAt = useCallback((i: number): StoredRecord | undefined => {
    const page = pages.current.get(Math.floor(i / LOG_TABLE_PAGE_ROWS));
    return page && page !== 'loading' ? page[i % LOG_TABLE_PAGE_ROWS] : undefined;
  }, []);

  // Fetch the pages under the window and just beyond it (each once), at most every FETCH_EVERY_MS
  // while it moves: a fling across a million rows costs a few pages, not every page it passed.
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const lastFetch = useRef(0);
  useEffect(() => {
    if (total === 0) return;
    const signal = abort.current.signal;
    const fromPage = Math.floor(Math.max(0, first - FETCH_AHEAD_ROWS) / LOG_TABLE_PAGE_ROWS);
    // (Count unknown: the first page, which tells it.)
    const toPage = total === null ? fromPage : Math.floor(Math.min(total - 1, last + FETCH_AHEAD_ROWS) / LOG_TABLE_PAGE_ROWS);
    const fetchWindow = () => {
      lastFetch.current = performance.now();
      for (let pg = fromPage; pg <= toPage; pg++) {
        if (pages.current.has(pg)) continue;
        pages.current.set(pg, 'loading');
        const key = p.sourceKey;
        p.load(pg * LOG_TABLE_PAGE_ROWS, LOG_TABLE_PAGE_ROWS, signal).then(
          (page) => {
            if (signal.aborted || key !== p.sourceKey) return;
            pages.current.set(pg, page.rows);
            dropFarPages(pages.current, fromPage);
            if (page.total !== undefined) { setServed(page.total); p.onTotal?.(page.total); }
            setVersion((v) => v + 1);
            p.onPage?.(page.rows);
          },
          (e: Error) => { if (!signal.aborted) { pages.current.delete(pg); setError(e); } },
        );
      }
    };
    const wait = lastFetch.current + FETCH_EVERY_MS - performance.now();
    if (pages.current.size === 0 || wait <= 0) { fetchWindow(); return; }
    const timer = setTimeout(fetchWindow, wait);
    return () => clearTimeout(timer);
  }, [first, last, total, p.sourceKey, p.load]);

  const move = (to: number) => {
    const i = Math.max(0, Math.min(count - 1, to));
    setActive(i);
    virt.scrollToIndex(i, { align: 'auto' });
  };
  const onKey = (e: React.KeyboardEvent) => {
    // Keys typed in a filter box or pressed on a header button are theirs, not the row cursor's.
    if ((e.target as HTMLElement).closest('input, button, select')) return;
    const pageRows = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ROW_PX) - 1);
    const keys: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + pageRows, PageUp: active - pageRows, Home: 0, End: count - 1 };
    if (e.key in keys) { e.preventDefault(); move(keys[e.key]); } else if (e.key === 'Enter') {
      const r = rowAt(active);
      if (r) { e.preventDefault(); p.onOpen(r); }
    }
  };

  const onColumnFilter = p.onColumnFilter;
  // One fixed template for header and every row, so columns line up across absolutely placed rows.
  const template = cols.map((c) => `${columnWidth(c.id)}px`).join(' ');
  const colKey = cols.map((c) => c.id).join('\u0000');
  const colIds = useMemo(() => colKey.split('\u0000'), [colKey]);
  const onOpenRef = useRef(p.onOpen);
  onOpenRef.current = p.onOpen;
  const pick = useCallback((index: number, r: StoredRecord | undefined) => { setActive(index); if (r) onOpenRef.current(r); }, []);
  return (
    <div className="log-table" style={{ height: p.height }}>
      {error && <p role="alert" className="error-box">Could not load rows: {error.message}</p>}
      <div
        ref={scroller} className="log-table-scroll" role="table" aria-label={p.label} aria-rowcount={count + (p.onColumnFilter ? 2 : 1)}
        tabIndex={0} onKeyDown={onKey} aria-activedescendant={count ? `${p.label}-row-${active}` : undefined} aria-busy={total === null}
      >
        <Head
          columns={colIds} template={template} sorting={p.sorting} onSortingChange={p.onSortingChange}
          columnFilters={p.columnFilters} onColumnFilter={onColumnFilter}
        />
        <div role="rowgroup" style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {items.map((it) => (
            <Row
              key={it.key} index={it.index} start={it.start} record={rowAt(it.index)} active={it.index === active}
              columns={colIds} template={template} idPrefix={p.label} rowIndexBase={onColumnFilter ? 3 : 2} onPick={pick}
            />
          ))}
        </div>
        {total === 0 && <p className="dim log-table-empty">No rows.</p>}
      </div>
    </div>
  );
}

/** One column's filter box: the analyst's text, applied on Enter or blur, Escape restores it. */
function ColumnFilterBox({ column, value, onCommit }: { column: string; value: string; onCommit: (column: string, text: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = () => { if (text.trim() !== value) onCommit(column, text.trim()); };
  return (
    <input
      className={`column-filter${value ? ' set' : ''}`} type="text" value={text} spellCheck={false}
      aria-label={`Filter ${column}`} placeholder="filter…"
      title="Text it contains; =exact; >n, <n, >=n, <=n (numbers, dates); 10.0.0.0/8 (addresses in a network). Enter applies."
      onChange={(e) => setText(e.target.value)} onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') { e.preventDefault(); commit(); } else if (e.key === 'Escape' && text !== value) { e.stopPropagation(); setText(value); }
      }}
    />
  );
}

interface RowProps {
  index: number; start: number; record: StoredRecord | undefined; active: boolean;
  columns: readonly string[]; template: string; idPrefix: string; rowIndexBase: number;
  onPick: (index: number, r: StoredRecord | undefined) => void;
}

/**
 * One row, memoised: while the analyst scrolls, rows that stay in the window keep their props
 * (a row's place is fixed by its index), so each frame renders only the rows that come into view.
 */
const Row = memo(function Row({ index, start, record, active, columns, template, idPrefix, rowIndexBase, onPick }: RowProps) {
  return (
    <div
      role="row" id={`${idPrefix}-row-${index}`} aria-rowindex={index + rowIndexBase}
      className={`log-table-row${active ? ' active' : ''}${record ? '' : ' pending'}`}
      style={{ transform: `translateY(${start}px)`, gridTemplateColumns: template }}
      onClick={() => onPick(index, record)}
    >
      {columns.map((c) => <div role="cell" key={c} className="cell">{record ? cellText(valueAt(record.doc, c), c) : ' '}</div>)}
    </div>
  );
});

interface HeadProps {
  columns: readonly string[]; template: string; sorting: SortingState; onSortingChange: (s: SortingState) => void;
  columnFilters?: Readonly<Record<string, string>>; onColumnFilter?: (column: string, text: string) => void;
}

/** The header (sort buttons) and the filter row, memoised: scrolling does not touch them. */
const Head = memo(function Head({ columns, template, sorting, onSortingChange, columnFilters, onColumnFilter }: HeadProps) {
  return (
    <div role="rowgroup" className="log-table-head" style={{ gridTemplateColumns: template }}>
      <div role="row" className="log-table-row head" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => {
          const s = sorting.find((x) => x.id === c);
          const sorted = s ? (s.desc ? 'desc' : 'asc') : false;
          return (
            <div role="columnheader" key={c} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'} className="cell">
              <button type="button" className="sort-button" onClick={() => onSortingChange([{ id: c, desc: sorted === 'asc' }])}
                aria-label={`Sort by ${c}${sorted === 'asc' ? ', descending' : ''}`} title={`Sort the whole log by ${c}`}>
                {c} <span aria-hidden="true">{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}</span>
              </button>
            </div>
          );
        })}
      </div>
      {onColumnFilter && (
        <div role="row" className="log-table-row head filters" style={{ gridTemplateColumns: template }}>
          {columns.map((c) => (
            <div role="cell" key={c} className="cell">
              <ColumnFilterBox column={c} value={columnFilters?.[c] ?? ''} onCommit={onColumnFilter} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
