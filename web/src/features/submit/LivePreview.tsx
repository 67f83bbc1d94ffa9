/**
 * Results as they come: the first rows of conn, dns and http while the job runs (the API answers
 * the worker's first records with partial: true), then the stored ones once it is done. Polls
 * while running, stops once it has read the final rows. Every value is capture text: React text only.
 */
import { useEffect, useState } from 'react';
import { api, type StoredRecord } from '../../api.js';

/** Rows shown per log: a glimpse, the console has the rest. */
const PREVIEW_ROWS = 5;
/** Between two reads of the partial results once some are shown (the worker posts them every 250 ms at most). */
const PREVIEW_POLL_MS = 1500;
/** Between two reads while nothing is shown yet: the first rows are what the analyst waits for. */
const PREVIEW_FIRST_POLL_MS = 300;
/** Characters of one cell: a 1 MB URI must not stretch the page. */
const CELL_MAX_CHARS = 80;

interface Column { field: string; title: string }
const LOGS: { log: string; title: string; columns: Column[] }[] = [
  { log: 'conn', title: 'Connections', columns: [
    { field: 'id.orig_h', title: 'Originator' }, { field: 'id.resp_h', title: 'Responder' }, { field: 'id.resp_p', title: 'Port' },
    { field: 'proto', title: 'Proto' }, { field: 'service', title: 'Service' }, { field: 'conn_state', title: 'State' },
  ] },
  { log: 'dns', title: 'DNS', columns: [
    { field: 'query', title: 'Query' }, { field: 'qtype_name', title: 'Type' }, { field: 'rcode_name', title: 'Rcode' }, { field: 'answers', title: 'Answers' },
  ] },
  { log: 'http', title: 'HTTP', columns: [
    { field: 'method', title: 'Method' }, { field: 'host', title: 'Host' }, { field: 'uri', title: 'URI' }, { field: 'status_code', title: 'Status' },
  ] },
];

/** Characters of a cell's tooltip (the whole value, up to this). */
const TITLE_MAX_CHARS = 2000;

/** A document's value as one line of text, at most `max` characters. */
function cellText(v: unknown, max: number): string {
  if (v === null || v === undefined) return '';
  const s = Array.isArray(v) ? v.map((x) => String(x)).join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

type Rows = Record<string, { partial: boolean; records: StoredRecord[] }>;

export function LivePreview({ captureId, status }: { captureId: string; status: 'queued' | 'running' | 'done' | 'failed' }) {
  const [rows, setRows] = useState<Rows>({});
  const active = status === 'running' || status === 'done';

  useEffect(() => {
    if (!active) return undefined;
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async (): Promise<void> => {
      const got: Rows = {};
      let allFinal = true;
      let any = false;
      for (const { log } of LOGS) {
        try {
          const page = await api.logs(captureId, log, { limit: PREVIEW_ROWS }, ac.signal);
          got[log] = { partial: page.partial === true, records: page.records };
          if (page.records.length > 0) any = true;
          if (page.partial || page.status !== 'done') allFinal = false;
        } catch {
          allFinal = false;
        }
      }
      if (ac.signal.aborted) return;
      setRows((prev) => {
        // Keep what was shown if a read came back with less (a partial preview never shrinks on purpose).
        const next = { ...prev };
        for (const [log, r] of Object.entries(got)) if (r.records.length > 0 || !prev[log]) next[log] = r;
        return next;
      });
      if (!allFinal && status === 'running') timer = setTimeout(() => void read(), any ? PREVIEW_POLL_MS : PREVIEW_FIRST_POLL_MS);
    };
    void read();
    return () => { ac.abort(); if (timer) clearTimeout(timer); };
  }, [captureId, status, active]);

  const shown = LOGS.filter(({ log }) => (rows[log]?.records.length ?? 0) > 0);
  if (!active) return null;
  if (shown.length === 0) return <p className="dim preview-empty">{status === 'running' ? 'Waiting for the first records…' : 'No connections, DNS or HTTP records in this capture.'}</p>;
  return (
    <div className="preview">
      {shown.map(({ log, title, columns }) => {
        const r = rows[log]!;
        return (
          <section key={log} className="preview-log" aria-label={`First ${title} records`}>
            <h3>{title} {r.partial && <span className="badge">partial</span>}</h3>
            <table className="plain compact">
              <thead><tr>{columns.map((c) => <th key={c.field} scope="col">{c.title}</th>)}</tr></thead>
              <tbody>
                {r.records.slice(0, PREVIEW_ROWS).map((rec) => (
                  <tr key={rec.id}>
                    {columns.map((c) => {
                      const text = cellText(rec.doc[c.field], CELL_MAX_CHARS);
                      return <td key={c.field} className="mono" title={text.length > CELL_MAX_CHARS ? cellText(rec.doc[c.field], TITLE_MAX_CHARS) : undefined}>{text}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </div>
  );
}
