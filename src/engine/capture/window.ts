/**
 * A growable read window: bytes not yet consumed stay at the front, new bytes are read (or
 * copied) in behind them. Records are parsed in place, so a packet costs no allocation.
 */
import { LIMITS } from '../support/limits.js';

export class ReadWindow {
  buf: Buffer;
  start = 0;
  end = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for at least `n` more bytes behind the unconsumed ones. */
  reserve(n: number): void {
    if (this.buf.length - this.end >= n) return;
    const pending = this.end - this.start;
    if (this.start > 0 && this.buf.length - pending >= n) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      // Only a record larger than the window gets here; the readers bound record sizes.
      let size = this.buf.length * 2;
      while (size - pending < n) size *= 2;
      if (size > LIMITS.maxRecordBytes * 4) size = Math.max(pending + n, this.buf.length);
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, this.start, this.end);
      this.buf = next;
    }
    this.start = 0;
    this.end = pending;
  }

  append(chunk: Buffer): void {
    this.reserve(chunk.length);
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }
}
