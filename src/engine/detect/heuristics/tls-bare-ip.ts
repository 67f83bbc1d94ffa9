/**
 * Capdex::TLS_Bare_IP: a TLS session opened without a server name (no SNI), or with an IP
 * address as the name. Browsers and most libraries always send the host name they connect to;
 * implants that were given an address rather than a domain (no DNS trace) do not.
 *
 * Aggregated per (client, server, port). False positives: old or embedded TLS stacks (SSLv3,
 * some Java and IoT clients), connections to resolvers and services addressed by IP by design
 * (DoT to 1.1.1.1), VPN and management tools.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { isIpLiteral } from './domain-names.js';
import { aboutConn, num, str } from './fields.js';

interface Pair { first: LogRecord; sni: string | undefined; uids: CappedSet }

class TlsBareIp implements Heuristic {
  private readonly pairs = new BoundedTable<string, Pair>(LIMITS.heuristicMaxKeys, 'tls-bare-ip pairs');

  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    // A record without a version saw no hello from the server: not a TLS session worth judging.
    if (str(rec, 'version') === undefined) return;
    const sni = str(rec, 'server_name');
    if (sni !== undefined && sni !== '' && !isIpLiteral(sni)) return;
    const pair = this.pairs.upsert(`${str(rec, 'id.orig_h')} ${str(rec, 'id.resp_h')} ${num(rec, 'id.resp_p')}`, () => ({ first: rec, sni, uids: new CappedSet(LIMITS.noticeMaxUids) }), log);
    const uid = str(rec, 'uid');
    if (pair && uid) pair.uids.add(uid);
  }

  finish(log: NoticeLog): void {
    for (const { first: f, sni, uids } of this.pairs.values()) {
      log.notice({
        ts: num(f, 'ts') ?? 0, note: 'Capdex::TLS_Bare_IP',
        msg: `${str(f, 'id.orig_h')} opened TLS to ${str(f, 'id.resp_h')}:${num(f, 'id.resp_p')} ${sni ? `naming the bare IP address ${sni}` : 'without a server name (no SNI)'}`,
        sub: `${uids.count} session(s), version ${str(f, 'version') ?? '-'}, ja3 ${str(f, 'ja3') ?? '-'}`,
        ...aboutConn(f, 'tcp'),
        n: uids.count, uids: uids.items,
      });
    }
  }
}

export const TLS_BARE_IP: HeuristicDescriptor = {
  name: 'tls-bare-ip',
  notes: ['Capdex::TLS_Bare_IP'],
  doc: 'TLS sessions without SNI or with an IP address as SNI: a client that was given an address, not a name. Old or embedded TLS stacks do it too.',
  logs: ['ssl'],
  create: () => new TlsBareIp(),
};
