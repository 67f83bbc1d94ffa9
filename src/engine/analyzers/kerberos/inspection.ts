/**
 * Kerberos inspection units (detect/inspection.ts): one per message that names a principal,
 * with Suricata 7's krb5.cname / krb5.sname as multi-buffers holding each name-string part
 * ("host", "server.example"), taken from the names as the parser formats them (Zeek's form
 * keeps up to three parts). isOrig: requests (AS-REQ, TGS-REQ, AP-REQ) true, replies and
 * errors false. facts: msg_type, error_code.
 */
import type { BufferName, InspectionUnit } from '../../detect/inspection.js';
import { MSG, type KrbMessage } from './parser.js';

const parts = (name: string) => name.split('/').map((p) => Buffer.from(p, 'utf8'));

export function krbUnit(m: KrbMessage): InspectionUnit | undefined {
  if (m.clientName === undefined && m.serviceName === undefined) return undefined;
  const buffers: Partial<Record<BufferName, readonly Uint8Array[]>> = {};
  if (m.clientName !== undefined && m.clientName !== 'unknown') buffers['krb5.cname'] = parts(m.clientName);
  if (m.serviceName !== undefined && m.serviceName !== 'unknown') buffers['krb5.sname'] = parts(m.serviceName);
  const isOrig = m.type === MSG.AS_REQ || m.type === MSG.TGS_REQ || m.type === MSG.AP_REQ;
  return { proto: 'krb5', isOrig, buffers, facts: { msg_type: m.type, error_code: m.errorCode } };
}
