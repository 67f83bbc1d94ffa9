/**
 * SIP inspection units (detect/inspection.ts): one per request head with Suricata 7's
 * sip.method, sip.uri (the Request-URI as sent) and sip.user_agent (the User-Agent value).
 */
import type { InspectionUnit } from '../../detect/inspection.js';
import type { SipHead } from './parser.js';

export function sipRequestUnit(h: SipHead, isOrig: boolean): InspectionUnit | undefined {
  if (!h.request || h.method === undefined) return undefined;
  const buffers: Record<string, Buffer> = { 'sip.method': Buffer.from(h.method, 'utf8') };
  if (h.uri !== undefined) buffers['sip.uri'] = Buffer.from(h.uri, 'utf8');
  const ua = h.headers.find(([name]) => name === 'USER-AGENT');
  if (ua) buffers['sip.user_agent'] = Buffer.from(ua[1], 'utf8');
  return { proto: 'sip', isOrig, buffers };
}
