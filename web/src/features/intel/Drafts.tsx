/**
 * Signature drafts as a table (a capture's, in the console; a label's, in the archive): what each
 * rule matches, its hits across the archive — labelled captures confirm it, unlabelled ones are
 * unknown, benign ones are false positives, and for a label its own captures against the rest —
 * the rule text with a copy button, "copy all", the .rules download and the list files the
 * file-hash rules read. Rule text holds capture data: React text only.
 */
import { useState } from 'react';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatCount } from '../../lib/format.js';
import { downloadWithKey } from '../browse/api.js';
import type { DraftSet } from './api.js';

export function CopyButton({ text, label, children }: { text: string; label: string; children?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" className="ghost small copy-button" aria-label={label}
      onClick={() => { void navigator.clipboard?.writeText(text).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1200); }, () => undefined); }}>
      {copied ? 'copied' : children ?? 'copy'}
    </button>
  );
}

/** `rulesFile`: the .rules download; `withKey`: fetch it with the API key (private captures). */
export function Drafts({ set, rulesFile, fileName, withKey, what }: { set: DraftSet; rulesFile: string; fileName: string; withKey: boolean; what: string }) {
  const [error, setError] = useState<Error | null>(null);
  const { rules, lists } = set;
  if (rules.length === 0) return <p className="dim">Nothing distinguishing to draft a rule from (no DNS names, HTTP hosts or URIs, TLS SNI, JA3/JA4 or file hashes{what === 'capture' ? '' : ' common to its captures and rare elsewhere'}).</p>;
  const all = rules.map((r) => r.rule).join('\n') + '\n';
  const listNames = Object.keys(lists);
  const ofLabel = rules.some((r) => r.hits?.inLabel !== undefined);
  return (
    <div className="drafts">
      <div className="drafts-head">
        <p className="dim small">
          Suricata rules for this {what}'s distinguishing observables, with the stored captures each would hit: labelled ones
          confirm it, unlabelled ones are unknown traffic, benign ones are false positives.
        </p>
        <CopyButton text={all} label={`Copy all drafts of this ${what}`}>copy all</CopyButton>
        {withKey
          ? <button type="button" className="plain-button small" onClick={() => { setError(null); downloadWithKey(rulesFile, fileName).catch((e: Error) => setError(e)); }}>download .rules</button>
          : <a className="plain-button small" href={rulesFile} download={fileName}>download .rules</a>}
      </div>
      {error && <ErrorBox error={error} />}
      {listNames.length > 0 && <p className="dim small">File-hash rules read a list file (below): save it beside the rules as {listNames.map((n, i) => <span key={n}>{i > 0 && ', '}<code className="mono">{n}</code></span>)}.</p>}
      <table className="plain drafts-table" aria-label={`Signature drafts of this ${what}`}>
        <thead>
          <tr>
            <th scope="col">Matches</th>
            <th scope="col" className="num" title="Stored captures it would hit">Hits</th>
            {ofLabel && <th scope="col" className="num" title="Of which carry this label">In label</th>}
            <th scope="col" className="num">Labelled</th><th scope="col" className="num">Unlabelled</th><th scope="col" className="num">Benign</th>
            <th scope="col">Rule</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => {
            const h = r.hits ?? { captures: 0, labelled: 0, unlabelled: 0, benign: 0 };
            return (
              <tr key={r.sid} className={h.benign > 0 ? 'risky' : undefined}>
                <td className="draft-what"><span className="shared-kind">{r.kind}</span><span className="mono draft-value">{r.value}</span></td>
                <td className="num">{formatCount(h.captures)}</td>
                {ofLabel && <td className="num">{formatCount(h.inLabel ?? 0)}</td>}
                <td className="num">{formatCount(h.labelled)}</td>
                <td className="num">{formatCount(h.unlabelled ?? h.captures - h.labelled)}</td>
                <td className={h.benign > 0 ? 'num bad' : 'num'}>{formatCount(h.benign)}</td>
                <td className="draft-rule">
                  <code className="mono">{r.rule}</code>
                  <CopyButton text={r.rule} label={`Copy rule ${r.sid}`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {listNames.map((n) => (
        <details key={n} className="draft-list">
          <summary className="small">List file <code className="mono">{n}</code> ({lists[n].split('\n').filter(Boolean).length} hashes)</summary>
          <pre className="mono small">{lists[n]}</pre>
          <CopyButton text={lists[n]} label={`Copy list ${n}`} />
        </details>
      ))}
    </div>
  );
}
