/**
 * Sticky buffers (`http.uri; content:...`) and the legacy content modifiers that map onto them
 * (`content:...; http_uri;`). A sticky buffer switches where the following payload keywords look;
 * a legacy modifier moves the content just before it. Suricata 7 spellings; inspection.ts lists
 * what the analyzers provide.
 */
import type { BufferName } from '../inspection.js';
import type { BufferDirection, BufferKey } from '../rules/rule.js';
import type { KeywordDescriptor } from './keyword.js';
import { KeywordError } from './keyword.js';

interface BufferInfo {
  readonly direction: BufferDirection;
  /** Fast-pattern priority: a narrow buffer (uri, host, sni) beats a wide one (header, body) beats payload. */
  readonly priority: number;
}

const req = { direction: 'toServer', priority: 3 } as const;
const resp = { direction: 'toClient', priority: 3 } as const;
const both = { direction: 'both', priority: 3 } as const;
const wideReq = { direction: 'toServer', priority: 2 } as const;
const wideResp = { direction: 'toClient', priority: 2 } as const;
const wideBoth = { direction: 'both', priority: 2 } as const;

export const BUFFERS: Readonly<Record<BufferKey, BufferInfo>> = {
  payload: { direction: 'both', priority: 1 },
  'http.method': req, 'http.uri': req, 'http.uri.raw': req, 'http.protocol': both, 'http.request_line': req,
  'http.host': req, 'http.host.raw': req, 'http.user_agent': req, 'http.cookie': both, 'http.referer': req,
  'http.accept': req, 'http.accept_lang': req, 'http.accept_enc': req, 'http.connection': both,
  'http.content_len': both, 'http.header': wideBoth, 'http.header.raw': wideBoth, 'http.header_names': wideBoth,
  'http.request_body': wideReq,
  'http.stat_code': resp, 'http.stat_msg': resp, 'http.response_line': resp, 'http.server': resp,
  'http.location': resp, 'http.content_type': both, 'http.response_body': wideResp,
  'dns.query': req,
  'tls.sni': req, 'tls.version': both, 'tls.cert_subject': resp, 'tls.cert_issuer': resp,
  'tls.cert_serial': resp, 'tls.cert_fingerprint': resp, 'tls.certs': resp, 'ja3.hash': req, 'ja3.string': req,
  'ja3s.hash': resp, 'ja3s.string': resp, 'ja4.hash': req, 'tls.alpn': both,
  'ssh.proto': both, 'ssh.software': both, 'ssh.hassh': req, 'ssh.hassh.string': req,
  'ssh.hassh.server': resp, 'ssh.hassh.server.string': resp,
  'file.data': wideBoth, 'file.name': both,
  'smtp.helo': req, 'smtp.mail_from': req, 'smtp.rcpt_to': req, 'ftp.command': req, 'ftp.command_data': req,
  'krb5.cname': both, 'krb5.sname': both, 'sip.method': req, 'sip.uri': req, 'sip.user_agent': req,
  'dce.stub_data': wideBoth,
};

/** Buffers that are also value keywords (`tls.version:1.2`): sticky only without a value. */
const VALUE_TOO = new Set(['tls.version']);

/** Legacy content modifiers (Suricata <= 4 style) and the sticky buffer each means. */
export const LEGACY_MODIFIERS: Readonly<Record<string, BufferName>> = {
  http_uri: 'http.uri', http_raw_uri: 'http.uri.raw', http_header: 'http.header',
  http_raw_header: 'http.header.raw', http_client_body: 'http.request_body',
  http_server_body: 'http.response_body', http_host: 'http.host', http_raw_host: 'http.host.raw',
  http_method: 'http.method', http_cookie: 'http.cookie', http_user_agent: 'http.user_agent',
  http_stat_code: 'http.stat_code', http_stat_msg: 'http.stat_msg', http_header_names: 'http.header_names',
  http_accept: 'http.accept', http_accept_lang: 'http.accept_lang', http_accept_enc: 'http.accept_enc',
  http_referer: 'http.referer', http_connection: 'http.connection', http_content_type: 'http.content_type',
  http_content_len: 'http.content_len', http_protocol: 'http.protocol', http_request_line: 'http.request_line',
  http_response_line: 'http.response_line', http_server: 'http.server', http_location: 'http.location',
  dns_query: 'dns.query', ja3_hash: 'ja3.hash', ja3_string: 'ja3.string', ja3s_hash: 'ja3s.hash',
  ja3s_string: 'ja3s.string', tls_sni: 'tls.sni', tls_cert_subject: 'tls.cert_subject',
  tls_cert_issuer: 'tls.cert_issuer', tls_cert_serial: 'tls.cert_serial',
  tls_cert_fingerprint: 'tls.cert_fingerprint', ssh_proto: 'ssh.proto', ssh_software: 'ssh.software',
  file_data: 'file.data',
};

/** Other sticky spellings. */
const STICKY_ALIASES: Readonly<Record<string, BufferKey>> = {
  pkt_data: 'payload', 'http.request_header': 'http.header', 'http.response_header': 'http.header',
  'http.start': 'http.request_line', 'ssh.hasshserver': 'ssh.hassh.server',
  'dns.queries.rrname': 'dns.query',
  'tls.cert_issuer.raw': 'tls.cert_issuer', 'http.uri.normalized': 'http.uri',
};

/** Legacy names that were sticky buffers before they were modifiers (decided by position). */
const STICKY_LEGACY = new Set(['file_data', 'dns_query', 'tls_sni', 'tls_cert_subject', 'tls_cert_issuer',
  'tls_cert_serial', 'tls_cert_fingerprint', 'ssh_proto', 'ssh_software', 'ja3_hash', 'ja3s_hash', 'ja3_string', 'ja3s_string']);

function sticky(name: string, buffer: BufferKey): KeywordDescriptor {
  return {
    name,
    docs: `sticky buffer: following payload keywords inspect ${buffer}`,
    value: VALUE_TOO.has(name) ? 'optional' : 'none',
    parse(value, rule) {
      if (value !== undefined) throw new KeywordError(`${name} takes no value`);
      rule.setBuffer(buffer);
    },
  };
}

function legacy(name: string, buffer: BufferName): KeywordDescriptor {
  return {
    name,
    docs: `legacy content modifier: the preceding content inspects ${buffer}`,
    value: 'none',
    parse(_value, rule) {
      // Right after a content (or one of its modifiers) it is a modifier; elsewhere the old sticky form.
      if (rule.lastWasContentFamily()) rule.moveLastContentTo(buffer);
      else if (STICKY_LEGACY.has(name)) rule.setBuffer(buffer);
      else throw new KeywordError(`${name} must follow a content`);
    },
  };
}

export const BUFFER_KEYWORDS: readonly KeywordDescriptor[] = [
  ...Object.keys(BUFFERS).filter((b) => b !== 'payload' && !VALUE_TOO.has(b)).map((b) => sticky(b, b as BufferKey)),
  ...Object.entries(STICKY_ALIASES).map(([n, b]) => sticky(n, b)),
  ...Object.entries(LEGACY_MODIFIERS).map(([n, b]) => legacy(n, b)),
];
