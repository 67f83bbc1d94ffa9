/**
 * Where the capture's endpoints are (offline GeoIP from the server, POST /api/geo), on a world map
 * drawn by ECharts from world-atlas shapes (bundled, no fetch at run time). Points sized by bytes.
 * DB-IP's licence asks for a link back wherever its data is shown: it is under the map.
 */
import { useEffect, useRef, useState } from 'react';
import * as echarts from 'echarts/core';
import { MapChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';
import { consoleApi, type CaptureSummary, type GeoPoint } from './api.js';
import { formatBytes } from '../../lib/format.js';
import { escapeHtml } from '../../lib/escape-html.js';

echarts.use([MapChart, ScatterChart, GeoComponent, TooltipComponent, CanvasRenderer]);

let registered = false;
function registerWorld(): void {
  if (registered) return;
  const topo = world as unknown as Topology<{ countries: GeometryCollection }>;
  echarts.registerMap('world', feature(topo, topo.objects.countries) as unknown as Parameters<typeof echarts.registerMap>[1]);
  registered = true;
}

export default function WorldMap({ endpoints }: { endpoints: CaptureSummary['endpoints'] }) {
  const el = useRef<HTMLDivElement>(null);
  const [located, setLocated] = useState<{ p: GeoPoint; bytes: number }[] | null>(null);
  const [privateCount, setPrivateCount] = useState(0);

  useEffect(() => {
    let live = true;
    const bytes = new Map(endpoints.map((e) => [e.ip, e.bytes]));
    consoleApi.geo(endpoints.slice(0, 1000).map((e) => e.ip)).then((pts) => {
      if (!live) return;
      setPrivateCount(pts.filter((p) => p.private).length);
      setLocated(pts.filter((p) => typeof p.lat === 'number' && typeof p.lon === 'number').map((p) => ({ p, bytes: bytes.get(p.ip) ?? 0 })));
    }, () => { if (live) setLocated([]); });
    return () => { live = false; };
  }, [endpoints]);

  useEffect(() => {
    if (!el.current || !located) return;
    registerWorld();
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim();
    const chart = echarts.init(el.current, undefined, { renderer: 'canvas' });
    const max = Math.max(1, ...located.map((x) => x.bytes));
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: 'item',
        formatter: (x: { dataIndex: number; seriesType: string }) => {
          if (x.seriesType !== 'scatter') return '';
          const l = located[x.dataIndex];
          if (!l) return '';
          const where = [l.p.city, l.p.country].filter(Boolean).join(', ');
          return `${escapeHtml(l.p.ip)}<br/>${escapeHtml(where)}<br/>${escapeHtml(l.p.org ? `AS${l.p.asn ?? ''} ${l.p.org}` : '')}<br/>${escapeHtml(formatBytes(l.bytes))}`;
        },
      },
      geo: {
        map: 'world', roam: true, silent: true, zoom: 1,
        itemStyle: { areaColor: color('--bg-sunken'), borderColor: color('--border') },
      },
      series: [{
        type: 'scatter', coordinateSystem: 'geo',
        data: located.map((x) => [x.p.lon, x.p.lat, x.bytes]),
        symbolSize: (v: number[]) => 5 + 18 * Math.sqrt((v[2] ?? 0) / max),
        itemStyle: { color: color('--accent'), opacity: 0.8, borderColor: color('--text'), borderWidth: 0.5 },
      }],
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el.current);
    return () => { ro.disconnect(); chart.dispose(); };
  }, [located]);

  return (
    <figure className="map-figure">
      <div ref={el} className="chart map" role="img" aria-label={located ? `World map: ${located.length} located endpoints` : 'World map: locating endpoints'} />
      <figcaption className="dim small">
        {located ? `${located.length} endpoints located, ${privateCount} private. ` : 'Locating endpoints… '}
        <a href="https://db-ip.com/" target="_blank" rel="noreferrer noopener">IP Geolocation by DB-IP</a> (CC BY 4.0)
      </figcaption>
    </figure>
  );
}
