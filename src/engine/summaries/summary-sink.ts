/**
 * The per-run summaries (known_services, software, credentials): a RecordSink in front of the
 * real one that passes every record on and watches the ones the summaries are built from. They
 * read records rather than hooking into analyzers, so they see exactly what the logs say.
 */
import type { LogRecord, LogSchema, RecordSink } from '../logs/schema.js';
import type { Credential } from '../analyzers/analyzer.js';
import { CredentialsSummary } from './credentials.js';
import { KnownServices } from './known-services.js';
import { SoftwareSummary } from './software.js';

/** The logs a summary reads; everything else passes straight through. */
const WATCHED = new Set(['conn', 'http', 'ssh', 'smtp', 'ftp', 'pop3', 'imap', 'snmp']);

export class SummarySink implements RecordSink {
  private readonly credentials: CredentialsSummary;
  private readonly software: SoftwareSummary;
  private readonly services: KnownServices;

  /** `showCredentials`: credentials.log shows secrets instead of "<hidden>". */
  constructor(private readonly inner: RecordSink, showCredentials = false) {
    this.credentials = new CredentialsSummary(inner, showCredentials);
    this.software = new SoftwareSummary(inner);
    this.services = new KnownServices(inner);
  }

  write(schema: LogSchema, record: LogRecord): void {
    this.inner.write(schema, record);
    const path = schema.path;
    if (!WATCHED.has(path)) return;
    this.credentials.observe(path, record);
    this.software.observe(path, record);
    this.services.observe(path, record);
  }

  /** AnalyzerContext.credential(): a credential no log record carries. */
  credential(connFields: LogRecord, service: string, c: Credential, ts: number): void {
    this.credentials.add(connFields, service, c, ts);
  }

  /** Writes what is still pending; call once after the engine finished. */
  finish(): void {
    this.credentials.finish();
  }
}
