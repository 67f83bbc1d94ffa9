/** Connections and alerts over the capture's time span (ECharts, its own lazy chunk). Tooltip text is built from numbers and times only, escaped anyway. */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { CaptureSummary } from './api.js';
import { escapeHtml } from '../../lib/escape-html.js';
import { formatTs } from '../../lib/format.js';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, CanvasRenderer]);

export default function Timeline({ t }: { t: CaptureSummary['timeline'] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim();
    const chart = echarts.init(el.current, undefined, { renderer: 'canvas' });
    const times = t.conns.map((_, i) => t.start + i * t.bucketS);
    const spansDays = t.conns.length * t.bucketS > 86_400;
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 28, bottom: 24, containLabel: true },
      legend: { data: ['connections', 'alerts'], textStyle: { color: color('--text') }, top: 0 },
      tooltip: {
        trigger: 'axis',
        formatter: (ps: { dataIndex: number }[]) => {
          const i = ps[0]?.dataIndex ?? 0;
          return escapeHtml(`${formatTs(times[i])} (+${t.bucketS.toFixed(2)} s)`) + `<br/>connections: ${t.conns[i] ?? 0}<br/>alerts: ${t.alerts[i] ?? 0}`;
        },
      },
      // Times of day within a day; past a day the date leads (a span of weeks showed only hours).
      xAxis: { type: 'category', data: times.map((x) => (spansDays ? formatTs(x).slice(5, 16) : formatTs(x).slice(11, 19))), axisLabel: { color: color('--text-dim') } },
      yAxis: [
        { type: 'value', name: 'conns', axisLabel: { color: color('--text-dim') }, splitLine: { lineStyle: { color: color('--border') } } },
        { type: 'value', name: 'alerts', axisLabel: { color: color('--text-dim') }, splitLine: { show: false } },
      ],
      series: [
        { name: 'connections', type: 'bar', data: t.conns, itemStyle: { color: color('--accent') } },
        { name: 'alerts', type: 'line', yAxisIndex: 1, data: t.alerts, itemStyle: { color: color('--bad') }, showSymbol: false },
      ],
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el.current);
    return () => { ro.disconnect(); chart.dispose(); };
  }, [t]);
  return <div ref={el} className="chart" role="img" aria-label={`Timeline: ${t.conns.reduce((a, b) => a + b, 0)} connections and ${t.alerts.reduce((a, b) => a + b, 0)} alerts over time`} />;
}
