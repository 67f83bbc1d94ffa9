/**
 * One click from an intel observable (a feature kind and value, src/store/intel/features.ts) to
 * the captures holding it: a pivot for the kinds the observables index holds, a search for the
 * derived ones (URI patterns, JA3+SNI pairs, alert signatures, services, ports). The value is
 * capture data: it is shown as React text and only ever enters a URL through encodeURIComponent.
 */
import { Link } from 'wouter';
import { searchFor } from '../../lib/classify.js';

/** Feature kinds that are also pivot types (GET /api/pivot/{type}/{value}). */
const PIVOT_KINDS = new Set(['ip', 'domain', 'user_agent', 'md5', 'sha1', 'sha256', 'ja3', 'ja3s', 'ja4', 'hassh', 'hasshServer', 'cert_fp', 'email', 'filename']);

/** A query word with the query language's special characters escaped (src/store/query/lexer.ts). */
const escapeWord = (s: string): string => s.replace(/[\\*?()|":\s]/g, (c) => `\\${c}`);

/** A URI pattern (`/gate.php/{n}`) as a wildcard search on http.uri: each generalised part is `*`. */
export function uriPatternQuery(pattern: string): string {
  const parts = pattern.split(/\{(?:n|hex|b64)\}/);
  return `http.uri:${parts.map(escapeWord).join('*')}*`;
}

/** Where a (kind, value) leads: a pivot or search path inside the UI. */
export function observableHref(kind: string, value: string): string {
  if (PIVOT_KINDS.has(kind)) return `/pivot/${kind}/${encodeURIComponent(value)}`;
  let q: string;
  switch (kind) {
    case 'uri': q = uriPatternQuery(value); break;
    case 'alert': q = searchFor('alert.signature', value); break;
    case 'ja3sni': {
      const bar = value.indexOf('|');
      q = bar < 0 ? searchFor('', value) : `${searchFor('ssl.ja3', value.slice(0, bar))} AND ${searchFor('ssl.server_name', value.slice(bar + 1))}`;
      break;
    }
    case 'service': q = `log:conn ${searchFor('conn.service', value)}`; break;
    case 'port': {
      const [proto, port] = value.split('/');
      q = /^\d+$/.test(port ?? '') ? `log:conn ${searchFor('conn.proto', proto)} id.resp_p:${port}` : searchFor('', value);
      break;
    }
    default: q = searchFor('', value);
  }
  return `/search?q=${encodeURIComponent(q)}`;
}

export function ObservableLink({ kind, value, className }: { kind: string; value: string; className?: string }) {
  const pivot = PIVOT_KINDS.has(kind);
  return (
    <Link href={observableHref(kind, value)} className={className ?? 'obs-link mono'}
      title={pivot ? `Other captures with this ${kind}` : `Search the records for this ${kind}`}>
      {value}
    </Link>
  );
}
