/**
 * NetBIOS session service framing (RFC 1002 §4.3; on port 445 "direct hosting" uses the same
 * 4-byte header with a 24-bit length, [MS-SMB2] §2.1) for one direction of an SMB connection.
 *
 * A message's first LIMITS.smbMaxHeadBytes are held for parsing (in place when the chunk has
 * them); whatever follows (the data of a big READ response or WRITE request, up to 16 MiB) is
 * streamed to the TailSink the parser returns, never buffered. A gap inside such a tail is passed
 * on as missing bytes; a gap anywhere else loses the framing of that side.
 */
import { LIMITS } from '../../support/limits.js';
import { GrowingBuffer } from '../../support/growing-buffer.js';

/** Where the bytes of a message beyond its head go (the rest of a file's data). */
export interface TailSink {
  data(buf: Buffer, off: number, len: number): void;
  gap(len: number): void;
}

/** NBSS packet types (RFC 1002 §4.3.1). */
const SESSION_MESSAGE = 0x00;
const CONTROL_TYPES = new Set([0x81, 0x82, 0x83, 0x84, 0x85]);

export class NbssFramer {
  lost = false;
  /** The 4-byte header read so far, big-endian in a number (no buffer per side and connection). */
  private hdr = 0;
  private hdrHave = 0;
  /** Bytes of the current message still to come (head and tail), and of its head. */
  private msgLeft = 0;
  private headLen = 0;
  /** The head being gathered when a chunk does not hold it whole. */
  private readonly head = new GrowingBuffer();
  /** Reading the tail of a message: its sink (undefined: skip). */
  private inTail = false;
  private tail: TailSink | undefined;
  private skipping = false;

  constructor(
    /** A message's head: buf[off, off+headLen) of a msgLen-byte message. Returns where its tail goes. */
    private readonly onMessage: (buf: Buffer, off: number, headLen: number, msgLen: number) => TailSink | undefined,
    /** The bytes are not NetBIOS session framing: the side is lost. */
    private readonly onBad: (reason: string) => void,
    private readonly stopped: () => boolean,
  ) {}

  push(buf: Buffer, off: number, len: number): void {
    const end = off + len;
    let p = off;
    while (p < end && !this.lost && !this.stopped()) {
      if (this.msgLeft === 0) {
        while (this.hdrHave < 4 && p < end) {
          this.hdr = this.hdr * 256 + buf[p++];
          this.hdrHave++;
        }
        if (this.hdrHave < 4) return;
        this.hdrHave = 0;
        const type = Math.floor(this.hdr / 0x1000000);
        const n = this.hdr % 0x1000000;
        this.hdr = 0;
        if (type !== SESSION_MESSAGE && !CONTROL_TYPES.has(type)) {
          this.lost = true;
          this.onBad(`NetBIOS session packet type 0x${type.toString(16)}`);
          return;
        }
        if (n === 0) continue;
        this.msgLeft = n;
        this.skipping = type !== SESSION_MESSAGE;
        this.inTail = this.skipping;
        this.tail = undefined;
        if (this.skipping) continue;
        this.headLen = Math.min(n, LIMITS.smbMaxHeadBytes);
        if (end - p >= this.headLen) {
          // The whole head is in this chunk: parse it in place.
          this.startTail(this.onMessage(buf, p, this.headLen, n));
          p += this.headLen;
          continue;
        }
        this.head.start(this.headLen);
      }
      if (!this.inTail) {
        p += this.head.append(buf, p, end - p);
        if (!this.head.complete) return;
        this.startTail(this.onMessage(this.head.bytes, 0, this.headLen, this.msgLeft));
        this.head.release();
        continue;
      }
      const take = Math.min(this.msgLeft, end - p);
      if (this.tail && !this.skipping) this.tail.data(buf, p, take);
      this.msgLeft -= take;
      p += take;
      if (this.msgLeft === 0) this.inTail = false;
    }
  }

  /** `len` bytes of this side were never seen. */
  gap(len: number): void {
    if (this.inTail && len <= this.msgLeft) {
      if (this.tail && !this.skipping) this.tail.gap(len);
      this.msgLeft -= len;
      if (this.msgLeft === 0) this.inTail = false;
      return;
    }
    this.lost = true;
    this.head.release();
  }

  private startTail(sink: TailSink | undefined): void {
    this.msgLeft -= this.headLen;
    this.tail = sink;
    this.inTail = this.msgLeft > 0;
  }
}
