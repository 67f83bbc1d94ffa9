/**
 * A stacked bar chart over periods (ECharts, the trends page's lazy chunk). Series names are label
 * values and alert signatures, i.e. user and capture text: ECharts draws legend and axes on canvas
 * (safe), and the tooltip, which it renders as HTML, is built by a formatter that escapes them.
 */
import { useEffect, useRef, useState } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { escapeHtml } from '../../lib/escape-html.js';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface TrendSeries { name: string; data: number[] }

/** Characters of a series name in the legend (the tooltip shows it whole). */
const LEGEND_NAME_MAX = 32;
/** Colours for series beyond the accent (distinct in both themes). */
const PALETTE = ['#4ea1ff', '#f85149', '#d29922', '#3fb950', '#b083f0', '#39c5cf', '#ff7b72', '#e3b341', '#8b949e', '#f778ba', '#56d364'];

export default function TrendChart({ periods, series, label, unit }: { periods: string[]; series: TrendSeries[]; label: string; unit: string }) {
  const el = useRef<HTMLDivElement>(null);
  // Colours come from the theme's CSS variables: redraw when the theme switches.
  const [theme, setTheme] = useState(document.documentElement.dataset.theme);
  useEffect(() => {
    const mo = new MutationObserver(() => setTheme(document.documentElement.dataset.theme));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => mo.disconnect();
  }, []);
  useEffect(() => {
    if (!el.current) return;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim();
    const chart = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      color: PALETTE,
      grid: { left: 8, right: 16, top: 8 + Math.min(3, Math.ceil(series.length / 4)) * 22, bottom: 8, containLabel: true },
      legend: {
        type: 'scroll', top: 0, textStyle: { color: color('--text') }, pageTextStyle: { color: color('--text-dim') },
        formatter: (name: string) => (name.length > LEGEND_NAME_MAX ? `${name.slice(0, LEGEND_NAME_MAX)}…` : name),
      },
      tooltip: {
        trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
        formatter: (ps: { dataIndex: number; seriesName: string; value: number; color: string }[]) => {
          const i = ps[0]?.dataIndex ?? 0;
          const rows = ps.filter((p) => Number(p.value) > 0)
            .map((p) => `${escapeHtml(p.seriesName)}: ${Number(p.value).toLocaleString('en-US')}`);
          return [`<strong>${escapeHtml(periods[i] ?? '')}</strong>`, ...(rows.length ? rows : [`no ${escapeHtml(unit)}`])].join('<br/>');
        },
      },
      xAxis: { type: 'category', data: periods, axisLabel: { color: color('--text-dim') } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: color('--text-dim') }, splitLine: { lineStyle: { color: color('--border') } } },
      series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'all', data: s.data, emphasis: { focus: 'series' } })),
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el.current);
    return () => { ro.disconnect(); chart.dispose(); };
  }, [periods, series, theme, unit]);
  const total = series.reduce((n, s) => n + s.data.reduce((a, b) => a + b, 0), 0);
  return <div ref={el} className="trend-chart" role="img" aria-label={`${label}: ${total} ${unit} over ${periods.length} periods`} />;
}
