/**
 * Partial results while a job runs: a tee in front of the store's import sink that keeps the first
 * PREVIEW_RECORDS_PER_LOG records of each log, encoded as the store will hold them, for the worker
 * to post to its queue. Past the limit a record costs one map lookup; nothing else is allocated.
 */
import type { LogRecord, LogSchema, RecordSink } from '../engine/logs/schema.js';
import type { Store } from '../store/store.js';
import { RecordEncoder } from '../store/ingest.js';
import { PREVIEW_DOC_MAX_CHARS, PREVIEW_INTERVAL_MS, PREVIEW_MAX_LOGS, PREVIEW_RECORDS_PER_LOG } from './limits.js';
import type { PreviewRecord } from './worker-protocol.js';

export class PreviewTap {
  private readonly kept = new Map<LogSchema, number>();
  private pending: PreviewRecord[] = [];
  private readonly encoder = new RecordEncoder();
  private lastFlush = 0;
  private sinceCheck = 0;

  /** `flush` gets the records not yet handed out, at most every PREVIEW_INTERVAL_MS. */
  constructor(private readonly flush: (records: PreviewRecord[]) => void) {}

  /** `sink` with the preview taken on the way through. */
  wrap(sink: RecordSink): RecordSink {
    return {
      write: (schema, rec) => {
        sink.write(schema, rec);
        this.observe(schema, rec);
      },
    };
  }

  /** Hands out what is pending now (the worker calls it with each progress post too). */
  drain(): void {
    this.lastFlush = Date.now();
    if (this.pending.length === 0) return;
    const out = this.pending;
    this.pending = [];
    this.flush(out);
  }

  /** The store, with every import's sink tapped (the analysis code stays unaware of the preview). */
  tapStore(store: Store): Store {
    const tapped = Object.create(store) as Store;
    tapped.importCapture = (meta, produce) => store.importCapture(meta, (sink) => produce(this.wrap(sink)));
    return tapped;
  }

  private observe(schema: LogSchema, rec: LogRecord): void {
    const n = this.kept.get(schema);
    if (n === undefined) {
      if (this.kept.size >= PREVIEW_MAX_LOGS) return;
    } else if (n >= PREVIEW_RECORDS_PER_LOG) return;
    this.kept.set(schema, (n ?? 0) + 1);
    const row = this.encoder.encode(schema, rec);
    if (row.doc.length <= PREVIEW_DOC_MAX_CHARS) {
      this.pending.push({ log: row.log, ts: row.ts, uid: row.uid, communityId: row.communityId, doc: row.doc });
    }
    // The very first record goes out at once (first results as soon as there are any); after
    // that the clock is read once per 64 kept records, not per record.
    if (this.lastFlush === 0) this.drain();
    else if (++this.sinceCheck >= 64) {
      this.sinceCheck = 0;
      if (Date.now() - this.lastFlush >= PREVIEW_INTERVAL_MS) this.drain();
    }
  }
}
