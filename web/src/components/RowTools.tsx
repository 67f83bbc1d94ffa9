/**
 * Row tools: a dialog of every value in one record, each classified (lib/classify.ts), and the
 * tools for the chosen value: search everywhere, other captures with it (pivot), copy, public
 * lookup sites (lib/lookups.ts); IPs get geo/ASN and whois, domains whois; a connection's uid or
 * Community ID gets every record of the connection and its pcap slice. Used by the console's
 * panels, search results and the pivot page. Values are capture data: rendered as text only.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { capturePath } from '../api.js';
import { classify, isConnectionKind, isIpKind, isPublicIp, searchFor, type Classified } from '../lib/classify.js';
import { lookupsFor } from '../lib/lookups.js';
import { recordCells, type Cell } from '../lib/record-cells.js';
import { formatTs } from '../lib/format.js';
import { useAsync } from '../lib/use-async.js';
import { searchApi } from '../features/search/api.js';
import { ErrorBox } from './ErrorBox.js';
import { ApiRequestError } from '../api.js';
import './RowTools.css';

export interface ToolRecord {
  captureId?: string;
  log: string;
  ts?: number | null;
  uid?: string | null;
  communityId?: string | null;
  doc: Record<string, unknown>;
}

interface ClassifiedCell extends Cell { c: Classified }

/** The cells of a record worth tools: every leaf, with the record's uid/community_id columns first. */
function cellsOf(record: ToolRecord): ClassifiedCell[] {
  const cells = recordCells(record.log, record.doc);
  const seen = new Set(cells.map((x) => x.path));
  if (record.uid && !seen.has('uid')) cells.unshift({ path: 'uid', field: 'uid', value: record.uid });
  if (record.communityId && !seen.has('community_id')) cells.push({ path: 'community_id', field: 'community_id', value: record.communityId });
  return cells.map((x) => ({ ...x, c: classify(x.value, x.path) }));
}

export function RowTools({ record, focusPath, onClose }: { record: ToolRecord; focusPath?: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const cells = useMemo(() => cellsOf(record), [record]);
  const initial = Math.max(0, focusPath ? cells.findIndex((x) => x.path === focusPath) : cells.findIndex((x) => x.c.pivot !== undefined));
  const [selected, setSelected] = useState(initial);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => { if (d?.open) d.close(); };
  }, []);
  const cell = cells[selected];
  return (
    <dialog ref={ref} className="row-tools" aria-labelledby="row-tools-title" onClose={onClose} onCancel={onClose}>
      <header className="row-tools-head">
        <h2 id="row-tools-title">Row tools <span className="dim">· {record.log}{record.ts ? ` · ${formatTs(record.ts)}` : ''}</span></h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close row tools">✕</button>
      </header>
      <div className="row-tools-body">
        <ul className="row-tools-values" aria-label="Values of this record (arrow keys move)" onKeyDown={(e) => {
          // Arrow keys walk the values, as in a list box; Tab still leaves for the tools.
          if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
          e.preventDefault();
          const buttons = [...e.currentTarget.querySelectorAll<HTMLElement>('button.value-pick')];
          const at = buttons.indexOf(document.activeElement as HTMLElement);
          const next = Math.min(cells.length - 1, Math.max(0, (at < 0 ? selected : at) + (e.key === 'ArrowDown' ? 1 : -1)));
          setSelected(next);
          buttons[next]?.focus();
        }}>
          {cells.map((x, i) => (
            <li key={`${x.path}#${i}`}>
              <button type="button" className={i === selected ? 'value-pick current' : 'value-pick'} aria-pressed={i === selected}
                onClick={() => setSelected(i)} data-kind={x.c.kind}>
                <span className="value-path mono">{x.path}</span>
                <span className={`kind-badge kind-${x.c.kind}`}>{x.c.label}</span>
                <span className="value-text mono">{x.c.kind === 'time' && typeof x.value === 'number' ? formatTs(x.value) : String(x.value)}</span>
              </button>
            </li>
          ))}
        </ul>
        {cell ? <ValueTools key={selected} cell={cell} record={record} /> : <p className="dim">This record holds no values.</p>}
      </div>
    </dialog>
  );
}

function ValueTools({ cell, record }: { cell: ClassifiedCell; record: ToolRecord }) {
  const { c, field } = cell;
  const [copied, setCopied] = useState<string | undefined>();
  const copy = async () => {
    try { await navigator.clipboard.writeText(c.value); setCopied('Copied'); } catch { setCopied('Copy failed: select the value and copy it by hand'); }
  };
  const lookups = lookupsFor(c.kind, c.value);
  const pcapHref = record.captureId && isConnectionKind(c.kind)
    ? capturePath(record.captureId, `/pcap?${c.kind === 'uid' ? 'uid' : 'community_id'}=${encodeURIComponent(c.value)}`) : undefined;
  return (
    <section className="row-tools-tools" aria-label={`Tools for ${cell.path}`}>
      <p className="tool-value"><span className={`kind-badge kind-${c.kind}`}>{c.label}</span> <code className="mono" data-testid="tool-value">{c.value}</code></p>
      <div className="tool-actions">
        <Link className="tool-link" href={`/search?q=${encodeURIComponent(searchFor(field, c.value))}`}>Search everywhere</Link>
        {c.pivot && <Link className="tool-link" href={`/pivot/${c.pivot}/${encodeURIComponent(c.value)}`}>Other captures with this</Link>}
        {isConnectionKind(c.kind) && (
          <Link className="tool-link" href={`/search?q=${encodeURIComponent(searchFor(c.kind === 'uid' ? 'uid' : 'community_id', c.value))}`}>Every record of this connection</Link>
        )}
        {pcapHref && <a className="tool-link" href={pcapHref} download>Download pcap slice</a>}
        <button type="button" className="tool-link" onClick={() => void copy()}>Copy</button>
        {copied && <span role="status" className="dim">{copied}</span>}
      </div>
      {isIpKind(c.kind) && <GeoBox ip={c.value} />}
      {(isIpKind(c.kind) ? isPublicIp(c.value) : c.kind === 'domain' || c.kind === 'email' || c.kind === 'url') && <WhoisBox value={whoisTarget(c)} />}
      {isIpKind(c.kind) && !isPublicIp(c.value) && <p className="dim">Whois: a private or reserved address, held by no registry.</p>}
      {lookups.length > 0 && (
        <nav aria-label="Public lookups" className="tool-lookups">
          <h3>Look up</h3>
          <ul>{lookups.map((l) => <li key={l.name}><a href={l.href} target="_blank" rel="noopener noreferrer">{l.name} ↗</a></li>)}</ul>
        </nav>
      )}
    </section>
  );
}

/** The domain of an email or URL (whois knows names, not mailboxes or paths). */
function whoisTarget(c: Classified): string {
  if (c.kind === 'email') return c.value.slice(c.value.lastIndexOf('@') + 1);
  if (c.kind === 'url') { try { return new URL(c.value).hostname; } catch { return c.value; } }
  return c.value;
}

function GeoBox({ ip }: { ip: string }) {
  const state = useAsync((signal) => searchApi.geo(ip, signal), [ip]);
  if (state.status === 'loading') return <p className="dim" role="status">Looking up geo/ASN…</p>;
  if (state.status === 'error') {
    const missing = state.error instanceof ApiRequestError && state.error.status === 404;
    return <p className="dim">{missing ? 'Geo/ASN: not known for this address (or not available on this server).' : `Geo/ASN unavailable: ${state.error.message}`}</p>;
  }
  const pairs = flatPairs(state.value);
  return (
    <section aria-label="Geo and ASN" className="tool-geo">
      <h3>Geo / ASN</h3>
      {pairs.length === 0 ? <p className="dim">Nothing known.</p> : (
        <dl>{pairs.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>
      )}
    </section>
  );
}

/** Label/value pairs of a JSON answer (one level of nesting flattened), text only. */
function flatPairs(o: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) if (v2 !== null && v2 !== undefined && typeof v2 !== 'object') out.push([`${k} ${k2}`, String(v2)]);
    } else out.push([k, Array.isArray(v) ? v.join(', ') : String(v)]);
    if (out.length >= 40) break;
  }
  return out;
}

function WhoisBox({ value }: { value: string }) {
  const [open, setOpen] = useState(false);
  return (
    <section aria-label="Whois" className="tool-whois">
      {!open ? <button type="button" className="tool-link" onClick={() => setOpen(true)}>Whois {value}</button> : <WhoisAnswerView value={value} />}
    </section>
  );
}

function WhoisAnswerView({ value }: { value: string }) {
  const state = useAsync((signal) => searchApi.whois(value, signal), [value]);
  if (state.status === 'loading') return <p className="dim" role="status">Asking whois…</p>;
  if (state.status === 'error') return <ErrorBox error={state.error} />;
  const w = state.value;
  return (
    <>
      <h3>Whois {w.query} <span className="dim">· {w.servers.join(' → ')}{w.cached ? ' · cached' : ''}{w.truncated ? ' · truncated' : ''}</span></h3>
      {w.referralFailed && <p className="dim">Referral not followed: {w.referralFailed}</p>}
      <pre className="whois-text" tabIndex={0} aria-label="Whois answer">{w.text}</pre>
    </>
  );
}
