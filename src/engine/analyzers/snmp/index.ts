/**
 * The SNMP analyzer (UDP 161 and 162, Zeek's SNMP::ports; and a strict probe on any other UDP
 * port): snmp.log, one record per connection written when it ends, as
 * base/protocols/snmp/main.zeek does.
 *
 * Community strings are credentials. Zeek logs them in the clear; here they are logged as "***"
 * unless the analyzers are created with `snmpAnalyzers({ showCredentials: true })`.
 *
 * Deliberate differences from Zeek (SNMP analyzer in binpac):
 * - A variable binding whose name is not an OBJECT IDENTIFIER (or is otherwise malformed) ends
 *   the list with weird SNMP_bad_varbind; only the bindings before it are counted. Zeek's ASN.1
 *   types do not check tags and count it.
 * - A message whose header parses but whose PDU does not (lengths running past their parent,
 *   as in every v3 message of snmp-v3-rawip4.pcap) still counts for the session's version and
 *   community, with weird SNMP_malformed_PDU; Zeek's binpac throws and the message is lost.
 * - A message that is not BER (or not SNMP's layout) is weird SNMP_malformed and a violation
 *   before the first good message; a version other than 0, 1, 3 is SNMP_unknown_header_version
 *   (Zeek raises snmp_unknown_header_version) and, like Zeek, starts no record.
 */
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer, ProbeResult } from '../analyzer.js';
import { PDU, parseSnmp, type SnmpMessage } from './parser.js';
import { ParsedDatagrams } from '../parsed-datagrams.js';
import { SNMP_LOG } from './snmp-log.js';

export interface SnmpOptions {
  /** Log community strings as they are (Zeek's behaviour) instead of "***". */
  showCredentials?: boolean;
}

const VERSIONS: Record<number, string> = { 0: '1', 1: '2c', 3: '3' };
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

class SnmpDatagram implements DatagramAnalyzer {
  private readonly front: ParsedDatagrams<SnmpMessage>;
  private rec: Record<string, unknown> | undefined;

  constructor(private readonly ctx: AnalyzerContext, private readonly opts: SnmpOptions) {
    this.front = new ParsedDatagrams(ctx, parseSnmp);
  }

  packet(_isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const m = this.front.accept(buf, off, len);
    if (!m) return;
    this.front.confirm();
    this.update(m);
  }

  /** Zeek's init_state and the per-PDU event handlers. */
  private update(m: SnmpMessage): void {
    const now = this.ctx.now();
    const rec = (this.rec ??= {
      ts: now, ...this.ctx.connFields(), version: VERSIONS[m.version],
      get_requests: 0, get_bulk_requests: 0, get_responses: 0, set_requests: 0,
    });
    if (rec.community === undefined && m.community !== undefined) rec.community = this.opts.showCredentials ? m.community : '***';
    rec.duration = now - (rec.ts as number);
    const n = m.bindings.length;
    switch (m.pduTag) {
      case PDU.GetRequest: case PDU.GetNextRequest: rec.get_requests = (rec.get_requests as number) + n; break;
      case PDU.GetBulkRequest: rec.get_bulk_requests = (rec.get_bulk_requests as number) + n; break;
      case PDU.SetRequest: rec.set_requests = (rec.set_requests as number) + n; break;
      case PDU.Response:
        rec.get_responses = (rec.get_responses as number) + n;
        for (const b of m.bindings) {
          if (b.oid === SYS_DESCR && b.octets !== undefined) rec.display_string = b.octets;
          else if (b.oid === SYS_UPTIME && b.unsigned !== undefined) rec.up_since = now - b.unsigned / 100;
        }
        break;
    }
  }

  done(): void {
    if (this.rec) this.ctx.log(SNMP_LOG, this.rec);
    this.rec = undefined;
  }
}

/**
 * A whole datagram that parses as SNMP v1/v2c/v3 with a known PDU type and ends exactly where
 * its outer SEQUENCE does: strong evidence, cheap to check (one bounded pass).
 */
function probe(_isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult {
  if (transport !== 'udp' || len < 2 || buf[off] !== 0x30) return 'no';
  const r = parseSnmp(buf, off, len);
  if ('error' in r || r.msg.weirds) return 'no';
  const m = r.msg;
  if (!m.encrypted && (m.pduTag === undefined || m.pduTag < PDU.GetRequest || m.pduTag > PDU.Report)) return 'no';
  // The outer length must account for the whole datagram.
  const l = buf[off + 1];
  const n = l & 0x80 ? l & 0x7f : 0;
  let body = l;
  if (n) { body = 0; for (let i = 0; i < n; i++) body = body * 256 + buf[off + 2 + i]; }
  return 2 + n + body === len ? 'yes' : 'no';
}

/**
 * The SNMP analyzers: one claims the well-known ports without asking (so malformed messages
 * there are reported, as Zeek does), the other recognises SNMP on any other UDP port by probe.
 */
export function snmpAnalyzers(opts: SnmpOptions = {}): AnalyzerDescriptor[] {
  const createDatagram = (ctx: AnalyzerContext) => new SnmpDatagram(ctx, opts);
  return [
    { name: 'snmp', udpPorts: [161, 162], createDatagram },
    { name: 'snmp', probe, probeAnyPort: true, createDatagram },
  ];
}

export const SNMP_ANALYZERS: readonly AnalyzerDescriptor[] = snmpAnalyzers();
