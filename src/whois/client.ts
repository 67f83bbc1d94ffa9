/**
 * An RFC 3912 whois client: connect to port 43, send the query and CRLF, read until the server
 * closes. The answer is hostile text: at most WHOIS_ANSWER_MAX_BYTES are kept, it is decoded as
 * UTF-8 (invalid bytes replaced) and control characters other than newline and tab are dropped,
 * so what reaches the API and the browser is plain text of bounded size.
 */
import { connect } from 'node:net';
import { WHOIS_ANSWER_MAX_BYTES, WHOIS_TIMEOUT_MS } from './limits.js';

export interface WhoisServer {
  host: string;
  port: number;
}

export interface RawAnswer {
  text: string;
  truncated: boolean;
}

export class WhoisError extends Error {
  constructor(readonly reason: 'timeout' | 'connect' | 'empty', message: string) {
    super(message);
  }
}

/** Plain text: CR removed, control characters (but \n and \t) and DEL dropped. */
export function plainText(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** One query to one server. Rejects with a WhoisError on timeout, refused connection or an empty answer. */
export function queryServer(server: WhoisServer, query: string, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<RawAnswer> {
  const timeoutMs = opts.timeoutMs ?? WHOIS_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? WHOIS_ANSWER_MAX_BYTES;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let settled = false;
    const socket = connect({ host: server.host, port: server.port });
    const finish = (err?: WhoisError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      const text = plainText(Buffer.concat(chunks, size));
      if (text.trim() === '') return reject(new WhoisError('empty', `${server.host} sent an empty answer`));
      resolve({ text, truncated });
    };
    const timer = setTimeout(() => finish(new WhoisError('timeout', `${server.host} did not answer within ${timeoutMs} ms`)), timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(`${query}\r\n`));
    socket.on('data', (d: Buffer) => {
      const room = maxBytes - size;
      if (d.length >= room) {
        // Enough: keep what fits and hang up rather than read a hostile server's endless answer.
        if (room > 0) { chunks.push(d.subarray(0, room)); size += room; }
        truncated = true;
        finish();
        return;
      }
      chunks.push(d);
      size += d.length;
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (e) => finish(size > 0 ? undefined : new WhoisError('connect', `${server.host}:${server.port}: ${e.message}`)));
  });
}
