/**
 * Capdex::Port_Protocol_Mismatch: a connection whose protocol, as the analyzers recognised it
 * from its bytes (conn.log service), is not the one its server port is registered for: HTTP on
 * 443, TLS on 80, SSH on 8080, IRC on 443. Tunnels and C2 pick ports a firewall leaves open;
 * detection by content rather than port is what makes this visible.
 *
 * Only services with a table of usual ports (STANDARD_PORTS: IANA assignments plus common
 * alternates) are judged; for a multi-service connection (smtp,ssl after STARTTLS) the first one
 * is. Aggregated per (service, server, port).
 *
 * False positives: services moved to another port on purpose (SSH on 2200, web apps on 8090),
 * development servers; they are listed once per server port, so an inventory stays short.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { aboutConn, num, str } from './fields.js';

/** Usual server ports per conn.log service name. */
export const STANDARD_PORTS: Readonly<Record<string, readonly number[]>> = {
  http: [80, 81, 591, 631, 1080, 3128, 5985, 8000, 8008, 8080, 8081, 8088, 8888, 9080],
  ssl: [443, 465, 563, 585, 614, 636, 853, 989, 990, 992, 993, 994, 995, 3269, 4443, 5061, 5223, 5986, 8443, 8883, 9443, 10443],
  dns: [53, 137, 5353, 5355],
  ssh: [22, 2222],
  ftp: [21, 2811],
  smtp: [25, 465, 587, 2525],
  pop3: [110],
  imap: [143],
  irc: [6660, 6661, 6662, 6663, 6664, 6665, 6666, 6667, 6668, 6669, 6697, 7000],
  mysql: [3306],
  ntp: [123],
  dhcp: [67, 68, 546, 547, 4011],
  snmp: [161, 162],
  syslog: [514, 601, 6514],
  sip: [5060, 5061],
  radius: [1812, 1813, 1645, 1646],
  krb: [88],
  krb_tcp: [88],
  modbus: [502],
  dnp3: [20000],
  quic: [443, 784, 853, 8443],
  telnet: [23],
  rlogin: [513],
};

const STANDARD: ReadonlyMap<string, ReadonlySet<number>> = new Map(Object.entries(STANDARD_PORTS).map(([s, p]) => [s, new Set(p)]));

interface Group { first: LogRecord; service: string; uids: CappedSet }

class PortMismatch implements Heuristic {
  private readonly groups = new BoundedTable<string, Group>(LIMITS.heuristicMaxKeys, 'port-mismatch servers');

  observe(_path: string, rec: LogRecord, log: NoticeLog): void {
    const services = str(rec, 'service');
    const port = num(rec, 'id.resp_p');
    if (services === undefined || port === undefined) return;
    const comma = services.indexOf(',');
    const service = comma < 0 ? services : services.slice(0, comma);
    const usual = STANDARD.get(service);
    if (usual === undefined || usual.has(port)) return;
    const g = this.groups.upsert(`${service} ${str(rec, 'id.resp_h')} ${port}`, () => ({ first: rec, service, uids: new CappedSet(LIMITS.noticeMaxUids) }), log);
    const uid = str(rec, 'uid');
    if (g && uid) g.uids.add(uid);
  }

  finish(log: NoticeLog): void {
    for (const { first: f, service, uids } of this.groups.values()) {
      const port = num(f, 'id.resp_p') ?? 0;
      const owner = Object.keys(STANDARD_PORTS).find((s) => s !== service && STANDARD.get(s)!.has(port));
      log.notice({
        ts: num(f, 'ts') ?? 0, note: 'Capdex::Port_Protocol_Mismatch',
        msg: `${service.toUpperCase()} on port ${port}/${str(f, 'proto') ?? '?'} of ${str(f, 'id.resp_h')}${owner ? `, a port usual for ${owner.toUpperCase()}` : ', not a port usual for it'}`,
        sub: `usual ports for ${service}: ${STANDARD_PORTS[service].join(' ')}; conn.log service ${str(f, 'service')}; ${uids.count} connection(s)`,
        ...aboutConn(f),
        n: uids.count, uids: uids.items,
      });
    }
  }
}

export const PORT_MISMATCH: HeuristicDescriptor = {
  name: 'port-mismatch',
  notes: ['Capdex::Port_Protocol_Mismatch'],
  doc: 'A protocol recognised by content on a server port not usual for it (HTTP on 443, TLS on 80, SSH on 8080). Services deliberately moved to other ports trigger it.',
  logs: ['conn'],
  create: () => new PortMismatch(),
};
