/**
 * JA4 for QUIC (FoxIO JA4 spec: the first character is the transport, 'q' for QUIC): the ssl
 * analyzer's JA4 parts with the QUIC marker, hashed as JA4 hashes them.
 */
import { createHash } from 'node:crypto';
import type { ClientHello } from '../ssl/hello.js';
import { ja4Raw } from '../ssl/fingerprints.js';

function sha12(s: string): string {
  return s === '' ? '000000000000' : createHash('sha256').update(s).digest('hex').slice(0, 12);
}

export function quicJa4(h: ClientHello): string {
  const r = ja4Raw(h);
  return `q${r.a.slice(1)}_${sha12(r.b)}_${sha12(r.c)}`;
}
