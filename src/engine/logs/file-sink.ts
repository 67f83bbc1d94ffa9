/**
 * Writes records to `DIR/<path>.log`, JSON lines or Zeek TSV, batching writes so a million
 * records cost a few hundred system calls. Document schemas (EVE) go to `DIR/<path>.json` as JSON.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogRecord, LogSchema, RecordSink } from './schema.js';
import { jsonEncoder, type JsonLineEncoder } from './json-writer.js';
import { tsvHeader, tsvLine, tsvTrailer } from './tsv-writer.js';

export type LogFormat = 'json' | 'tsv';

/** Bytes buffered per log before a write(2). */
const BUFFER_BYTES = 1 << 20;

/**
 * Buffer's native UTF-8 encoder (`buf.utf8Write(str, offset)`, the method `buf.write` ends in
 * after checking its optional arguments and the encoding name). Not in Node's documentation but
 * on Buffer.prototype in every release we support (Node 20); every log line goes through here, and
 * `write`'s argument handling was about 2 % of a full analysis. Returns the bytes written.
 */
const utf8Write = (Buffer.prototype as unknown as { utf8Write(this: Buffer, s: string, offset: number): number }).utf8Write;
if (typeof utf8Write !== 'function') throw new Error('Buffer.prototype.utf8Write is missing: this Node.js release is not supported');

interface OpenLog {
  fd: number;
  /** Encoded lines not yet written: each line is encoded straight into this buffer, so no long
   *  string is ever built (those cost more in GC than the encoding itself). */
  buf: Buffer;
  used: number;
  records: number;
  /** A document schema (EVE): JSON lines in <path>.json, no TSV header. */
  document: boolean;
  /** The schema's JSON line encoder (format json), looked up once per log rather than per record. */
  json: JsonLineEncoder | undefined;
}

export class FileSink implements RecordSink {
  private readonly logs = new Map<string, OpenLog>();
  private readonly openedAt = new Date();

  constructor(private readonly dir: string, private readonly format: LogFormat = 'json') {
    mkdirSync(dir, { recursive: true });
  }

  /** Creates the log file now (with its header in TSV) even if no record ever comes. */
  ensure(schema: LogSchema): void {
    this.open(schema);
  }

  write(schema: LogSchema, record: LogRecord): void {
    const log = this.open(schema);
    const line = log.document ? JSON.stringify(record) + '\n' : log.json !== undefined ? log.json(record) : tsvLine(schema, record);
    this.append(log, line);
    log.records++;
  }

  /** Record counts per log path. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.logs].map(([k, v]) => [k, v.records]));
  }

  close(): void {
    for (const log of this.logs.values()) {
      if (this.format === 'tsv' && !log.document) this.append(log, tsvTrailer(new Date()));
      this.flushOne(log);
      closeSync(log.fd);
    }
    this.logs.clear();
  }

  private open(schema: LogSchema): OpenLog {
    let log = this.logs.get(schema.path);
    if (!log) {
      // The name comes from our own schema, never from traffic.
      const document = schema.document === true;
      const fd = openSync(join(this.dir, document ? `${schema.path}.json` : `${schema.path}.log`), 'w');
      const json = this.format === 'json' && !document ? jsonEncoder(schema) : undefined;
      log = { fd, buf: Buffer.allocUnsafe(BUFFER_BYTES), used: 0, records: 0, document, json };
      this.logs.set(schema.path, log);
      if (this.format === 'tsv' && !document) this.append(log, tsvHeader(schema, this.openedAt));
    }
    return log;
  }

  private append(log: OpenLog, line: string): void {
    // A UTF-16 code unit never needs more than 3 UTF-8 bytes.
    if (log.used + line.length * 3 > log.buf.length) {
      this.flushOne(log);
      if (line.length * 3 > log.buf.length) {
        writeSync(log.fd, line);
        return;
      }
    }
    log.used += utf8Write.call(log.buf, line, log.used);
  }

  private flushOne(log: OpenLog): void {
    let off = 0;
    while (off < log.used) off += writeSync(log.fd, log.buf, off, log.used - off);
    log.used = 0;
  }
}

/** Collects records in memory (tests, the store's ingest). */
export class MemorySink implements RecordSink {
  readonly records = new Map<string, LogRecord[]>();
  write(schema: LogSchema, record: LogRecord): void {
    let arr = this.records.get(schema.path);
    if (!arr) this.records.set(schema.path, (arr = []));
    arr.push(record);
  }
  get(path: string): LogRecord[] {
    return this.records.get(path) ?? [];
  }
}
