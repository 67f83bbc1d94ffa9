/**
 * What the detection engine inspects, and the one door analyzers pass it through.
 *
 * Suricata evaluates an app-layer rule against one transaction at a time: every sticky buffer a
 * rule names (http.uri AND http.host AND http.user_agent) must match within the same request.
 * An analyzer therefore hands over a whole unit at once: the buffers of one direction of one
 * transaction (an HTTP request, a DNS query, a TLS ClientHello, an SSH banner, a file), when it
 * is complete. Packet payloads and reassembled stream bytes reach the engine from the engine's
 * core, not from analyzers.
 */
import type { ConnInfo } from '../analyzers/analyzer.js';
import type { Conn } from '../flow/conn.js';

/**
 * Sticky buffer names, spelled as Suricata 7 spells the keyword (the legacy content modifiers
 * http_uri, http_host, ... map onto these). A unit carries only the buffers it has.
 */
export type BufferName =
  // HTTP request side
  | 'http.method' | 'http.uri' | 'http.uri.raw' | 'http.protocol' | 'http.request_line'
  | 'http.host' | 'http.host.raw' | 'http.user_agent' | 'http.cookie' | 'http.referer'
  | 'http.accept' | 'http.accept_lang' | 'http.accept_enc' | 'http.connection' | 'http.content_len'
  | 'http.header' | 'http.header.raw' | 'http.header_names' | 'http.request_body'
  // HTTP response side (http.header/http.header.raw/http.content_type/http.content_len too)
  | 'http.stat_code' | 'http.stat_msg' | 'http.response_line' | 'http.server' | 'http.location'
  | 'http.content_type' | 'http.response_body'
  // DNS
  | 'dns.query'
  // TLS
  | 'tls.sni' | 'tls.version' | 'tls.cert_subject' | 'tls.cert_issuer' | 'tls.cert_serial'
  | 'tls.cert_fingerprint' | 'tls.certs' | 'ja3.hash' | 'ja3.string' | 'ja3s.hash' | 'ja3s.string'
  | 'ja4.hash' | 'tls.alpn'
  // SSH
  | 'ssh.proto' | 'ssh.software' | 'ssh.hassh' | 'ssh.hassh.string' | 'ssh.hassh.server'
  | 'ssh.hassh.server.string'
  // files (any protocol that moves files)
  | 'file.data' | 'file.name'
  // SMTP / FTP / others where the analyzers provide them
  | 'smtp.helo' | 'smtp.mail_from' | 'smtp.rcpt_to' | 'ftp.command' | 'ftp.command_data'
  | 'krb5.cname' | 'krb5.sname' | 'sip.method' | 'sip.uri' | 'sip.user_agent'
  // DCE/RPC (proto 'dcerpc'): a call's stub data, request or response, fragments joined
  | 'dce.stub_data';

/** One direction of one application-layer transaction, complete. */
export interface InspectionUnit {
  /** App-layer protocol as rules name it: 'http', 'dns', 'tls', 'ssh', 'smtp', 'ftp', 'file', ... */
  readonly proto: string;
  /** True: the client (originator) sent it (to_server); false: the server did (to_client). */
  readonly isOrig: boolean;
  /**
   * The buffers of this unit. Bytes exactly as the analyzer normalised them (http.uri is the
   * normalised URI, http.uri.raw the one on the wire). http.header is the header block with
   * CRLF-terminated "Name: value" lines, as Suricata builds it.
   * Several values for one buffer (several certificates, several DNS questions, several
   * recipients): an array, and a rule matches if any element matches (Suricata's multi-buffer).
   */
  readonly buffers: Partial<Record<BufferName, Uint8Array | readonly Uint8Array[]>>;
  /**
   * Extra facts some keywords test without a buffer, e.g. file size/md5/sha256/magic for the
   * file.* keywords ({ size, md5, sha1, sha256, mime, magic }), http status as a number.
   */
  readonly facts?: Readonly<Record<string, string | number | undefined>>;
  /** Transaction number within the connection (HTTP trans_depth, DNS trans_id, ...), for EVE. */
  readonly txId?: number;
}

/** Where inspection units go; the detection engine implements it, a no-op when no rules run. */
export interface Inspector {
  /** Whether anything consumes units of this protocol: analyzers skip building them if not. */
  wants(proto: string): boolean;
  /** `flow`: the engine's Conn of this unit (the app layer passes it; per-connection rule state hangs off it). */
  inspect(conn: ConnInfo, unit: InspectionUnit, ts: number, flow?: Conn): void;
}

export const NO_INSPECTOR: Inspector = {
  wants: () => false,
  inspect: () => {},
};
