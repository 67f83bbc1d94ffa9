/**
 * Trends (`/trends?interval=month&label=emotet`): per week or month of capture time, the captures
 * shared, the leading labels (families, categories, campaigns), the sectors targeted, the top alert
 * signatures and the observables seen for the first time; narrowed to one label, the same charts
 * show how that family's observables and alerts change over time. Charts are a lazy ECharts chunk;
 * the table under them holds the same figures as text (and links).
 */
import { lazy, Suspense, useMemo } from 'react';
import { Link, useLocation, useSearchParams } from 'wouter';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatCount } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';
import '../labels/labels.css';
import { intelApi, KIND_NAMES, labelHref, type TrendInterval, type TrendPeriod } from './api.js';
import { ObservableLink, observableHref } from './ObservableLink.js';
import type { TrendSeries } from './TrendChart.js';
import './intel.css';

const TrendChart = lazy(() => import('./TrendChart.js'));

/** Series per chart (the largest over the whole span); the table lists every item. */
const SERIES_MAX = 10;

/** One series per key (the SERIES_MAX largest), a value per period. */
function topSeries(periods: TrendPeriod[], items: (p: TrendPeriod) => { key: string; n: number; href?: string }[]): TrendSeries[] {
  const totals = new Map<string, { n: number; href?: string }>();
  for (const p of periods) {
    for (const it of items(p)) totals.set(it.key, { n: (totals.get(it.key)?.n ?? 0) + it.n, href: it.href });
  }
  const keys = [...totals.entries()].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0])).slice(0, SERIES_MAX);
  return keys.map(([k, t]) => ({ name: k, href: t.href, data: periods.map((p) => items(p).find((it) => it.key === k)?.n ?? 0) }));
}



function Chart({ title, id, periods, series, unit, empty }: { title: string; id: string; periods: string[]; series: TrendSeries[]; unit: string; empty: string }) {
  const [, navigate] = useLocation();
  return (
    <section className="view trend-view" aria-labelledby={id}>
      <h2 id={id} className="mini-title">{title}</h2>
      {series.length === 0 ? <p className="dim trend-empty">{empty}</p> : (
        <Suspense fallback={<div className="trend-chart" role="status">Loading chart…</div>}>
          <TrendChart periods={periods} series={series} label={title} unit={unit} onOpen={navigate} />
        </Suspense>
      )}
    </section>
  );
}

export default function TrendsPage() {
  const [params, setParams] = useSearchParams();
  const interval: TrendInterval = params.get('interval') === 'week' ? 'week' : 'month';
  const label = (params.get('label') ?? '').slice(0, 256);
  const trends = useAsync((signal) => intelApi.trends(interval, label || undefined, signal), [interval, label]);
  const archive = useAsync((signal) => intelApi.archive(signal), []);
  const go = (next: { interval?: TrendInterval; label?: string }) => {
    const p = new URLSearchParams();
    const i = next.interval ?? interval;
    const l = next.label ?? label;
    if (i !== 'month') p.set('interval', i);
    if (l) p.set('label', l);
    setParams(p);
  };
  const choices = archive.status === 'ok' ? archive.value.entries : [];

  const charts = useMemo(() => {
    if (trends.status !== 'ok') return undefined;
    const ps = trends.value.periods;
    const labelOf = (kind: string, value: string) => (kind === 'family' ? value : `${kind}: ${value}`);
    return {
      names: ps.map((p) => p.period),
      captures: [{ name: 'captures', data: ps.map((p) => p.captures) }],
      labels: topSeries(ps, (p) => p.topLabels.filter((l) => l.kind !== 'sector')
        .map((l) => ({ key: labelOf(l.kind, l.value), n: l.captures, href: labelHref(l.kind, l.value) }))),
      sectors: topSeries(ps, (p) => (p.sectors ?? []).map((l) => ({ key: l.value, n: l.captures, href: labelHref('sector', l.value) }))),
      alerts: topSeries(ps, (p) => p.topAlerts.map((a) => ({ key: a.signature, n: a.captures, href: observableHref('alert', a.signature) }))),
      observables: topSeries(ps, (p) => Object.entries(p.newObservables).map(([k, n]) => ({ key: KIND_NAMES[k] ?? k, n }))),
    };
  }, [trends]);

  return (
    <section className="intel-page trends" aria-labelledby="trends-title">
      <header className="intel-head">
        <h1 id="trends-title">Trends{label && <> of <span className="entry-name">{label}</span></>}</h1>
        <p className="dim">By the time of each capture's first packet. {label ? 'New observables are this label’s first sightings across the archive: how its infrastructure and tooling change.' : 'Which threats lead, what they target, and what is new.'}</p>
      </header>
      <form className="trend-controls" aria-label="Trend options" onSubmit={(e) => e.preventDefault()}>
        <div className="segmented" role="group" aria-label="Interval">
          {(['week', 'month'] as const).map((i) => (
            <button key={i} type="button" aria-pressed={interval === i} onClick={() => go({ interval: i })}>{i === 'week' ? 'Weekly' : 'Monthly'}</button>
          ))}
        </div>
        <label className="field inline">
          <span>Family or label</span>
          <select value={label} onChange={(e) => go({ label: e.target.value })}>
            <option value="">Every capture</option>
            {label && !choices.some((c) => c.value === label) && <option value={label}>{label}</option>}
            {['family', 'campaign', 'actor', 'category', 'sector'].map((k) => {
              const of = choices.filter((c) => c.kind === k);
              return of.length === 0 ? null : (
                <optgroup key={k} label={k}>
                  {of.map((c) => <option key={`${c.kind}:${c.value}`} value={c.value}>{c.value} ({c.captures})</option>)}
                </optgroup>
              );
            })}
          </select>
        </label>
        {label && <Link href={`/archive?label=${encodeURIComponent(label)}`}>Its archive entry</Link>}
      </form>
      {trends.status === 'loading' && <p role="status" className="dim">Computing trends…</p>}
      {trends.status === 'error' && <ErrorBox error={trends.error} />}
      {trends.status === 'ok' && charts && (trends.value.periods.length === 0 ? <p role="status">No captures{label ? ` labelled ${label}` : ''} to chart yet.</p> : (
        <>
          <div className="trend-grid">
            <Chart id="t-captures" title="Captures shared" periods={charts.names} series={charts.captures} unit="captures" empty="" />
            <Chart id="t-labels" title={label ? 'Labels alongside' : 'Top families and labels'} periods={charts.names} series={charts.labels} unit="labelled captures" empty="No labels in these periods." />
            <Chart id="t-sectors" title="Sectors targeted" periods={charts.names} series={charts.sectors} unit="captures" empty="No sector labels yet (label captures with kind “sector”)." />
            <Chart id="t-alerts" title="Top alert signatures" periods={charts.names} series={charts.alerts} unit="captures with the alert" empty="No alerts in these periods." />
            <Chart id="t-new" title={label ? `${label}: new observables` : 'New observables'} periods={charts.names} series={charts.observables} unit="first sightings" empty="Nothing new." />
          </div>
          {label && <FamilyObservables label={label} periods={trends.value.periods} interval={interval} />}
          <PeriodTable periods={trends.value.periods} interval={interval} />
        </>
      ))}
    </section>
  );
}

/** Observable kinds of a family's per-period table, in the archive's order. */
const FAMILY_KINDS = ['domain', 'ja3', 'ja4', 'user_agent', 'uri', 'alert'] as const;

/**
 * A family's top observables per period (the API's topObservables with ?label=): its domains,
 * fingerprints, user agents, URI patterns and alerts side by side, newest period first, so a
 * change of infrastructure or tooling reads as the values changing from one row to the next.
 */
function FamilyObservables({ label, periods, interval }: { label: string; periods: TrendPeriod[]; interval: TrendInterval }) {
  const kinds = FAMILY_KINDS.filter((k) => periods.some((p) => (p.topObservables?.[k]?.length ?? 0) > 0));
  if (kinds.length === 0) return null;
  return (
    <section className="view trend-view" aria-labelledby="t-family">
      <h2 id="t-family" className="mini-title">{label}: observables by period</h2>
      <div className="table-scroll">
        <table className="plain trend-table" aria-label={`${label}: observables by period`}>
          <thead><tr><th scope="col">{interval === 'week' ? 'Week of' : 'Month'}</th>{kinds.map((k) => <th key={k} scope="col">{KIND_NAMES[k] ?? k}</th>)}</tr></thead>
          <tbody>
            {[...periods].reverse().map((p) => (
              <tr key={p.period}>
                <th scope="row" className="mono">{p.period}</th>
                {kinds.map((k) => (
                  <td key={k}>
                    <ul className="plain-list">
                      {(p.topObservables?.[k] ?? []).map((o) => <li key={o.value}><ObservableLink kind={k} value={o.value} /> <span className="dim small">{o.captures}</span></li>)}
                    </ul>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PeriodTable({ periods, interval }: { periods: TrendPeriod[]; interval: TrendInterval }) {
  return (
    <div className="table-scroll">
      <table className="plain trend-table" aria-label="Trends by period">
        <thead><tr><th scope="col">{interval === 'week' ? 'Week of' : 'Month'}</th><th scope="col" className="num">Captures</th><th scope="col">Top labels</th><th scope="col">Sectors</th><th scope="col">Top alerts</th><th scope="col">New observables</th></tr></thead>
        <tbody>
          {[...periods].reverse().map((p) => (
            <tr key={p.period}>
              <th scope="row" className="mono">{p.period}</th>
              <td className="num">{formatCount(p.captures)}</td>
              <td>
                <ul className="label-list">
                  {p.topLabels.filter((l) => l.kind !== 'sector').map((l) => (
                    <li key={`${l.kind}:${l.value}`} className={`label-chip kind-${l.kind}`}>
                      <Link href={labelHref(l.kind, l.value)}><span className="label-kind">{l.kind}</span> {l.value} <span className="dim">{l.captures}</span></Link>
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                <ul className="label-list">
                  {(p.sectors ?? []).map((x) => (
                    <li key={x.value} className="label-chip kind-sector"><Link href={labelHref('sector', x.value)}>{x.value} <span className="dim">{x.captures}</span></Link></li>
                  ))}
                </ul>
              </td>
              <td>
                <ul className="plain-list">
                  {p.topAlerts.slice(0, 5).map((a) => <li key={a.signature}><ObservableLink kind="alert" value={a.signature} /> <span className="dim small">{a.captures}</span></li>)}
                </ul>
              </td>
              <td className="small">{Object.entries(p.newObservables).map(([k, n]) => `${KIND_NAMES[k] ?? k} ${n}`).join(' · ') || '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
