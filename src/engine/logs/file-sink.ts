/**
 * Writes records to `DIR/<path>.log`, JSON lines or Zeek TSV, batching writes so a million
 * records cost a few hundred system calls.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogRecord, LogSchema, RecordSink } from './schema.js';
import { jsonLine } from './json-writer.js';
import { tsvHeader, tsvLine, tsvTrailer } from './tsv-writer.js';

export type LogFormat = 'json' | 'tsv';

const FLUSH_AT = 1 << 20;

interface OpenLog {
  fd: number;
  /** Lines not yet written, joined once per flush (cheaper than growing one string). */
  pending: string[];
  pendingLength: number;
  records: number;
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
    const line = this.format === 'json' ? jsonLine(schema, record) : tsvLine(schema, record);
    log.pending.push(line);
    log.pendingLength += line.length;
    log.records++;
    if (log.pendingLength >= FLUSH_AT) this.flushOne(log);
  }

  /** Record counts per log path. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.logs].map(([k, v]) => [k, v.records]));
  }

  close(): void {
    for (const log of this.logs.values()) {
      if (this.format === 'tsv') log.pending.push(tsvTrailer(new Date()));
      this.flushOne(log);
      closeSync(log.fd);
    }
    this.logs.clear();
  }

  private open(schema: LogSchema): OpenLog {
    let log = this.logs.get(schema.path);
    if (!log) {
      // The name comes from our own schema, never from traffic.
      const fd = openSync(join(this.dir, `${schema.path}.log`), 'w');
      const header = this.format === 'tsv' ? tsvHeader(schema, this.openedAt) : '';
      log = { fd, pending: header ? [header] : [], pendingLength: header.length, records: 0 };
      this.logs.set(schema.path, log);
    }
    return log;
  }

  private flushOne(log: OpenLog): void {
    if (log.pending.length === 0) return;
    writeSync(log.fd, log.pending.join(''));
    log.pending = [];
    log.pendingLength = 0;
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
