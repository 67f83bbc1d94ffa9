/**
 * The analysis console of one capture (/captures/:id): the summary header, a timeline, host graph
 * and world map (each a lazy chunk), and one panel per log present, each a virtualised table
 * paging from the API. Panels reorder (drag, or the ↑/↓ buttons), resize (drag the bottom edge),
 * collapse and go full screen; the layout is remembered in localStorage. Deep links:
 * `?panel=dns&filter=...&sort=-ts&col.query=example` opens at that panel with that view
 * (view-url.ts). A row opens the row tools.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useParams, useSearch } from 'wouter';
import { api, type StoredRecord } from '../../api.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { RowTools } from '../../components/RowTools.js';
import { useAsync } from '../../lib/use-async.js';
import { consoleApi } from './api.js';
import { SummaryHeader } from './SummaryHeader.js';
import { LogPanel } from './LogPanel.js';
import { loadLayout, orderPanels, saveLayout, PANEL_DEFAULT_PX, type Layout } from './layout.js';
import { DEFAULT_VIEW, readView, viewSearch, type PanelView } from './view-url.js';
import './console.css';

const Timeline = lazy(() => import('./Timeline.js'));
const HostGraph = lazy(() => import('./HostGraph.js'));
const WorldMap = lazy(() => import('./WorldMap.js'));
const IntelPanel = lazy(() => import('../intel/IntelPanel.js'));

/** The summary is asked for once the first rows are drawn, or this long after the page opened. */
const SUMMARY_AT_LATEST_MS = 3000;

export default function ConsolePage() {
  const { id } = useParams<{ id: string }>();
  const search = useSearch();
  // Three loads: the panels start from the capture row and the per-log counts (both fast); the
  // summary (a scan of conn and alert, slow the first time) is asked for once the first rows are
  // drawn (its scan must not compete with them on the server) and fills the header and views.
  const capture = useAsync((signal) => api.capture(id, signal), [id]);
  const logCounts = useAsync((signal) => consoleApi.logCounts(id, signal), [id]);
  const [rowsDrawn, setRowsDrawn] = useState(false);
  useEffect(() => {
    setRowsDrawn(false);
    // A panel whose first page never comes (an error shown in it) must not leave the header without its summary.
    const t = setTimeout(() => setRowsDrawn(true), SUMMARY_AT_LATEST_MS);
    return () => clearTimeout(t);
  }, [id]);
  const summary = useAsync((signal) => (rowsDrawn ? consoleApi.summary(id, signal) : new Promise<never>(() => {})), [id, rowsDrawn]);
  // Charts, graph and map wait until the first rows are drawn (and a beat more, so the browser
  // paints them first): they must not hold up the tables. A capture without rows gets them at once.
  const [viewsReady, setViewsReady] = useState(false);
  const onFirstRows = useCallback(() => {
    setRowsDrawn(true);
    if ('requestIdleCallback' in window) requestIdleCallback(() => setViewsReady(true), { timeout: 1000 });
    else setTimeout(() => setViewsReady(true), 300);
  }, []);
  const deep = useMemo(() => readView(search), [search]);
  const fromUrl = useCallback((): Record<string, PanelView> => (deep.panel ? { [deep.panel]: deep.view } : {}), [deep]);
  const [views, setViews] = useState<Record<string, PanelView>>(fromUrl);
  const [layout, setLayout] = useState<Layout>(loadLayout);
  const [fullscreen, setFullscreen] = useState<string | null>(null);
  const [open, setOpen] = useState<StoredRecord | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);

  useEffect(() => setViews(fromUrl()), [fromUrl]);
  useEffect(() => saveLayout(layout), [layout]);

  const counts = useMemo(() => (logCounts.status === 'ok' ? logCounts.value : []), [logCounts]);
  useEffect(() => { if (logCounts.status === 'ok' && !logCounts.value.some((l) => l.count > 0)) { setRowsDrawn(true); setViewsReady(true); } }, [logCounts]);
  const panels = useMemo(() => orderPanels(counts.map((l) => l.log), layout.order), [counts, layout.order]);

  // The URL names the panel last changed, with its view (a link reopens it).
  const setView = useCallback((log: string, v: PanelView) => {
    setViews((old) => ({ ...old, [log]: v }));
    history.replaceState(history.state, '', `${location.pathname}?${viewSearch(log, v)}`);
  }, []);
  const viewSetters = useMemo(() => Object.fromEntries(panels.map((l) => [l, (v: PanelView) => setView(l, v)])), [panels, setView]);
  const move = (log: string, delta: number) => setLayout((l) => {
    const order = orderPanels(panels, l.order);
    const i = order.indexOf(log);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= order.length) return l;
    [order[i], order[j]] = [order[j], order[i]];
    return { ...l, order };
  });
  const dropOn = (target: string) => setLayout((l) => {
    if (!dragging || dragging === target) return l;
    const order = orderPanels(panels, l.order).filter((x) => x !== dragging);
    order.splice(order.indexOf(target), 0, dragging);
    return { ...l, order };
  });
  const toggleCollapse = (log: string) => setLayout((l) => ({
    ...l, collapsed: l.collapsed.includes(log) ? l.collapsed.filter((x) => x !== log) : [...l.collapsed, log],
  }));
  const resize = useCallback((log: string, px: number) => setLayout((l) => ({ ...l, heights: { ...l.heights, [log]: Math.round(px) } })), []);
  const resizers = useMemo(() => Object.fromEntries(panels.map((p) => [p, (px: number) => resize(p, px)])), [panels, resize]);

  if (capture.status === 'error') return <ErrorBox error={capture.error} />;
  if (logCounts.status === 'error') return <ErrorBox error={logCounts.error} />;
  if (capture.status === 'loading' || logCounts.status === 'loading') return <p className="loading" role="status">Loading the capture…</p>;
  const c = capture.value.capture;
  if (!c) return <p role="status">This capture is not analysed yet: reload this page when its analysis is done.</p>;
  const s = summary.status === 'ok' ? summary.value : undefined;

  return (
    <div className="console">
      <SummaryHeader c={c} s={s} />
      {summary.status === 'error' && <ErrorBox error={summary.error} />}
      {s && viewsReady && <div className="views">
        <section className="view" aria-labelledby="timeline-title">
          <h2 id="timeline-title" className="mini-title">Timeline</h2>
          <Suspense fallback={<div className="chart" role="status">Loading chart…</div>}><Timeline t={s.timeline} /></Suspense>
        </section>
        <section className="view" aria-labelledby="graph-title">
          <h2 id="graph-title" className="mini-title">Host graph <span className="dim">by bytes</span></h2>
          <Suspense fallback={<div className="chart" role="status">Loading graph…</div>}><HostGraph edges={s.edges} /></Suspense>
        </section>
        <section className="view" aria-labelledby="map-title">
          <h2 id="map-title" className="mini-title">Endpoints</h2>
          <Suspense fallback={<div className="chart" role="status">Loading map…</div>}><WorldMap endpoints={s.endpoints} /></Suspense>
        </section>
      </div>}
      {viewsReady && <Suspense fallback={null}><IntelPanel captureId={c.id} captureName={c.name} isPrivate={c.visibility === 'private'} /></Suspense>}
      <div className="panels">
        {panels.map((log) => (
          <LogPanel
            key={log} captureId={c.id} log={log} count={counts.find((l) => l.log === log)?.count ?? 0}
            view={views[log] ?? DEFAULT_VIEW} onView={viewSetters[log]}
            collapsed={layout.collapsed.includes(log) && fullscreen !== log} fullscreen={fullscreen === log}
            height={layout.heights[log] ?? PANEL_DEFAULT_PX}
            onToggleCollapse={() => toggleCollapse(log)} onToggleFullscreen={() => setFullscreen((f) => (f === log ? null : log))}
            onMove={(d) => move(log, d)} onResize={resizers[log]} onOpen={setOpen} onFirstRows={onFirstRows}
            initiallyFocused={deep.panel === log}
            dragProps={{
              draggable: true,
              onDragStart: (e) => { setDragging(log); e.dataTransfer.effectAllowed = 'move'; e.dataTransfer.setData('text/plain', log); },
              onDragOver: (e) => { if (dragging) e.preventDefault(); },
              onDrop: (e) => { e.preventDefault(); dropOn(log); setDragging(null); },
              onDragEnd: () => setDragging(null),
            }}
          />
        ))}
      </div>
      {open && (
        <RowTools
          record={{ captureId: c.id, log: open.log, ts: open.ts, uid: open.uid, communityId: open.communityId, doc: open.doc }}
          onClose={() => setOpen(null)}
        />
      )}
    </div>
  );
}
