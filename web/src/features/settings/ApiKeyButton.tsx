/**
 * The header's API-key control: shows whether a key is active (masked), and a dialog to enter,
 * check and forget it. The key lives in localStorage (api.ts sends it as a Bearer token); it lets
 * this browser submit private captures, see its own private ones, and label captures.
 */
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { checkApiKey } from './api.js';
import { maskKey, setApiKey, useApiKey } from './use-api-key.js';
import './settings.css';

/** A key, drawn (no icon font: nothing is fetched at run time, and system fonts lack the glyph). */
function KeyIcon() {
  return (
    <svg aria-hidden="true" width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" className="key-icon">
      <circle cx="7.5" cy="15.5" r="4.5" />
      <path d="M10.7 12.3 20 3m-4 4 3 3m-5-1 2 2" />
    </svg>
  );
}

export function ApiKeyButton() {
  const key = useApiKey();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={key ? 'key-button active' : 'key-button'} onClick={() => setOpen(true)}
        aria-label={key ? `API key ${maskKey(key)} active: change` : 'No API key: set one'}>
        <KeyIcon /> {key ? <span className="mono">{maskKey(key)}</span> : 'API key'}
      </button>
      <Dialog open={open} title="API key" onClose={() => setOpen(false)}>
        <ApiKeyForm current={key} onDone={() => setOpen(false)} />
      </Dialog>
    </>
  );
}

function ApiKeyForm({ current, onDone }: { current: string | null; onDone: () => void }) {
  const [value, setValue] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    const k = value.trim();
    if (!k) return;
    setChecking(true);
    setError(null);
    try {
      await checkApiKey(k);
      setApiKey(k);
      onDone();
    } catch (err) {
      setError(err as Error);
    } finally {
      setChecking(false);
    }
  }

  return (
    <form onSubmit={save} className="key-form">
      <p className="dim">
        A key lets this browser submit private captures, see them, and add labels. Create one on the server
        with <code>capdex keys add NAME</code>; it is kept in this browser only.
      </p>
      <p role="status">
        {current ? <>Active key: <span className="mono">{maskKey(current)}</span></> : 'No key set: you browse and submit anonymously (public only).'}
      </p>
      <label className="field">
        <span>New key</span>
        <input type="password" autoComplete="off" spellCheck={false} placeholder="cdx_…" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
      </label>
      {error && <ErrorBox error={error} />}
      <div className="dialog-actions">
        {current && <button type="button" onClick={() => { setApiKey(null); onDone(); }}>Forget key</button>}
        <button type="button" onClick={onDone}>Cancel</button>
        <button type="submit" className="primary" disabled={checking || !value.trim()}>{checking ? 'Checking…' : 'Check and save'}</button>
      </div>
    </form>
  );
}
