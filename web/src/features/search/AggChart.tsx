/**
 * The aggregation's bar chart (ECharts, its own lazy chunk). Labels are capture data: ECharts
 * draws axis labels on canvas (safe), and the tooltip, which ECharts renders as HTML, goes through
 * a formatter that escapes every character that could start markup.
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { escapeHtml } from '../../lib/escape-html.js';
import { useDrawnTheme } from '../../lib/use-drawn-theme.js';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

const LABEL_MAX = 40;

export default function AggChart({ rows, field }: { rows: { key: string; count: number }[]; field: string }) {
  const el = useRef<HTMLDivElement>(null);
  // Colours come from the theme's CSS variables: redraw when the theme switches.
  const theme = useDrawnTheme();
  useEffect(() => {
    if (!el.current) return;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim();
    const chart = echarts.init(el.current, undefined, { renderer: 'canvas' });
    const data = rows.slice(0, 50).reverse();
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: (p: { dataIndex: number }) => {
          const r = data[p.dataIndex];
          return r ? `${escapeHtml(field)}: ${escapeHtml(r.key)}<br/>${r.count.toLocaleString('en-US')} records` : '';
        },
      },
      xAxis: { type: 'value', axisLabel: { color: color('--text-dim') }, splitLine: { lineStyle: { color: color('--border') } } },
      yAxis: {
        type: 'category', data: data.map((r) => (r.key.length > LABEL_MAX ? `${r.key.slice(0, LABEL_MAX)}…` : r.key)),
        axisLabel: { color: color('--text'), fontFamily: 'monospace' },
      },
      series: [{ type: 'bar', data: data.map((r) => r.count), itemStyle: { color: color('--accent') } }],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); chart.dispose(); };
  }, [rows, field, theme]);
  return <div ref={el} className="agg-chart" role="img" aria-label={`Bar chart of ${field}: ${rows.length} values`} style={{ height: Math.max(160, Math.min(rows.length, 50) * 22 + 30) }} />;
}
