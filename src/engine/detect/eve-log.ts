/**
 * EVE alerts: the record shape Suricata writes to eve.json (event_type "alert"), so tools that read
 * Suricata's output read ours. Records are nested JSON documents (`alert{...}`, `http{...}`), not
 * flat Zeek rows: the schema is marked `document`, and the file sink writes it to `eve.json` as JSON
 * lines whatever the log format. We add `uid` so an alert pivots to the Zeek logs (FORMATS.md).
 *
 * Anything that raises an alert (the rule engine, YARA on files) builds it with `eveAlert()`.
 */
import { type LogSchema, field } from '../logs/schema.js';

export const EVE_LOG: LogSchema = {
  path: 'eve',
  doc: 'Suricata-style EVE events (alerts), one JSON document per line in eve.json.',
  document: true,
  fields: [
    field('timestamp', 'string', 'Capture time of the packet or transaction that raised the event, ISO 8601 with offset (Suricata: 2009-11-24T21:27:09.534255+0000).'),
    field('flow_id', 'count', 'Identifier of the connection, stable across runs (derived from the uid).'),
    field('pcap_cnt', 'count', 'Frame number of the packet in the capture (tshark frame.number), when a packet raised the event.'),
    field('event_type', 'string', 'Always "alert" here.'),
    field('src_ip', 'addr', 'Source address as of the packet or transaction direction (the client for a request, the server for a response).'),
    field('src_port', 'port', 'Source port (ICMP: absent).'),
    field('dest_ip', 'addr', 'Destination address as of the packet or transaction direction.'),
    field('dest_port', 'port', 'Destination port (ICMP: absent).'),
    field('proto', 'string', 'Transport protocol as Suricata names it: TCP, UDP, ICMP, IPv6-ICMP, or the IP protocol number.'),
    field('app_proto', 'string', 'Application protocol of the connection (http, dns, tls, ...), when known.'),
    field('direction', 'string', '"to_server" or "to_client": which side of the connection sent what matched.'),
    field('community_id', 'string', 'Community ID v1 of the connection: joins other tools\' records.'),
    field('tx_id', 'count', 'Transaction number within the connection, as the analyzer numbers it (HTTP: trans_depth).'),
    field('uid', 'string', 'Zeek uid of the connection: joins conn.log, http.log, ...'),
    field('alert.action', 'string', '"allowed" (alert rules) or "blocked" (drop/reject rules; capdex never blocks, it reports what a sensor would have done).'),
    field('alert.gid', 'count', 'Generator id: 1 for rules, 3 for YARA matches on files.'),
    field('alert.signature_id', 'count', 'Rule sid.'),
    field('alert.rev', 'count', 'Rule revision.'),
    field('alert.signature', 'string', 'The rule\'s msg.'),
    field('alert.category', 'string', 'Description of the rule\'s classtype (classification.config).'),
    field('alert.severity', 'count', 'Priority: 1 (high) to 4 (low); from the rule\'s priority, else its classtype\'s.'),
    field('alert.metadata', 'string', 'The rule\'s metadata as an object of key → [values].'),
    field('flow', 'string', 'Connection counters at alert time: pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient, start.'),
    field('http', 'string', 'For HTTP transactions: hostname, url, http_user_agent, http_method, status, ...'),
    field('dns', 'string', 'For DNS messages: query[{type, rrname}].'),
    field('tls', 'string', 'For TLS handshakes: sni, subject, issuerdn, serial, fingerprint, version, ja3{hash,string}, ja3s{hash,string}, ja4.'),
    field('ssh', 'string', 'For SSH: client{proto_version, software_version} or server{...}, hassh.'),
    field('fileinfo', 'string', 'For files: filename, magic, size, md5, sha1, sha256.'),
  ],
};

/** The alert object of an EVE alert record. */
export interface EveAlertInfo {
  action: 'allowed' | 'blocked';
  gid: number;
  signature_id: number;
  rev: number;
  signature: string;
  category: string;
  severity: number;
  metadata?: Record<string, string[]>;
}

/** Where the alert happened: a connection seen from the side that sent what matched. */
export interface EveEndpoints {
  uid: string;
  /** The client (originator) and server (responder), formatted. */
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  communityId: string;
  /** True: the client sent what matched (src = client). */
  isOrig: boolean;
  /** 'tcp' | 'udp' | 'icmp' | an IP protocol number. */
  transport: string | number;
  /** Ports make no sense (ICMP, other IP protocols): src_port/dest_port are left out. */
  noPorts?: boolean;
}

export interface EveAlertInput {
  ts: number;
  where: EveEndpoints;
  alert: EveAlertInfo;
  flowId?: number;
  pcapCnt?: number;
  appProto?: string;
  txId?: number;
  /** App-layer objects (http, dns, tls, ssh, fileinfo) and flow counters, copied as given. */
  extra?: Record<string, unknown>;
}

/** Builds one EVE alert record (a nested document, keys in Suricata's order). */
export function eveAlert(a: EveAlertInput): Record<string, unknown> {
  const w = a.where;
  const rec: Record<string, unknown> = {
    timestamp: eveTimestamp(a.ts),
    flow_id: a.flowId ?? eveFlowId(w.uid),
  };
  if (a.pcapCnt !== undefined) rec.pcap_cnt = a.pcapCnt;
  rec.event_type = 'alert';
  rec.src_ip = w.isOrig ? w.origH : w.respH;
  if (!w.noPorts) rec.src_port = w.isOrig ? w.origP : w.respP;
  rec.dest_ip = w.isOrig ? w.respH : w.origH;
  if (!w.noPorts) rec.dest_port = w.isOrig ? w.respP : w.origP;
  rec.proto = eveProto(w.transport);
  if (a.appProto) rec.app_proto = a.appProto;
  rec.direction = w.isOrig ? 'to_server' : 'to_client';
  rec.community_id = w.communityId;
  if (a.txId !== undefined) rec.tx_id = a.txId;
  rec.uid = w.uid;
  const al = a.alert;
  const alert: Record<string, unknown> = {
    action: al.action, gid: al.gid, signature_id: al.signature_id, rev: al.rev,
    signature: al.signature, category: al.category, severity: al.severity,
  };
  if (al.metadata && Object.keys(al.metadata).length > 0) alert.metadata = al.metadata;
  rec.alert = alert;
  if (a.extra) for (const k in a.extra) if (a.extra[k] !== undefined) rec[k] = a.extra[k];
  return rec;
}

/** Suricata's protocol names in EVE. */
export function eveProto(t: string | number): string {
  switch (t) {
    case 'tcp': case 6: return 'TCP';
    case 'udp': case 17: return 'UDP';
    case 'icmp': case 1: return 'ICMP';
    case 'icmp6': case 58: return 'IPv6-ICMP';
    case 132: return 'SCTP';
    default: return String(t);
  }
}

/** The date and time part of the last second formatted: alerts and flows come in bursts. */
let lastSecond = -1;
let lastSecondText = '';

/** "2009-11-24T21:27:09.534255+0000", UTC, microseconds, as Suricata writes it. */
export function eveTimestamp(ts: number): string {
  if (!Number.isFinite(ts) || ts < 0) ts = 0;
  let sec = Math.floor(ts);
  let usec = Math.round((ts - sec) * 1e6);
  if (usec >= 1e6) { sec++; usec -= 1e6; }
  if (sec !== lastSecond) {
    // Years past 9999 would not fit ISO 8601's four digits: pcap seconds are 32 bits, so they cannot occur.
    lastSecondText = new Date(sec * 1000).toISOString().slice(0, 19);
    lastSecond = sec;
  }
  return lastSecondText + '.' + String(usec).padStart(6, '0') + '+0000';
}

/**
 * Suricata's flow_id is an opaque 64-bit number; ours is a 53-bit hash of the uid (exact in JSON
 * and JavaScript), so it is the same in every run over the same capture and in every record of one
 * connection.
 */
export function eveFlowId(uid: string): number {
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < uid.length; i++) {
    const c = uid.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return (h1 >>> 11) * 2 ** 32 + (h2 >>> 0);
}
