/**
 * Capdex::Self_Signed_Cert: a TLS server presented a self-signed host certificate (x509.log
 * self_signed: issuer equals subject and the signature verifies with the certificate's own key).
 * No public CA vouches for such a server; malware C2 servers, phishing kits and interception
 * tools generate their own.
 *
 * False positives: internal services, appliances, printers and development servers commonly run
 * with self-signed certificates; a notice there is an inventory item, not an incident.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { HostCertJoin } from './host-cert-join.js';
import { aboutConn, bool, num, str } from './fields.js';

class SelfSignedCert implements Heuristic {
  private readonly join = new HostCertJoin<true>('self-signed-cert', (c) => (bool(c, 'self_signed') === true ? true : undefined));

  observe(path: string, rec: LogRecord, log: NoticeLog): void {
    this.join.observe(path, rec, log);
  }

  finish(log: NoticeLog): void {
    for (const u of this.join.found()) {
      const f = u.first;
      log.notice({
        ts: num(f, 'ts') ?? 0, note: 'Capdex::Self_Signed_Cert',
        msg: `${str(f, 'id.resp_h')}:${num(f, 'id.resp_p')} presented a self-signed certificate (${str(u.cert, 'certificate.subject') ?? 'no subject'})`,
        sub: `fingerprint ${str(u.cert, 'fingerprint')}, issuer ${str(u.cert, 'certificate.issuer') ?? '-'}, SNI ${str(f, 'server_name') ?? '-'}`,
        ...aboutConn(f, 'tcp'),
        n: u.uids.count, uids: u.uids.items,
      });
    }
  }
}

export const SELF_SIGNED_CERT: HeuristicDescriptor = {
  name: 'self-signed-cert',
  notes: ['Capdex::Self_Signed_Cert'],
  doc: 'A TLS server presented a self-signed host certificate. Common on internal services and appliances.',
  logs: ['x509', 'ssl'],
  create: () => new SelfSignedCert(),
};
