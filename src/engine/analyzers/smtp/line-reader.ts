/**
 * Lines of a text protocol (SMTP, POP3, IMAP, FTP) out of arbitrary TCP chunks. A line ends
 * at LF (a preceding CR is dropped; bare LF is accepted as real clients send it). Complete
 * lines inside one chunk are handed over as views of that chunk (no copy); only a partial line
 * at a chunk's end is held, up to `maxLine` bytes. A longer line is handed over in pieces
 * flagged `complete = false` (the last piece, ending at the LF, has `complete = true`), so a
 * message body of endless lines still streams while memory stays bounded.
 *
 * After a gap the partial line is dropped and everything up to the next LF is skipped: that is
 * where the dialogue can resynchronise.
 */

import { latin1Text } from '../../support/wire-text.js';

export type LineHandler = (buf: Buffer, start: number, end: number, complete: boolean) => void;

const EMPTY = Buffer.alloc(0);

export class LineReader {
  private held: Buffer = EMPTY;
  private heldLen = 0;
  /** Skipping the rest of a line broken by a gap. */
  private skipping = false;
  /** The current line was already partly handed over (pieces). */
  private inPieces = false;
  /** A consumer may stop the reader (e.g. STARTTLS upgrade): the rest of the chunk is dropped. */
  stopped = false;
  /** Bytes to pass to `onRaw` before lines resume (SMTP BDAT chunks); set by a line handler. */
  rawBytes = 0;
  onRaw: ((buf: Buffer, off: number, len: number) => void) | undefined;

  constructor(private readonly maxLine: number, private readonly onLine: LineHandler) {}

  /** True when the next byte starts a new line. */
  get atLineStart(): boolean {
    return this.heldLen === 0 && !this.inPieces && !this.skipping;
  }

  data(buf: Buffer, off: number, len: number): void {
    const end = off + len;
    // indexOf must not run past the chunk: the caller's buffer may be much larger than it.
    if (end < buf.length) buf = buf.subarray(0, end);
    let p = off;
    while (p < end && !this.stopped) {
      if (this.rawBytes > 0) {
        const k = Math.min(this.rawBytes, end - p);
        this.rawBytes -= k;
        this.onRaw?.(buf, p, k);
        p += k;
        continue;
      }
      const nl = buf.indexOf(10, p);
      if (this.skipping) {
        if (nl < 0 || nl >= end) return;
        this.skipping = false;
        p = nl + 1;
        continue;
      }
      if (nl < 0 || nl >= end) {
        this.hold(buf, p, end);
        return;
      }
      if (this.heldLen > 0) {
        // Finish the held line with this chunk's first line.
        const need = this.heldLen + (nl - p);
        if (need > this.maxLine) {
          // Too long to join: hand over what is held as a piece, then the rest of the line.
          this.emit(this.held, 0, this.heldLen, false);
          this.heldLen = 0;
          this.emit(buf, p, stripCr(buf, p, nl), true);
        } else {
          this.grow(need);
          buf.copy(this.held, this.heldLen, p, nl);
          this.heldLen = need;
          const line = this.held;
          const n = this.heldLen;
          this.heldLen = 0;
          this.emit(line, 0, stripCr(line, 0, n), true);
        }
      } else {
        this.emit(buf, p, stripCr(buf, p, nl), true);
      }
      p = nl + 1;
    }
  }

  /** `len` bytes were never seen: drop the partial line and skip to the next LF. */
  gap(): void {
    this.heldLen = 0;
    this.inPieces = false;
    this.skipping = true;
  }

  /** Hands over a held partial line at the end of the stream (a last line without LF). */
  flush(): void {
    if (this.heldLen > 0 && !this.stopped) {
      const n = this.heldLen;
      this.heldLen = 0;
      this.emit(this.held, 0, n, true);
    }
    this.inPieces = false;
  }

  private emit(buf: Buffer, start: number, end: number, complete: boolean): void {
    this.inPieces = !complete;
    this.onLine(buf, start, end, complete);
  }

  private hold(buf: Buffer, p: number, end: number): void {
    const n = end - p;
    if (this.heldLen + n > this.maxLine) {
      // Hand over what is held plus as much as fits, as a piece of an overlong line.
      if (this.heldLen > 0) {
        this.emit(this.held, 0, this.heldLen, false);
        this.heldLen = 0;
      }
      if (n > this.maxLine) {
        this.emit(buf, p, end, false);
        return;
      }
    }
    this.grow(this.heldLen + n);
    buf.copy(this.held, this.heldLen, p, end);
    this.heldLen += n;
  }

  private grow(n: number): void {
    if (this.held.length >= n) return;
    const next = Buffer.allocUnsafe(Math.min(this.maxLine, Math.max(n, this.held.length * 2, 256)));
    if (this.heldLen > 0) this.held.copy(next, 0, 0, this.heldLen);
    this.held = next;
  }
}

function stripCr(buf: Buffer, start: number, nl: number): number {
  return nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
}

/** ASCII upper-case of buf[start, end) as a string (command verbs). */
export function upperAscii(buf: Buffer, start: number, end: number): string {
  return latin1Text(buf, start, end).toUpperCase();
}
