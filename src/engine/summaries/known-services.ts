/**
 * known_services.log (Zeek's policy/protocols/conn/known-services.zeek): which hosts offer which
 * services on which ports, once per (host, port, transport, services). A service counts when an
 * analyzer confirmed it and the responder answered (TCP: its SYN-ACK or data in the history;
 * UDP: packets from it). Zeek logs local hosts only (LOCAL_HOSTS): so do we when local networks
 * are configured; without them every responder counts, which is what an analyst looking at a
 * capture from elsewhere wants.
 */
import { field, type LogRecord, type LogSchema, type RecordSink } from '../logs/schema.js';
import { LIMITS } from '../support/limits.js';
import { boundedMemo } from './memo.js';

export const KNOWN_SERVICES_LOG: LogSchema = {
  path: 'known_services',
  doc: 'Services hosts were seen offering: host, port, transport and the confirmed protocols (Zeek\'s known_services.log; all responders unless local networks are set).',
  fields: [
    field('ts', 'time', 'Start of the connection that first showed the service.'),
    field('host', 'addr', 'The host offering the service.'),
    field('port_num', 'port', 'Port it is offered on.'),
    field('port_proto', 'enum', 'Transport: tcp or udp.', { plain: true }),
    field('service', 'set[string]', 'Protocols confirmed on it (conn.log service).'),
  ],
};

/** Distinct conn.log service strings whose parse is remembered (analyzer names and their combinations: few). */
const PARSED_SERVICES_MAX = 256;

export class KnownServices {
  private readonly seen = new Set<string>();
  /** conn.log service → its confirmed services, sorted, and joined. */
  private readonly confirmed = boundedMemo(PARSED_SERVICES_MAX, (service) => {
    // Zeek's conn.log service may carry "-" prefixed failed analyzers; only confirmed ones count.
    const list = service.split(',').filter((s) => s !== '' && !s.startsWith('-')).sort();
    return { list, joined: list.join(',') };
  });

  constructor(private readonly sink: RecordSink) {}

  observe(path: string, r: LogRecord): void {
    if (path !== 'conn' || typeof r.service !== 'string' || r.service === '') return;
    if (r.local_resp === false) return; // local networks are set and the responder is outside them
    const history = typeof r.history === 'string' ? r.history : '';
    const answered = r.proto === 'tcp' ? history.includes('h') || history.includes('d') : r.proto === 'udp' && typeof r.resp_pkts === 'number' && r.resp_pkts > 0;
    if (!answered) return;
    const services = this.confirmed(r.service);
    if (services.list.length === 0) return;
    const key = `${r['id.resp_h']} ${r['id.resp_p']} ${r.proto} ${services.joined}`;
    if (this.seen.has(key) || this.seen.size >= LIMITS.knownServicesEntries) return;
    this.seen.add(key);
    this.sink.write(KNOWN_SERVICES_LOG, { ts: r.ts, host: r['id.resp_h'], port_num: r['id.resp_p'], port_proto: r.proto, service: [...services.list] });
  }
}
