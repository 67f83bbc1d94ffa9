/**
 * The "Add label" dialog: a kind (family, campaign, actor, category, sector, tag), its value
 * (categories from the server's list), and optional extra tags (comma-separated, each a `tag`
 * label). The server checks and normalises; its reason is shown as it says it.
 */
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { CATEGORIES, LABEL_KINDS, LABEL_VALUE_MAX_CHARS, labelsApi, type LabelKind } from './api.js';

/** Tags typed at once: beyond this many the rest are ignored (a paste accident, not intent). */
const TAGS_PER_SUBMIT_MAX = 16;

export function AddLabelDialog({ open, captureId, onClose, onAdded }: { open: boolean; captureId: string; onClose: () => void; onAdded: () => void }) {
  return (
    <Dialog open={open} title="Add label" onClose={onClose}>
      <AddLabelForm captureId={captureId} onClose={onClose} onAdded={onAdded} />
    </Dialog>
  );
}

function AddLabelForm({ captureId, onClose, onAdded }: { captureId: string; onClose: () => void; onAdded: () => void }) {
  const [kind, setKind] = useState<LabelKind>('family');
  const [value, setValue] = useState('');
  const [tags, setTags] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (value.trim()) await labelsApi.add(captureId, kind, value);
      const extra = tags.split(',').map((t) => t.trim()).filter(Boolean).slice(0, TAGS_PER_SUBMIT_MAX);
      for (const t of extra) await labelsApi.add(captureId, 'tag', t);
      onAdded();
      onClose();
    } catch (err) {
      setError(err as Error);
      onAdded(); // what did land (the first of several) shows
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="label-form">
      <label className="field">
        <span>Kind</span>
        <select value={kind} onChange={(e) => setKind(e.target.value as LabelKind)}>
          {LABEL_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </label>
      <label className="field">
        <span>Value</span>
        {kind === 'category' ? (
          <select value={value} onChange={(e) => setValue(e.target.value)}>
            <option value="">choose…</option>
            {CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        ) : (
          <input type="text" value={value} maxLength={LABEL_VALUE_MAX_CHARS} onChange={(e) => setValue(e.target.value)}
            placeholder={kind === 'family' ? 'emotet' : kind === 'campaign' ? 'epoch4-2024-03' : ''} autoFocus />
        )}
      </label>
      <label className="field">
        <span>Tags (optional, comma-separated)</span>
        <input type="text" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="spam, doc-macro" />
      </label>
      {error && <ErrorBox error={error} />}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" className="primary" disabled={busy || (!value.trim() && !tags.trim())}>{busy ? 'Adding…' : 'Add'}</button>
      </div>
    </form>
  );
}
