/**
 * Retro-hunt (`/hunts`, `/hunts?id=hunt_…`): paste a Suricata ruleset or YARA rules, or load a rules
 * file, run it over every stored capture the API key may see (a background job on the server: YARA
 * reads the files kept from each capture), follow its progress, and read the matches by capture
 * (alerts per signature; for YARA, the matched files with their names, uids, rules and tags). The key's earlier hunts are
 * listed below. Rule text and alert messages are user and capture text: React text only.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'wouter';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatCount, formatTs } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';
import { useApiKey } from '../settings/use-api-key.js';
import { intelApi, type Hunt, type HuntFileMatch, type HuntKind } from './api.js';
import './intel.css';

/** Characters of a ruleset (HUNT_RULES_MAX_CHARS in src/api/routes/retro-hunt.ts: the server refuses more). */
const RULES_MAX_CHARS = 1_000_000;
/** Matching captures drawn at a time (a hunt over a large archive can match tens of thousands). */
const MATCH_ROWS_PAGE = 200;
/** Polling interval while a hunt runs. */
const POLL_MS = 1000;

const EXAMPLE = 'alert dns any any -> any any (msg:"example: DNS query for a .ru name"; dns.query; content:".ru"; endswith; sid:1000001; rev:1;)';
const YARA_EXAMPLE = 'rule example_pe : exe {\n  condition: uint16(0) == 0x5A4D\n}';
/** `rule NAME` declarations at a line start (countYaraRules in src/jobs/retro-hunt.ts counts the same way). */
const YARA_RULE_LINE = /^[ \t]*(?:(?:private|global)[ \t]+)*rule[ \t]+[A-Za-z_]\w*/gm;
/** Matched files listed per capture before "and N more". */
const FILES_SHOWN = 20;

export default function RetroHuntPage() {
  const key = useApiKey();
  const [params, setParams] = useSearchParams();
  const id = /^hunt_[0-9a-f]{16}$/.test(params.get('id') ?? '') ? params.get('id')! : '';
  const [version, setVersion] = useState(0);
  return (
    <section className="intel-page hunts" aria-labelledby="hunt-title">
      <header className="intel-head">
        <h1 id="hunt-title">Retro-hunt</h1>
        <p className="dim">Run Suricata rules over every stored capture you can see, or YARA rules over the files kept from them, in the background, and read what they match capture by capture.</p>
      </header>
      {!key ? <p role="status" className="notice">A retro-hunt reads the whole archive: set an API key (top right) to run one.</p> : (
        <>
          <HuntForm onStarted={(h) => { setParams(new URLSearchParams({ id: h.id })); setVersion((v) => v + 1); }} />
          {id && <HuntView key={id} id={id} onFinished={() => setVersion((v) => v + 1)} />}
          <HuntList current={id} version={version} />
        </>
      )}
    </section>
  );
}

function HuntForm({ onStarted }: { onStarted: (h: Hunt) => void }) {
  const [rules, setRules] = useState('');
  const [kind, setKind] = useState<HuntKind>('suricata');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try { onStarted(await intelApi.startHunt(rules, kind)); } catch (err) { setError(err as Error); } finally { setBusy(false); }
  };
  const load = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    if (file.size > RULES_MAX_CHARS * 4) { setError(new Error(`${file.name} is larger than a ruleset may be (${formatCount(RULES_MAX_CHARS)} characters).`)); return; }
    const text = await file.text();
    if (text.length > RULES_MAX_CHARS) { setError(new Error(`${file.name} holds more than ${formatCount(RULES_MAX_CHARS)} characters.`)); return; }
    setRules(text);
  };
  return (
    <form className="hunt-form" onSubmit={(e) => void submit(e)} aria-label="New retro-hunt">
      <fieldset className="hunt-kind">
        <legend>Rules language</legend>
        <label><input type="radio" name="hunt-kind" value="suricata" checked={kind === 'suricata'} onChange={() => setKind('suricata')} /> Suricata (over the packets)</label>
        <label><input type="radio" name="hunt-kind" value="yara" checked={kind === 'yara'} onChange={() => setKind('yara')} /> YARA (over the extracted files)</label>
      </fieldset>
      <label className="field">
        <span>{kind === 'yara' ? 'Rules (YARA)' : 'Rules (Suricata 7 syntax, one a line)'}</span>
        <textarea className="mono rules-input" value={rules} onChange={(e) => setRules(e.target.value)} rows={8} spellCheck={false}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); e.currentTarget.form?.requestSubmit(); } }}
          aria-describedby="rules-hint"
          maxLength={RULES_MAX_CHARS} placeholder={kind === 'yara' ? YARA_EXAMPLE : EXAMPLE} required />
      </label>
      <p id="rules-hint" className="dim small">Ctrl+Enter runs it. Rules are checked by the server first ({kind === 'yara' ? 'YARA-X compiles them; include is refused' : 'its Suricata parser'}): a rule it cannot read is refused with its line and column.{kind === 'yara' && ' YARA reads the first 4 MiB of each file kept from a capture.'}</p>
      <div className="hunt-form-row">
        <label className="field inline">
          <span>or load a rules file</span>
          <input type="file" accept=".rules,.yar,.yara,.txt,text/plain" onChange={(e) => void load(e.target.files?.[0])} />
        </label>
        <span className="dim small">{kind === 'yara' ? `${formatCount(rules.match(YARA_RULE_LINE)?.length ?? 0)} rules`
          : `${formatCount(rules.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).length)} rule lines`}</span>
        <button type="submit" className="primary" disabled={busy || !rules.trim()}>{busy ? 'Starting…' : 'Run over the archive'}</button>
      </div>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

function HuntView({ id, onFinished }: { id: string; onFinished: () => void }) {
  const [hunt, setHunt] = useState<Hunt | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [rowsShown, setRowsShown] = useState(MATCH_ROWS_PAGE);
  useEffect(() => {
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const h = await intelApi.hunt(id, ac.signal);
        if (ac.signal.aborted) return;
        setHunt(h);
        if (h.status === 'running') timer = setTimeout(() => void poll(), POLL_MS);
        else onFinished();
      } catch (e) {
        if (!ac.signal.aborted) setError(e as Error);
      }
    };
    void poll();
    return () => { ac.abort(); clearTimeout(timer); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  if (error) return <ErrorBox error={error} />;
  if (!hunt) return <p role="status" className="dim">Loading the hunt…</p>;
  const alerts = hunt.matches.reduce((n, m) => n + m.alerts.reduce((a, x) => a + x.count, 0), 0);
  const shown = hunt.matches.slice(0, rowsShown);
  return (
    <article className="hunt-view" aria-labelledby="hunt-view-title">
      <h2 id="hunt-view-title" className="mini-title">Hunt <span className="mono">{hunt.id}</span> <span className={`status status-${hunt.status}`}>{hunt.status}</span></h2>
      <div className="hunt-progress">
        <progress max={Math.max(1, hunt.total)} value={hunt.done} aria-label="Captures read" />
        <span role="status" aria-live="polite">
          {formatCount(hunt.done)} of {formatCount(hunt.total)} captures read · {formatCount(hunt.matches.length)} matching · {formatCount(alerts)} {hunt.kind === 'yara' ? 'file matches' : 'alerts'}
          {hunt.skipped > 0 && ` · ${formatCount(hunt.skipped)} without a stored file`} · {formatCount(hunt.rules)} rules
        </span>
      </div>
      {hunt.error && <ErrorBox error={new Error(hunt.error)} />}
      {hunt.matches.length === 0 ? <p className="dim">{hunt.status === 'running' ? 'No match yet.' : 'No capture matched.'}</p> : (
        <div className="table-scroll">
          <table className="plain hunt-table" aria-label="Matches by capture">
            <thead><tr><th scope="col">Capture</th><th scope="col">{hunt.kind === 'yara' ? 'Rules (rule × files)' : 'Alerts (signature × count)'}</th>{hunt.kind === 'yara' && <th scope="col">Files</th>}</tr></thead>
            <tbody>
              {shown.map((m) => (
                <tr key={m.captureId}>
                  <td><Link href={`/captures/${encodeURIComponent(m.captureId)}?panel=alert`} className="capture-link">{m.name || m.captureId.slice(0, 16)}</Link><div className="mono dim small">{m.captureId.slice(0, 16)}…</div></td>
                  <td>
                    <ul className="plain-list">
                      {m.alerts.map((a) => <li key={a.sid}><span className="mono dim">{a.sid}</span> {a.msg} <span className="count">× {formatCount(a.count)}</span></li>)}
                    </ul>
                  </td>
                  {hunt.kind === 'yara' && <td><MatchedFiles files={m.files ?? []} /></td>}
                </tr>
              ))}
            </tbody>
          </table>
          {hunt.matches.length > shown.length && (
            <p className="more-rows">
              {formatCount(shown.length)} of {formatCount(hunt.matches.length)} matching captures shown.{' '}
              <button type="button" className="plain-button" onClick={() => setRowsShown((n) => n + MATCH_ROWS_PAGE)}>Show {formatCount(Math.min(MATCH_ROWS_PAGE, hunt.matches.length - shown.length))} more</button>
            </p>
          )}
        </div>
      )}
      {hunt.errors.length > 0 && (
        <details>
          <summary>{hunt.errors.length} captures could not be read</summary>
          <ul>{hunt.errors.slice(0, MATCH_ROWS_PAGE).map((e) => <li key={e.captureId}><span className="mono">{e.captureId.slice(0, 16)}</span>: {e.error}</li>)}</ul>
        </details>
      )}
    </article>
  );
}

/** A capture's files that YARA matched: SHA-256 (a link to the files of the capture), names, connections, rules and tags. */
function MatchedFiles({ files }: { files: HuntFileMatch[] }) {
  return (
    <ul className="plain-list hunt-files">
      {files.slice(0, FILES_SHOWN).map((f) => (
        <li key={f.sha256}>
          <span className="mono" title={f.sha256}>{f.sha256.slice(0, 16)}…</span>
          {f.names.length > 0 && <> {f.names.join(', ')}</>}
          {f.uids.length > 0 && <span className="mono dim small"> {f.uids.join(' ')}</span>}
          <div className="small">{f.rules.map((r) => <span key={r.rule} className="hunt-rule">{r.rule}{r.tags.length > 0 && ` [${r.tags.join(', ')}]`}</span>)}</div>
        </li>
      ))}
      {files.length > FILES_SHOWN && <li className="dim small">and {formatCount(files.length - FILES_SHOWN)} more files</li>}
    </ul>
  );
}

function HuntList({ current, version }: { current: string; version: number }) {
  const list = useAsync((signal) => intelApi.hunts(signal), [version]);
  if (list.status !== 'ok' || list.value.hunts.length === 0) return list.status === 'error' ? <ErrorBox error={list.error} /> : null;
  return (
    <section aria-labelledby="hunts-title">
      <h2 id="hunts-title" className="mini-title">Your hunts</h2>
      <table className="plain" aria-label="Your hunts">
        <thead><tr><th scope="col">Hunt</th><th scope="col">Kind</th><th scope="col">Started</th><th scope="col">Status</th><th scope="col" className="num">Rules</th><th scope="col" className="num">Read</th><th scope="col" className="num">Matching</th></tr></thead>
        <tbody>
          {list.value.hunts.map((h) => (
            <tr key={h.id} className={h.id === current ? 'current' : undefined}>
              <td><Link href={`/hunts?id=${h.id}`} className="mono">{h.id}</Link></td>
              <td>{h.kind === 'yara' ? 'YARA' : 'Suricata'}</td>
              <td className="mono small">{formatTs(h.startedAt).slice(0, 19)}</td>
              <td><span className={`status status-${h.status}`}>{h.status}</span></td>
              <td className="num">{formatCount(h.rules)}</td>
              <td className="num">{formatCount(h.done)}/{formatCount(h.total)}</td>
              <td className="num">{formatCount(h.matches)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
