/**
 * PostgreSQL COPY text format (one row a line, columns tab-separated, `\N` for NULL): the fastest
 * way into PostgreSQL (pg-copy-streams), ~3x multi-row INSERTs. Values go through encodeText /
 * encodeJson first, so NUL never reaches the wire; this file only escapes COPY's own specials.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { PoolClient } from 'pg';

const SPECIAL = /[\\\n\r\t]/;

/** A text value escaped for COPY text format (backslash, newline, carriage return, tab). */
export function copyText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    out += c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : c;
  }
  return out;
}

/** A nullable text column. */
export function copyOptText(s: string | null | undefined): string {
  return s === null || s === undefined ? '\\N' : copyText(s);
}

/** A double precision column; NaN and infinities (never in valid records) become NULL. */
export function copyNumber(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : '\\N';
}

/** Streams `pieces` of COPY text (whole lines, UTF-8) into `COPY table (columns) FROM STDIN` on the client. */
export async function copyInto(client: PoolClient, table: string, columns: readonly string[], pieces: AsyncIterable<Buffer>): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(pieces), stream);
}
