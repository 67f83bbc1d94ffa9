/**
 * A capture's downloads (pcap, files zip "infected", logs zip). Public captures: plain links, so
 * the browser streams them. Private ones: fetched with the API key (downloadWithKey).
 */
import { useState } from 'react';
import { capturePath } from '../../api.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { DOWNLOADS, downloadWithKey } from './api.js';

export function Downloads({ captureId, name, isPrivate }: { captureId: string; name: string; isPrivate: boolean }) {
  const [error, setError] = useState<Error | null>(null);
  return (
    <span className="downloads">
      {DOWNLOADS.map((d) => {
        const href = capturePath(captureId, d.rest);
        const label = `Download ${d.text} of ${name}`;
        return isPrivate ? (
          <button key={d.rest} type="button" className="download" title={d.title} aria-label={label}
            onClick={() => { setError(null); downloadWithKey(href, `${captureId}${d.rest === '/pcap' ? '.pcap' : `-${d.rest.slice(1)}`}`).catch((e: Error) => setError(e)); }}>
            {d.text}
          </button>
        ) : (
          <a key={d.rest} className="download" href={href} download title={d.title} aria-label={label}>{d.text}</a>
        );
      })}
      {error && <ErrorBox error={error} />}
    </span>
  );
}
