/**
 * Capdex::Long_Connection: a connection that lasted LONG_CONNECTION_SECONDS or more (Zeek's
 * policy/frameworks/notice/... long-connections package uses the same idea). Interactive
 * backdoors, tunnels and exfiltration channels stay open; most application traffic does not.
 *
 * One notice per connection, when its conn.log record is written. False positives: VPNs, SSH
 * sessions, database and message-queue links, streaming, WebSockets, BGP.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { aboutConn, num, str } from './fields.js';

/** One hour. */
export const LONG_CONNECTION_SECONDS = 3600;

class LongConnection implements Heuristic {
  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    const d = num(rec, 'duration');
    if (d === undefined || d < LONG_CONNECTION_SECONDS) return;
    log.notice({
      ts: num(rec, 'ts') ?? 0, note: 'Capdex::Long_Connection',
      msg: `${str(rec, 'id.orig_h')} kept a ${str(rec, 'service') ?? str(rec, 'proto') ?? ''} connection to ${str(rec, 'id.resp_h')}:${num(rec, 'id.resp_p')} open for ${(d / 3600).toFixed(1)} h`,
      sub: `duration ${d.toFixed(0)} s (>= ${LONG_CONNECTION_SECONDS}); ${num(rec, 'orig_bytes') ?? 0} bytes out, ${num(rec, 'resp_bytes') ?? 0} bytes in; state ${str(rec, 'conn_state') ?? '-'}`,
      ...aboutConn(rec),
    });
  }

  finish(): void {}
}

export const LONG_CONNECTION: HeuristicDescriptor = {
  name: 'long-connection',
  notes: ['Capdex::Long_Connection'],
  doc: 'A connection open for an hour or more: backdoors, tunnels, exfiltration channels. VPNs, SSH sessions and streaming too.',
  logs: ['conn'],
  create: () => new LongConnection(),
};
