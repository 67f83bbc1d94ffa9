/** The capture at a glance: name, size, hashes (copyable), time span, packets, services, alerts by severity, top talkers, labels. */
import { useState } from 'react';
import { Labels } from '../labels/Labels.js';
import { formatBytes, formatCount, formatTs } from '../../lib/format.js';
import type { CaptureRow } from '../../api.js';
import type { CaptureSummary } from './api.js';

const SEVERITY = ['', 'high', 'medium', 'low', 'info'];

function Hash({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="hash">
      <dt>{label}</dt>
      <dd>
        <code className="mono">{value}</code>
        <button type="button" className="ghost small" aria-label={`Copy ${label}`}
          onClick={() => { void navigator.clipboard?.writeText(value).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1200); }, () => undefined); }}>
          {copied ? 'copied' : 'copy'}
        </button>
      </dd>
    </div>
  );
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s < 2 * 86_400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  // Weeks-long captures read in days ('58 d 17 h', not '1409 h 51 min').
  const hours = Math.round(s / 3600);
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** `s` arrives after the capture row (its scan takes longer): the side shows once it does. */
export function SummaryHeader({ c, s }: { c: CaptureRow; s?: CaptureSummary }) {
  const alerts = s ? s.alerts.reduce((n, a) => n + a.count, 0) : 0;
  return (
    <section className="summary" aria-labelledby="summary-title">
      <div className="summary-main">
        <h1 id="summary-title" className="capture-name">{c.name || c.id}</h1>
        <Labels captureId={c.id} captureName={c.name} />
        <dl className="facts">
          <div><dt>Size</dt><dd>{formatBytes(c.size)}</dd></div>
          <div><dt>Packets</dt><dd>{formatCount(c.packets)}</dd></div>
          <div><dt>Records</dt><dd>{formatCount(c.recordCount)}</dd></div>
          <div><dt>Start</dt><dd className="mono">{formatTs(c.firstTs)}</dd></div>
          <div><dt>End</dt><dd className="mono">{formatTs(c.lastTs)}</dd></div>
          <div><dt>Duration</dt><dd>{duration((c.lastTs ?? 0) - (c.firstTs ?? 0))}</dd></div>
          <div><dt>Format</dt><dd>{c.format ?? '–'}</dd></div>
        </dl>
        <dl className="hashes">
          <Hash label="SHA-256" value={c.id} />
          <Hash label="MD5" value={c.md5} />
          <Hash label="SHA-1" value={c.sha1} />
        </dl>
      </div>
      {!s && <p className="summary-side dim" role="status">Aggregating protocols, alerts and talkers…</p>}
      {s && <div className="summary-side">
        <div>
          <h2 className="mini-title">Protocols</h2>
          <ul className="chips" aria-label="Services seen in conn.log">
            {s.services.slice(0, 16).map((x) => <li key={x.service} className="chip">{x.service} <span className="dim">{formatCount(x.count)}</span></li>)}
            {s.services.length === 0 && <li className="dim">none</li>}
          </ul>
          <h2 className="mini-title">Alerts <span className="dim">{formatCount(alerts)}</span></h2>
          <ul className="chips" aria-label="Alerts by severity">
            {s.alerts.map((a) => <li key={String(a.severity)} className={`chip sev-${a.severity ?? 0}`}>{a.severity === null ? 'unknown' : `${a.severity} ${SEVERITY[a.severity] ?? ''}`} <span>{formatCount(a.count)}</span></li>)}
            {s.alerts.length === 0 && <li className="dim">none</li>}
          </ul>
        </div>
        <div>
          <h2 className="mini-title">Top talkers <span className="dim">by bytes</span></h2>
          <table className="plain talkers">
            <thead><tr><th scope="col">Host</th><th scope="col">Bytes</th><th scope="col">Conns</th></tr></thead>
            <tbody>
              {s.talkers.slice(0, 8).map((t) => <tr key={t.ip}><td className="mono">{t.ip}</td><td>{formatBytes(t.bytes)}</td><td>{formatCount(t.conns)}</td></tr>)}
            </tbody>
          </table>
          {!s.scan.complete && <p className="dim small">Figures from the first {formatCount(s.scan.conns)} connections.</p>}
        </div>
      </div>}
    </section>
  );
}
