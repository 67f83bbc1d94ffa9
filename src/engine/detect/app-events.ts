/**
 * app-layer-event: Suricata's parser anomaly events, raised from our analyzers' weirds.
 *
 * Our analyzers report anomalies the way Zeek does, as weirds with Zeek's names
 * (`HTTP_header_without_colon`, `SSL_malformed_certificate`, `DNS_label_too_long`); Suricata's
 * rules ask for its own event names (`app-layer-event:http.request_field_missing_colon`). This
 * table maps a weird onto the Suricata event only where both mean the same anomaly; a weird that
 * names no side (most HTTP and SMTP ones) maps per direction, the side being the one whose packet
 * raised it. Events with no counterpart here make their rules unsupported (`capdex rules check`
 * lists them as `app-layer-event:<name>`), so nobody believes a rule runs that never could.
 *
 * The mapping (weird → event, to server / to client):
 *   HTTP_header_without_colon        → http.request_field_missing_colon / http.response_field_missing_colon
 *   HTTP_bad_header_name             → http.request_header_invalid / http.response_header_invalid
 *   HTTP_continuation_without_header → http.invalid_request_field_folding / http.invalid_response_field_folding
 *   HTTP_bad_chunk_size              → http.invalid_request_chunk_len / http.invalid_response_chunk_len
 *   HTTP_bad_content_length          → http.invalid_content_length_field_in_request / ..._in_response
 *   HTTP_line_too_long               → http.request_field_too_long / http.response_field_too_long
 *   HTTP_too_many_headers            → http.request_too_many_headers / http.response_too_many_headers
 *   bad_HTTP_request                 → http.request_line_invalid (to server)
 *   HTTP_response_before_request     → http.unable_to_match_response_to_request (to client)
 *   HTTP_decompression_failure       → http.gzip_decompression_failed (either side)
 *   HTTP_decompression_limit         → http.compression_bomb (either side)
 *   SSL_malformed_certificate, x509_certificate_parsing_failed → tls.invalid_certificate
 *   SSL_malformed_client_hello, SSL_malformed_server_hello     → tls.invalid_handshake_message
 *   SSL_handshake_message_too_large  → tls.handshake_invalid_length
 *   DNS_truncated_*, DNS_label_*, DNS_name_too_many_pointers, DNS_NAME_too_long,
 *   DNS_RR_length_mismatch, DNS_TXT_char_str_past_rdlen → dns.malformed_data (the side that sent it)
 *   smtp_bad_reply                   → smtp.invalid_reply (to client)
 *   smtp_unmatched_reply             → smtp.unable_to_match_reply_with_request (to client)
 *   smtp_line_too_long               → smtp.max_command_line_len_exceeded / smtp.max_reply_line_len_exceeded
 *
 * An event is raised once per connection (weird.log, too, logs a name once per connection): a
 * rule for it alerts at most once per connection (Suricata's tls and smtp event rules say the
 * same of themselves; its http ones fire once per transaction).
 */

/** The InspectionUnit.proto of event units (their only content is the fact below). */
export const APP_EVENT_UNIT = 'app-layer-event';
/** Unit facts: the Suricata event name, and the app-layer protocol that raised it. */
export const EVENT_FACT = 'event';
export const EVENT_PROTO_FACT = 'app_proto';

interface EventMapping {
  /** Suricata's protocol name of the event (as in `alert <proto>`). */
  readonly proto: string;
  /** The event name without the protocol, per side; undefined: that side has none. */
  readonly toServer: string | undefined;
  readonly toClient: string | undefined;
}

const both = (proto: string, name: string): EventMapping => ({ proto, toServer: name, toClient: name });
const sides = (proto: string, toServer: string | undefined, toClient: string | undefined): EventMapping => ({ proto, toServer, toClient });

const DNS_MALFORMED = [
  'DNS_truncated_len_lt_hdr_len', 'DNS_truncated_quest_too_short', 'DNS_truncated_ans_too_short',
  'DNS_truncated_RR_rdlength_lt_len', 'DNS_label_too_long', 'DNS_label_len_gt_pkt', 'DNS_label_len_gt_name_len',
  'DNS_label_forward_compress_offset', 'DNS_name_too_many_pointers', 'DNS_NAME_too_long', 'DNS_RR_length_mismatch',
  'DNS_TXT_char_str_past_rdlen',
];

/** Weird name → the Suricata event it stands for. */
export const APP_EVENTS: ReadonlyMap<string, EventMapping> = new Map<string, EventMapping>([
  ['HTTP_header_without_colon', sides('http', 'request_field_missing_colon', 'response_field_missing_colon')],
  ['HTTP_bad_header_name', sides('http', 'request_header_invalid', 'response_header_invalid')],
  ['HTTP_continuation_without_header', sides('http', 'invalid_request_field_folding', 'invalid_response_field_folding')],
  ['HTTP_bad_chunk_size', sides('http', 'invalid_request_chunk_len', 'invalid_response_chunk_len')],
  ['HTTP_bad_content_length', sides('http', 'invalid_content_length_field_in_request', 'invalid_content_length_field_in_response')],
  ['HTTP_line_too_long', sides('http', 'request_field_too_long', 'response_field_too_long')],
  ['HTTP_too_many_headers', sides('http', 'request_too_many_headers', 'response_too_many_headers')],
  ['bad_HTTP_request', sides('http', 'request_line_invalid', undefined)],
  ['HTTP_response_before_request', sides('http', undefined, 'unable_to_match_response_to_request')],
  ['HTTP_decompression_failure', both('http', 'gzip_decompression_failed')],
  ['HTTP_decompression_limit', both('http', 'compression_bomb')],
  ['SSL_malformed_certificate', both('tls', 'invalid_certificate')],
  ['x509_certificate_parsing_failed', both('tls', 'invalid_certificate')],
  ['SSL_malformed_client_hello', both('tls', 'invalid_handshake_message')],
  ['SSL_malformed_server_hello', both('tls', 'invalid_handshake_message')],
  ['SSL_handshake_message_too_large', both('tls', 'handshake_invalid_length')],
  ...DNS_MALFORMED.map((w): [string, EventMapping] => [w, both('dns', 'malformed_data')]),
  ['smtp_bad_reply', sides('smtp', undefined, 'invalid_reply')],
  ['smtp_unmatched_reply', sides('smtp', undefined, 'unable_to_match_reply_with_request')],
  ['smtp_line_too_long', sides('smtp', 'max_command_line_len_exceeded', 'max_reply_line_len_exceeded')],
]);

/** Every `proto.event` some weird raises: the names app-layer-event accepts. */
export const KNOWN_APP_EVENTS: ReadonlySet<string> = new Set(
  [...APP_EVENTS.values()].flatMap((m) => [m.toServer, m.toClient].filter((n): n is string => n !== undefined).map((n) => `${m.proto}.${n}`)),
);

/** The `proto.event` a weird raises on the given side, or undefined. */
export function appEventOf(weird: string, isOrig: boolean): { event: string; proto: string } | undefined {
  const m = APP_EVENTS.get(weird);
  const name = m === undefined ? undefined : isOrig ? m.toServer : m.toClient;
  return name === undefined ? undefined : { event: `${m!.proto}.${name}`, proto: m!.proto };
}
