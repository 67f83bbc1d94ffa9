/**
 * Joins a finding about a server certificate (x509.log has no uid) to the TLS connections that
 * presented it (ssl.log cert_chain_fps[0] is the host certificate's fingerprint). The x509
 * record is written during the handshake, the ssl record when the connection ends, so the
 * certificate comes first. Findings are aggregated per (certificate, server address).
 */
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import type { NoticeLog } from './heuristic.js';
import { BoundedTable, CappedSet } from './bounded-table.js';
import { bool, str, strs } from './fields.js';

export interface CertUse<T> { cert: LogRecord; finding: T; first: LogRecord; uids: CappedSet }

export class HostCertJoin<T> {
  private readonly certs: BoundedTable<string, { cert: LogRecord; finding: T }>;
  private readonly uses: BoundedTable<string, CertUse<T>>;

  constructor(name: string, private readonly judge: (cert: LogRecord) => T | undefined) {
    this.certs = new BoundedTable(LIMITS.heuristicMaxKeys, `${name} certificates`);
    this.uses = new BoundedTable(LIMITS.heuristicMaxKeys, `${name} servers`);
  }

  observe(path: string, rec: LogRecord, log: NoticeLog): void {
    if (path === 'x509') {
      if (bool(rec, 'host_cert') !== true || bool(rec, 'client_cert') === true) return;
      const fp = str(rec, 'fingerprint');
      if (fp === undefined || this.certs.get(fp)) return;
      const finding = this.judge(rec);
      if (finding !== undefined) this.certs.upsert(fp, () => ({ cert: rec, finding }), log);
      return;
    }
    const fp = strs(rec, 'cert_chain_fps')[0];
    if (fp === undefined) return;
    const c = this.certs.get(fp);
    if (!c) return;
    const use = this.uses.upsert(`${fp} ${str(rec, 'id.resp_h')}`, () => ({ cert: c.cert, finding: c.finding, first: rec, uids: new CappedSet(LIMITS.noticeMaxUids) }), log);
    const uid = str(rec, 'uid');
    if (use && uid) use.uids.add(uid);
  }

  found(): IterableIterator<CertUse<T>> {
    return this.uses.values();
  }
}
