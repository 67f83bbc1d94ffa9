/**
 * Weirds: malformed or surprising traffic is data, not an exception (Zeek's `weird.log`).
 * Every decoder reports through one `WeirdSink`, so the packet loop never throws for bad input.
 */

/** Where a weird belongs: the connection it was seen on, if any. */
export interface WeirdContext {
  ts: number;
  uid?: string;
  orig_h?: string;
  orig_p?: number;
  resp_h?: string;
  resp_p?: number;
}

export interface WeirdRecord extends WeirdContext {
  name: string;
  addl?: string;
  notice: boolean;
  peer: string;
  source?: string;
}

export type WeirdListener = (w: WeirdRecord) => void;

/**
 * Rate-limits as Zeek's weird framework does by default: a flow-bound weird is logged once per
 * (connection, name); a flowless one at its 1st, (1+N)th, (1+2N)th... occurrence per name.
 */
export class WeirdSink {
  private readonly seenPerConn = new Set<string>();
  private readonly flowlessCounts = new Map<string, number>();
  total = 0;

  constructor(
    private readonly listener: WeirdListener,
    /** Flowless weirds with the same name are logged at 1, 1+N, 1+2N... occurrences. */
    private readonly flowlessRepeat = 1000,
  ) {}

  /** A weird not tied to a connection (bad link header, truncated record, ...). */
  flowless(ts: number, name: string, addl?: string, source?: string): void {
    this.total++;
    // Keyed by name only: details vary without bound in hostile input, names do not.
    const n = this.flowlessCounts.get(name) ?? 0;
    this.flowlessCounts.set(name, n + 1);
    if (n % this.flowlessRepeat !== 0) return;
    this.listener({ ts, name, addl, notice: false, peer: 'capdex', source });
  }

  /** A weird on a connection: logged once per (connection, name). */
  conn(ctx: WeirdContext, name: string, addl?: string, source?: string): void {
    this.total++;
    const key = ctx.uid + '\0' + name;
    if (this.seenPerConn.has(key)) return;
    this.seenPerConn.add(key);
    this.listener({ ...ctx, name, addl, notice: false, peer: 'capdex', source });
  }

  /** Forget per-connection rate-limit state once a connection is finished. */
  forgetConn(uid: string, names: Iterable<string>): void {
    for (const n of names) this.seenPerConn.delete(uid + '\0' + n);
  }
}
