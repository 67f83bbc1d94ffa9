/**
 * The app-layer object of an EVE alert (http{...}, dns{...}, tls{...}, ssh{...}, fileinfo{...}),
 * built from the inspection unit that matched: only from buffers the unit already carries, so an
 * alert costs no extra parsing. Bytes from the wire become text with wireText (\xNN escapes).
 */
import type { InspectionUnit, BufferName } from './inspection.js';
import { wireText } from '../support/wire-text.js';

function text(unit: InspectionUnit, name: BufferName): string | undefined {
  const v = unit.buffers[name];
  if (v === undefined) return undefined;
  const b = v instanceof Uint8Array ? v : v[0];
  return b === undefined ? undefined : wireText(b, 0, b.length);
}

function texts(unit: InspectionUnit, name: BufferName): string[] | undefined {
  const v = unit.buffers[name];
  if (v === undefined) return undefined;
  if (v instanceof Uint8Array) return [wireText(v, 0, v.length)];
  return v.map((b) => wireText(b, 0, b.length));
}

function fact(unit: InspectionUnit, name: string): string | number | undefined {
  return unit.facts?.[name];
}

/** Request fields of an HTTP request unit (EVE http{...} of the transaction). */
export function httpRequestInfo(unit: InspectionUnit): Record<string, string | undefined> {
  return {
    hostname: text(unit, 'http.host'),
    url: text(unit, 'http.uri.raw') ?? text(unit, 'http.uri'),
    http_user_agent: text(unit, 'http.user_agent'),
    http_method: text(unit, 'http.method'),
    protocol: text(unit, 'http.protocol'),
  };
}

/**
 * EVE objects for an alert on `unit` (keys: http, dns, tls, ssh, fileinfo), or undefined.
 * `lastRequest`: the connection's last HTTP request unit, describing a response of the same txId.
 */
export function unitEve(unit: InspectionUnit, lastRequest: InspectionUnit | undefined): Record<string, unknown> | undefined {
  switch (unit.proto) {
    case 'http': {
      const req = unit.isOrig ? unit : lastRequest !== undefined && lastRequest.txId === unit.txId ? lastRequest : undefined;
      const http: Record<string, unknown> = req ? httpRequestInfo(req) : {};
      if (!unit.isOrig) {
        const status = Number(text(unit, 'http.stat_code'));
        if (Number.isInteger(status)) http.status = status;
        const ct = text(unit, 'http.content_type');
        if (ct !== undefined) http.http_content_type = ct;
        const loc = text(unit, 'http.location');
        if (loc !== undefined) http.redirect = loc;
      }
      return { http: prune(http) };
    }
    case 'dns': {
      const q = texts(unit, 'dns.query');
      return q ? { dns: { query: q.map((rrname) => ({ type: unit.isOrig ? 'query' : 'answer', rrname })) } } : undefined;
    }
    case 'tls': {
      const tls: Record<string, unknown> = {
        sni: text(unit, 'tls.sni'),
        subject: text(unit, 'tls.cert_subject'),
        issuerdn: text(unit, 'tls.cert_issuer'),
        serial: text(unit, 'tls.cert_serial'),
        fingerprint: text(unit, 'tls.cert_fingerprint'),
        version: text(unit, 'tls.version'),
        ja4: text(unit, 'ja4.hash'),
      };
      const ja3 = text(unit, 'ja3.hash');
      if (ja3 !== undefined) tls.ja3 = prune({ hash: ja3, string: text(unit, 'ja3.string') });
      const ja3s = text(unit, 'ja3s.hash');
      if (ja3s !== undefined) tls.ja3s = prune({ hash: ja3s, string: text(unit, 'ja3s.string') });
      return { tls: prune(tls) };
    }
    case 'ssh': {
      const side = prune({ proto_version: text(unit, 'ssh.proto'), software_version: text(unit, 'ssh.software') });
      const hassh = unit.isOrig
        ? prune({ hash: text(unit, 'ssh.hassh'), string: text(unit, 'ssh.hassh.string') })
        : prune({ hash: text(unit, 'ssh.hassh.server'), string: text(unit, 'ssh.hassh.server.string') });
      if (Object.keys(hassh).length > 0) side.hassh = hassh;
      return { ssh: { [unit.isOrig ? 'client' : 'server']: side } };
    }
    case 'file': {
      return {
        fileinfo: prune({
          filename: text(unit, 'file.name'), magic: fact(unit, 'magic') ?? fact(unit, 'mime'), size: fact(unit, 'size'),
          md5: fact(unit, 'md5'), sha1: fact(unit, 'sha1'), sha256: fact(unit, 'sha256'),
        }),
      };
    }
    default:
      return undefined;
  }
}

function prune(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
