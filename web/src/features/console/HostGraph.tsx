/** Who talked to whom (Cytoscape, its own lazy chunk): hosts sized by bytes, edges by bytes between the pair. Labels draw on canvas. */
import { useEffect, useRef } from 'react';
import cytoscape from 'cytoscape';
import type { CaptureSummary } from './api.js';

/** Edges drawn (largest first): a graph of thousands of pairs is unreadable and slow. */
const GRAPH_MAX_EDGES = 150;

export default function HostGraph({ edges }: { edges: CaptureSummary['edges'] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim();
    const shown = edges.slice(0, GRAPH_MAX_EDGES);
    const bytes = new Map<string, number>();
    for (const e of shown) for (const h of [e.src, e.dst]) bytes.set(h, (bytes.get(h) ?? 0) + e.bytes);
    const maxNode = Math.max(1, ...bytes.values());
    const maxEdge = Math.max(1, ...shown.map((e) => e.bytes));
    const cy = cytoscape({
      container: el.current,
      elements: [
        ...[...bytes].map(([ip, b]) => ({ data: { id: `n:${ip}`, label: ip, size: 12 + 36 * Math.sqrt(b / maxNode) } })),
        ...shown.map((e, i) => ({ data: { id: `e${i}`, source: `n:${e.src}`, target: `n:${e.dst}`, width: 1 + 7 * Math.sqrt(e.bytes / maxEdge) } })),
      ],
      style: [
        { selector: 'node', style: { width: 'data(size)', height: 'data(size)', 'background-color': color('--accent'), label: 'data(label)', color: color('--text'), 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 2 } },
        { selector: 'edge', style: { width: 'data(width)', 'line-color': color('--border'), 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'target-arrow-color': color('--text-dim'), 'arrow-scale': 0.6 } },
      ],
      // cose (force-directed) reads best but is quadratic: small graphs only.
      layout: { name: shown.length > 40 ? 'concentric' : 'cose', animate: false } as cytoscape.LayoutOptions,
      wheelSensitivity: 0.3,
    });
    return () => cy.destroy();
  }, [edges]);
  return <div ref={el} className="chart graph" role="img" aria-label={`Host graph: ${edges.length} host pairs, sized by bytes`} />;
}
