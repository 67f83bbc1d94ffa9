/**
 * A stacked bar chart over periods (ECharts, the trends page's lazy chunk). Series names are label
 * values and alert signatures, i.e. user and capture text: ECharts draws legend and axes on canvas
 * (safe), and the tooltip, which it renders as HTML, is built by a formatter that escapes them.
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useDrawnTheme } from '../../lib/use-drawn-theme.js';
import { escapeHtml } from '../../lib/escape-html.js';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** `href`: where a click on the series leads (its archive entry, its alerts), if anywhere. */
export interface TrendSeries { name: string; data: number[]; href?: string }

/** Characters of a series name in the legend (the tooltip shows it whole). */
const LEGEND_NAME_MAX = 32;
/** Colours for series beyond the accent (distinct in both themes). */
const PALETTE = ['#4ea1ff', '#f85149', '#d29922', '#3fb950', '#b083f0', '#39c5cf', '#ff7b72', '#e3b341', '#8b949e', '#f778ba', '#56d364'];

export default function TrendChart({ periods, series, label, unit, onOpen }: { periods: string[]; series: TrendSeries[]; label: string; unit: string; onOpen?: (href: string) => void }) {
  const el = useRef<HTMLDivElement>(null);
  // The latest callback, read at click time (a new function each render must not rebuild the chart).
  const open = useRef(onOpen);
  open.current = onOpen;
  // Colours come from the theme's CSS variables: redraw when the theme switches.
  const theme = useDrawnTheme();
  useEffect(() => {
    if (!el.current) return;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim();
    const chart = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      color: PALETTE,
      grid: { left: 8, right: 16, top: series.length > 1 ? 8 + Math.min(3, Math.ceil(series.length / 4)) * 22 : 12, bottom: 8, containLabel: true },
      legend: {
        show: series.length > 1, type: 'scroll', top: 0, textStyle: { color: color('--text') }, pageTextStyle: { color: color('--text-dim') },
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
      series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'all', barMaxWidth: 56, data: s.data, emphasis: { focus: 'series' }, cursor: s.href ? 'pointer' : 'default' })),
    });
    chart.on('click', (p) => { const href = series[p.seriesIndex ?? -1]?.href; if (href) open.current?.(href); });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el.current);
    return () => { ro.disconnect(); chart.dispose(); };
  }, [periods, series, theme, unit]);
  const total = series.reduce((n, s) => n + s.data.reduce((a, b) => a + b, 0), 0);
  return <div ref={el} className="trend-chart" role="img" aria-label={`${label}: ${total} ${unit} over ${periods.length} periods`} />;
}
