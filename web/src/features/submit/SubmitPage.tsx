/**
 * Submit (`/`): drop or pick capture files, choose a name and visibility, then watch each one go
 * through its stages with live counters and its first records (SubmissionCard). Several files
 * queue up and upload one after the other.
 */
import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useApiKey } from '../settings/use-api-key.js';
import { FILES_PER_DROP_MAX, submissions, useSubmissions } from './queue.js';
import { SubmissionCard } from './SubmissionCard.js';
import './submit.css';

export default function SubmitPage() {
  const key = useApiKey();
  const items = useSubmissions();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const effectiveVisibility = key ? visibility : 'public';

  function take(list: FileList | null) {
    const files = list ? Array.from(list) : [];
    if (files.length === 0) return;
    submissions.add(files, { name, visibility: effectiveVisibility });
    setName('');
    if (input.current) input.current.value = '';
  }

  const pick = () => input.current?.click();
  const onKey = (e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } };
  const onDrop = (e: DragEvent) => { e.preventDefault(); setDragging(false); take(e.dataTransfer.files); };

  return (
    <section className="submit-page" aria-labelledby="submit-title">
      <h1 id="submit-title">Analyse a capture</h1>
      <p className="dim lede">pcap or pcapng (gzip'd is fine). Capdex reads it, writes Zeek-style logs and Suricata-style alerts, and indexes everything for search and pivots.</p>

      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        role="button" tabIndex={0} aria-describedby="dropzone-help"
        aria-label="Choose capture files, or drop them here"
        onClick={pick} onKeyDown={onKey}
        onDragEnter={(e) => { e.preventDefault(); setDragging(true); }}
        onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; }}
        onDragLeave={(e) => { if (e.currentTarget === e.target) setDragging(false); }}
        onDrop={onDrop}
      >
        <span className="dropzone-icon" aria-hidden="true">⇪</span>
        <strong>Drop capture files here</strong>
        <span id="dropzone-help" className="dim">or press Enter to choose — up to {FILES_PER_DROP_MAX} at once, analysed in order</span>
        <input ref={input} type="file" multiple hidden accept=".pcap,.pcapng,.cap,.gz,.pcap.gz,.pcapng.gz,application/vnd.tcpdump.pcap"
          aria-label="Capture files" onChange={(e) => take(e.target.files)} />
      </div>

      <div className="submit-options">
        <label className="field">
          <span>Name (optional, for a single file)</span>
          <input type="text" value={name} maxLength={255} onChange={(e) => setName(e.target.value)} placeholder="the file's own name" />
        </label>
        <fieldset className="visibility">
          <legend>Visibility</legend>
          <label><input type="radio" name="visibility" value="public" checked={effectiveVisibility === 'public'} onChange={() => setVisibility('public')} /> Public</label>
          <label><input type="radio" name="visibility" value="private" checked={effectiveVisibility === 'private'} disabled={!key}
            aria-describedby="private-help" onChange={() => setVisibility('private')} /> Private</label>
          <span id="private-help" className="dim">
            {key ? 'Private: only your API key (and admins) can see it.' : 'Private needs an API key: set one with the "API key" button in the header.'}
          </span>
        </fieldset>
      </div>

      {items.length > 0 && (
        <div className="queue" aria-label="Submissions">
          {items.map((s) => <SubmissionCard key={s.key} s={s} />)}
        </div>
      )}
    </section>
  );
}
