/**
 * One submission's staged view: the stage steps (uploading → queued → reading → analysing →
 * indexing → done), upload progress (bytes, %, speed), the job's live counters, the first
 * records as they come, and at the end "Open analysis". Refusals show the server's reason and code;
 * a capture the server already analysed offers it, or a re-analysis.
 */
import { Link } from 'wouter';
import { ApiRequestError } from '../../api.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatBytes, formatCount } from '../../lib/format.js';
import { LivePreview } from './LivePreview.js';
import { STAGES, stageOf, submissions, type Stage, type Submission } from './queue.js';

const STAGE_TEXT: Record<Stage, string> = {
  uploading: 'Uploading', queued: 'Queued', reading: 'Reading', analysing: 'Analysing', indexing: 'Indexing', done: 'Done',
};

const pct = (done: number, total: number): number => (total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** The stage the submission is at. */
function currentStage(s: Submission): Stage {
  // A refusal (or a broken connection) happens while the bytes go up: no job was ever made.
  if (s.phase === 'waiting' || s.phase === 'uploading' || !s.job) return s.phase === 'existing' ? 'done' : 'uploading';
  if (s.phase === 'existing') return 'done';
  return s.job ? stageOf(s.job) : 'queued';
}

function StageSteps({ s }: { s: Submission }) {
  const current = currentStage(s);
  const at = STAGES.indexOf(current);
  const broken = s.phase === 'failed' || s.phase === 'refused';
  return (
    <ol className="stages" aria-label="Stages">
      {STAGES.map((stage, i) => {
        const state = broken && i === at ? 'failed' : i < at || (stage === 'done' && current === 'done') ? 'done' : i === at ? 'current' : 'pending';
        const t = s.reached[stage];
        return (
          <li key={stage} className={`stage ${state}`} data-state={state} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="stage-dot" aria-hidden="true">{state === 'done' ? '✓' : state === 'failed' ? '!' : i + 1}</span>
            <span className="stage-name">{STAGE_TEXT[stage]}</span>
            {t !== undefined && <span className="stage-time dim">+{seconds(t)}</span>}
          </li>
        );
      })}
    </ol>
  );
}

function Counters({ s }: { s: Submission }) {
  if (s.phase === 'waiting') return <p className="dim">Waiting for the uploads before it.</p>;
  if (s.phase === 'uploading') {
    const p = pct(s.sent, s.total);
    return (
      <div className="counters">
        <progress max={100} value={p} aria-label="Upload progress">{p}%</progress>
        <dl>
          <div><dt>Sent</dt><dd>{formatBytes(s.sent)} of {formatBytes(s.total)}</dd></div>
          <div><dt>Progress</dt><dd>{p}%</dd></div>
          <div><dt>Speed</dt><dd>{formatBytes(s.speed)}/s</dd></div>
        </dl>
      </div>
    );
  }
  const p = s.job?.progress;
  if (!p) return null;
  const readPct = s.job?.status === 'done' ? 100 : pct(p.bytesDone, p.totalBytes);
  // Nothing measurable yet (waiting for a worker, starting it) or indexing (all bytes read, the
  // store writing): an indeterminate bar says "working" where a still one would say "stuck".
  const stage = currentStage(s);
  const indeterminate = (stage === 'queued' || stage === 'reading') ? p.bytesDone === 0 : stage === 'indexing';
  return (
    <div className="counters">
      {indeterminate
        ? <progress aria-label="Analysis progress" />
        : <progress max={100} value={readPct} aria-label="Analysis progress">{readPct}%</progress>}
      <dl>
        <div><dt>Read</dt><dd>{formatBytes(p.bytesDone)} of {formatBytes(p.totalBytes)} ({readPct}%)</dd></div>
        <div><dt>Packets</dt><dd data-counter="packets">{formatCount(p.packets)}</dd></div>
        <div><dt>Records</dt><dd data-counter="records">{formatCount(p.records)}</dd></div>
        <div><dt>Alerts</dt><dd data-counter="alerts" className={p.alerts > 0 ? 'alerting' : undefined}>{formatCount(p.alerts)}</dd></div>
      </dl>
    </div>
  );
}

function Outcome({ s }: { s: Submission }) {
  const id = s.answer?.id;
  const href = id ? `/captures/${id}` : undefined;
  switch (s.phase) {
    case 'done':
      return (
        <div className="outcome ok" role="status">
          <span>Analysis done.</span>
          {href && <Link href={href} className="open-link">Open analysis →</Link>}
        </div>
      );
    case 'existing':
      return (
        <div className="outcome" role="status">
          <span>Already analysed{s.job?.finishedAt ? ` (${new Date(s.job.finishedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : ''}.</span>
          {href && <Link href={href} className="open-link">Open analysis →</Link>}
          <button type="button" onClick={() => submissions.reanalyse(s.key)}>Re-analyse</button>
        </div>
      );
    case 'refused':
      return (
        <div className="outcome bad">
          <span className="dim">Refused by the server{s.error instanceof ApiRequestError ? ` (HTTP ${s.error.status})` : ''}:</span>
          {s.error && <ErrorBox error={s.error} />}
        </div>
      );
    case 'failed':
      return (
        <div className="outcome bad">
          {s.error && <ErrorBox error={s.error} />}
          {id && <button type="button" onClick={() => submissions.reanalyse(s.key)}>Try again</button>}
        </div>
      );
    default:
      return null;
  }
}

export function SubmissionCard({ s }: { s: Submission }) {
  const status = s.job?.status;
  const finished = s.phase === 'done' || s.phase === 'existing' || s.phase === 'failed' || s.phase === 'refused';
  return (
    <article className={`submission phase-${s.phase}`} data-phase={s.phase} data-stage={currentStage(s)} aria-label={`Submission ${s.name ?? s.file.name}`}>
      <header className="submission-head">
        <h2 className="submission-name">{s.name ?? s.file.name}</h2>
        <span className="dim">{formatBytes(s.file.size)}{s.visibility === 'private' ? ' · private' : ''}</span>
        {s.answer && <span className="mono dim sha" title="SHA-256">{s.answer.id.slice(0, 16)}…</span>}
        {finished && (
          <button type="button" className="dismiss" aria-label={`Dismiss ${s.name ?? s.file.name}`} onClick={() => submissions.dismiss(s.key)}>✕</button>
        )}
      </header>
      <StageSteps s={s} />
      <p className="sr-only" aria-live="polite">{STAGE_TEXT[currentStage(s)]}</p>
      <Counters s={s} />
      <Outcome s={s} />
      {s.answer && status && s.phase !== 'refused' && <LivePreview captureId={s.answer.id} status={status} />}
    </article>
  );
}
