/**
 * Capdex::Certificate_Expired and Capdex::Certificate_Not_Valid_Yet: a TLS server presented a
 * host certificate outside its validity period at the time of the capture (not the time of
 * analysis: a capture from 2019 is judged by 2019's clock). Clients that accept such a
 * certificate do not check; servers that present one are abandoned or not what they claim.
 *
 * False positives: captures whose clock is wrong (a device without NTP, a shifted pcap); a
 * not-yet-valid certificate within CERT_CLOCK_SKEW_SECONDS of the capture is ignored for that reason.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { HostCertJoin } from './host-cert-join.js';
import { aboutConn, num, str } from './fields.js';

/** Clock difference tolerated between capture and issuer (freshly issued certificates). */
export const CERT_CLOCK_SKEW_SECONDS = 300;

type Problem = { note: string; what: string };

function judge(c: LogRecord): Problem | undefined {
  const ts = num(c, 'ts');
  const before = num(c, 'certificate.not_valid_before');
  const after = num(c, 'certificate.not_valid_after');
  if (ts === undefined) return undefined;
  if (after !== undefined && ts > after) return { note: 'Capdex::Certificate_Expired', what: `expired ${days(ts - after)} before the capture` };
  if (before !== undefined && ts + CERT_CLOCK_SKEW_SECONDS < before) return { note: 'Capdex::Certificate_Not_Valid_Yet', what: `valid only ${days(before - ts)} after the capture` };
  return undefined;
}

function days(seconds: number): string {
  return seconds >= 86400 ? `${(seconds / 86400).toFixed(1)} days` : `${Math.round(seconds)} s`;
}

function iso(t: number | undefined): string {
  // A certificate's dates can be anything its issuer wrote: out of Date's range is not a crash.
  return t === undefined || !(Math.abs(t) < 8.64e12) ? '-' : new Date(t * 1000).toISOString();
}

class CertValidity implements Heuristic {
  private readonly join = new HostCertJoin<Problem>('cert-validity', judge);

  observe(path: string, rec: LogRecord, log: NoticeLog): void {
    this.join.observe(path, rec, log);
  }

  finish(log: NoticeLog): void {
    for (const u of this.join.found()) {
      const f = u.first;
      log.notice({
        ts: num(f, 'ts') ?? 0, note: u.finding.note,
        msg: `${str(f, 'id.resp_h')}:${num(f, 'id.resp_p')} presented a certificate ${u.finding.what} (${str(u.cert, 'certificate.subject') ?? 'no subject'})`,
        sub: `valid ${iso(num(u.cert, 'certificate.not_valid_before'))} to ${iso(num(u.cert, 'certificate.not_valid_after'))}, seen ${iso(num(u.cert, 'ts'))}; fingerprint ${str(u.cert, 'fingerprint')}`,
        ...aboutConn(f, 'tcp'),
        n: u.uids.count, uids: u.uids.items,
      });
    }
  }
}

export const CERT_VALIDITY: HeuristicDescriptor = {
  name: 'cert-validity',
  notes: ['Capdex::Certificate_Expired', 'Capdex::Certificate_Not_Valid_Yet'],
  doc: 'A TLS server presented a host certificate that had expired, or was not yet valid, at the capture\'s time. A wrong capture clock triggers it too.',
  logs: ['x509', 'ssl'],
  create: () => new CertValidity(),
};
