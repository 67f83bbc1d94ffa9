/**
 * Capdex::Large_Outbound_Transfer: a local host sent LARGE_OUTBOUND_BYTES or more in one
 * connection to a host outside: the shape of data exfiltration. "Local" is conn.log local_orig
 * when --local-nets is set (and the responder must then not be local); otherwise a private
 * (RFC 1918, RFC 4193, CGNAT, link-local) originator talking to a public responder.
 *
 * One notice per connection. False positives: backups to cloud storage, uploads to file
 * sharing, video calls and screen sharing, software publishing.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { NetworkSet } from '../../support/networks.js';
import { parseAddr } from '../../support/addr.js';
import { aboutConn, bool, num, str } from './fields.js';

/** 100 MiB sent by the originator. */
export const LARGE_OUTBOUND_BYTES = 100 * 1024 * 1024;

/** Addresses that are never "outside": private, shared (CGNAT), loopback, link-local, ULA. */
const PRIVATE = new NetworkSet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', 'fc00::/7', 'fe80::/10', '::1/128']);

export function isPrivate(addr: string): boolean {
  const w = parseAddr(addr);
  return w !== undefined && PRIVATE.contains(w[0], w[1], w[2], w[3]);
}

/** Whether the connection goes from inside to outside, by local_orig/local_resp if set, else by address. */
export function outbound(rec: LogRecord): boolean {
  const lo = bool(rec, 'local_orig');
  if (lo !== undefined) return lo && bool(rec, 'local_resp') !== true;
  const o = str(rec, 'id.orig_h');
  const r = str(rec, 'id.resp_h');
  return o !== undefined && r !== undefined && isPrivate(o) && !isPrivate(r);
}

class LargeOutbound implements Heuristic {
  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    const sent = num(rec, 'orig_bytes');
    if (sent === undefined || sent < LARGE_OUTBOUND_BYTES || !outbound(rec)) return;
    log.notice({
      ts: num(rec, 'ts') ?? 0, note: 'Capdex::Large_Outbound_Transfer',
      msg: `${str(rec, 'id.orig_h')} sent ${(sent / 1048576).toFixed(1)} MiB to ${str(rec, 'id.resp_h')}:${num(rec, 'id.resp_p')} (${str(rec, 'service') ?? str(rec, 'proto') ?? ''})`,
      sub: `orig_bytes ${sent} (>= ${LARGE_OUTBOUND_BYTES}), resp_bytes ${num(rec, 'resp_bytes') ?? 0}, duration ${(num(rec, 'duration') ?? 0).toFixed(0)} s; local by ${bool(rec, 'local_orig') !== undefined ? 'local_orig' : 'private to public address'}`,
      ...aboutConn(rec), n: sent,
    });
  }

  finish(): void {}
}

export const LARGE_OUTBOUND: HeuristicDescriptor = {
  name: 'large-outbound',
  notes: ['Capdex::Large_Outbound_Transfer'],
  doc: 'A local host sent 100 MiB or more to an outside host in one connection: possible exfiltration. Backups and uploads look the same.',
  logs: ['conn'],
  create: () => new LargeOutbound(),
};
