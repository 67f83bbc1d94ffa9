/**
 * A capture's labels as chips (kind: value), each a link to Browse by that label; with an API key,
 * "Add label" (kind, value, extra tags) and remove. Used wherever a capture is shown:
 * `<Labels captureId={id} />`. Label values are user text: rendered as React text only.
 */
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ErrorBox } from '../../components/ErrorBox.js';
import { useApiKey } from '../settings/use-api-key.js';
import { labelsApi, type Label } from './api.js';
import { AddLabelDialog } from './AddLabelDialog.js';
import './labels.css';

/** Window event (detail: the capture id) telling every <Labels> of that capture to reload. */
export const LABELS_CHANGED = 'capdex:labels-changed';

type State = { status: 'loading' } | { status: 'ok'; labels: Label[] } | { status: 'error'; error: Error };

export function Labels({ captureId, captureName, compact = false }: { captureId: string; captureName?: string; compact?: boolean }) {
  const key = useApiKey();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [adding, setAdding] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  // Labels added elsewhere on the page (a suggestion accepted in the console) announce themselves.
  useEffect(() => {
    const onChanged = (e: Event) => { if ((e as CustomEvent<string>).detail === captureId) reload(); };
    window.addEventListener(LABELS_CHANGED, onChanged);
    return () => window.removeEventListener(LABELS_CHANGED, onChanged);
  }, [captureId, reload]);

  useEffect(() => {
    const ac = new AbortController();
    labelsApi.list(captureId, ac.signal).then(
      (r) => { if (!ac.signal.aborted) setState({ status: 'ok', labels: r.labels }); },
      (error: Error) => { if (!ac.signal.aborted) setState({ status: 'error', error }); },
    );
    return () => ac.abort();
  }, [captureId, key, version]);

  async function remove(l: Label) {
    setActionError(null);
    try {
      await labelsApi.remove(captureId, l.id);
      reload();
    } catch (e) {
      setActionError(e as Error);
    }
  }

  const what = captureName ? ` to ${captureName}` : '';
  return (
    <div className={compact ? 'labels compact' : 'labels'}>
      {state.status === 'loading' && <span className="dim">…</span>}
      {state.status === 'error' && <ErrorBox error={state.error} />}
      {state.status === 'ok' && (
        <ul className="label-list" aria-label={captureName ? `Labels of ${captureName}` : 'Labels'}>
          {state.labels.length === 0 && !compact && <li className="dim">No labels yet.</li>}
          {state.labels.map((l) => (
            <li key={l.id} className={`label-chip kind-${l.kind}`}>
              <Link href={`/browse?label=${encodeURIComponent(l.value)}`} title={`Browse captures labelled ${l.value}`}>
                <span className="label-kind">{l.kind}</span> {l.value}
              </Link>
              {key && (
                <button type="button" className="label-remove" aria-label={`Remove label ${l.kind} ${l.value}`} onClick={() => void remove(l)}>×</button>
              )}
            </li>
          ))}
          {key && (
            <li>
              <button type="button" className="label-add" onClick={() => setAdding(true)} aria-label={`Add label${what}`}>
                {compact ? '+' : '+ Add label'}
              </button>
            </li>
          )}
        </ul>
      )}
      {actionError && <ErrorBox error={actionError} />}
      <AddLabelDialog open={adding} captureId={captureId} onClose={() => setAdding(false)} onAdded={reload} />
    </div>
  );
}
