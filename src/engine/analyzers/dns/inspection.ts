/**
 * DNS inspection units (detect/inspection.ts): one per message whose question section parsed,
 * with dns.query holding every question name as Suricata 7 gives it (the name's bytes as sent,
 * case kept, labels joined by '.', no trailing dot; at most LIMITS.inspectMaxValues names).
 * isOrig is true for queries (QR clear), false for responses; txId is the message id.
 */
import type { InspectionUnit } from '../../detect/inspection.js';
import { LIMITS } from '../../support/limits.js';
import { DNS_HEADER_LEN, DnsReader, type DnsMessage } from './parser.js';

/** The unit of the message in buf[off, off+len), already parsed as `msg`. */
export function dnsUnit(buf: Buffer, off: number, len: number, netbios: boolean, msg: DnsMessage): InspectionUnit | undefined {
  // The names are read again, case kept: the parser lower-cases them for dns.log (as Zeek).
  const r = new DnsReader(buf, off, off + len, netbios, { weirds: undefined });
  r.pos = off + DNS_HEADER_LEN;
  const names: Buffer[] = [];
  const n = Math.min(msg.qdcount, LIMITS.inspectMaxValues);
  for (let i = 0; i < n; i++) {
    const name = r.nameBytes();
    if (name === undefined || r.end - r.pos < 4) break;
    names.push(name);
    r.pos += 4; // qtype, qclass
  }
  if (names.length === 0) return undefined;
  return {
    proto: 'dns',
    isOrig: !msg.qr,
    buffers: { 'dns.query': names },
    txId: msg.id,
    facts: { opcode: msg.opcode, rcode: msg.rcode, qtype: msg.questions[0]?.qtype },
  };
}
