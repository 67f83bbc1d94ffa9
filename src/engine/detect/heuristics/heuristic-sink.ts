/**
 * The heuristics' place in the engine: a RecordSink decorator. Every record goes on to the real
 * sink unchanged, then to the heuristics that asked for its log; their findings come back as
 * notice.log records through the same sink, so they land wherever the other logs land (files,
 * the store, a test's array). finish() after the engine's own finish() flushes what the
 * heuristics aggregated over the whole capture.
 */
import type { LogRecord, LogSchema, RecordSink } from '../../logs/schema.js';
import { NOTICE_LOG } from '../../logs/notice-log.js';
import { WEIRD_LOG } from '../../logs/weird-log.js';
import { LIMITS } from '../../support/limits.js';
import type { Heuristic, HeuristicConfig, HeuristicDescriptor, Notice, NoticeLog } from './heuristic.js';
import { EMPTY_INTEL } from './intel-set.js';
import { str, num } from './fields.js';

export interface HeuristicOptions {
  /** Which heuristics run (default: all of HEURISTICS). */
  heuristics?: readonly HeuristicDescriptor[];
  config?: Partial<HeuristicConfig>;
}

export class HeuristicSink implements RecordSink, NoticeLog {
  /** Log path → heuristics observing it; lookups on the per-record path are one Map get. */
  private readonly byPath = new Map<string, Heuristic[]>();
  private readonly all: Heuristic[] = [];
  private readonly limitsReported = new Set<string>();
  private lastTs = 0;
  private finished = false;
  notices = 0;

  constructor(private readonly inner: RecordSink, descriptors: readonly HeuristicDescriptor[], config: Partial<HeuristicConfig> = {}) {
    const cfg: HeuristicConfig = { intel: EMPTY_INTEL, ...config };
    for (const d of descriptors) {
      const h = d.create(cfg);
      this.all.push(h);
      for (const path of h.logs ?? d.logs) {
        let list = this.byPath.get(path);
        if (!list) this.byPath.set(path, (list = []));
        list.push(h);
      }
    }
  }

  write(schema: LogSchema, record: LogRecord): void {
    this.inner.write(schema, record);
    const list = this.byPath.get(schema.path);
    if (list === undefined) return;
    const ts = record.ts;
    if (typeof ts === 'number' && ts > this.lastTs) this.lastTs = ts;
    for (let i = 0; i < list.length; i++) list[i].observe(schema.path, record, this);
  }

  /** End of capture: the heuristics report what they aggregated. Call once, after Engine.finish(). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const h of this.all) h.finish(this);
  }

  notice(n: Notice): void {
    const uids: string[] = [];
    let total = 0;
    if (n.uid !== undefined) { uids.push(n.uid); total++; }
    if (n.uids) {
      for (const u of n.uids) {
        if (u === n.uid) continue;
        total++;
        if (uids.length < LIMITS.noticeMaxUids) uids.push(u);
      }
    }
    const c = n.conn;
    this.notices++;
    this.inner.write(NOTICE_LOG, {
      ts: n.ts,
      uid: n.uid,
      'id.orig_h': c ? str(c, 'id.orig_h') : undefined,
      'id.orig_p': c ? num(c, 'id.orig_p') : undefined,
      'id.resp_h': c ? str(c, 'id.resp_h') : undefined,
      'id.resp_p': c ? num(c, 'id.resp_p') : undefined,
      fuid: n.fuid,
      file_mime_type: n.fileMimeType,
      file_desc: n.fileDesc,
      proto: n.proto,
      note: n.note,
      msg: n.msg,
      sub: n.sub,
      src: n.src,
      dst: n.dst,
      p: n.p,
      n: n.n ?? (total > 1 ? total : undefined),
      peer_descr: 'capdex',
      actions: ['Notice::ACTION_LOG'],
      suppress_for: 3600,
      uids: uids.length > 0 ? uids : undefined,
    });
  }

  limitReached(name: string, addl?: string): void {
    if (this.limitsReported.has(name)) return;
    this.limitsReported.add(name);
    this.inner.write(WEIRD_LOG, { ts: this.lastTs, name: 'heuristic_state_limit', addl: addl ? `${name} ${addl}` : name, notice: false, peer: 'capdex', source: 'heuristics' });
  }
}
