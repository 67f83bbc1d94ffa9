/**
 * Export buttons (STIX 2.1 bundle, MISP event, CSV IOC list) for a capture or a label. Plain links
 * let the browser stream a public export; with `withKey` (a private capture, or a label that may
 * include the key's private captures) the file is fetched with the API key instead.
 */
import { useState } from 'react';
import { ErrorBox } from '../../components/ErrorBox.js';
import { downloadWithKey } from '../browse/api.js';
import { EXPORTS } from './api.js';

export function Exports({ hrefOf, fileStem, name, withKey }: { hrefOf: (format: string) => string; fileStem: string; name: string; withKey: boolean }) {
  const [error, setError] = useState<Error | null>(null);
  return (
    <div className="exports" role="group" aria-label={`Export indicators of ${name}`}>
      <span className="dim small">Export</span>
      {EXPORTS.map((x) => {
        const href = hrefOf(x.format);
        const label = `Export ${name} as ${x.text}`;
        return withKey ? (
          <button key={x.format} type="button" className="download" title={x.title} aria-label={label}
            onClick={() => { setError(null); downloadWithKey(href, `${fileStem}.${x.ext}`).catch((e: Error) => setError(e)); }}>{x.text}</button>
        ) : <a key={x.format} className="download" href={href} download={`${fileStem}.${x.ext}`} title={x.title} aria-label={label}>{x.text}</a>;
      })}
      {error && <ErrorBox error={error} />}
    </div>
  );
}
