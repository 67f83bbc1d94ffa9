/**
 * One direction of a TCP stream of length-prefixed messages (DNS over TCP: 2-byte prefix,
 * RFC 1035 §4.2.2; Kerberos over TCP: 4-byte prefix, RFC 4120 §7.2.2). Messages are handed on
 * in place when a chunk holds them whole, else gathered (bounded by `maxLen`). A gap, or a
 * prefix above `maxLen`, loses the framing: nothing more is read on that side.
 */
export class LengthPrefixedFramer {
  /** The framing broke: nothing more is parsed on this side. */
  lost = false;
  /** Length of the message being read; -1 while reading the prefix. */
  private msgLen = -1;
  private hdrHave = 0;
  private hdr = 0;
  private buf: Buffer | undefined;
  private have = 0;

  constructor(
    private readonly prefixBytes: number,
    private readonly maxLen: number,
    private readonly onMessage: (buf: Buffer, off: number, len: number) => void,
    /** A prefix above maxLen; the side is lost after it. */
    private readonly onTooLong: (len: number) => void,
    /** The consumer gave up (e.g. after a violation): stop reading mid-chunk. */
    private readonly stopped: () => boolean = () => false,
  ) {}

  push(buf: Buffer, off: number, len: number): void {
    const end = off + len;
    let p = off;
    while (p < end && !this.lost && !this.stopped()) {
      if (this.msgLen < 0) {
        while (this.hdrHave < this.prefixBytes && p < end) {
          this.hdr = this.hdr * 256 + buf[p++];
          this.hdrHave++;
        }
        if (this.hdrHave < this.prefixBytes) return;
        const n = this.hdr;
        this.hdr = 0;
        this.hdrHave = 0;
        if (n > this.maxLen) {
          this.lost = true;
          this.onTooLong(n);
          return;
        }
        this.msgLen = n;
        this.have = 0;
        if (end - p >= n) {
          // The whole message is in this chunk: parse it in place.
          this.msgLen = -1;
          this.onMessage(buf, p, n);
          p += n;
          continue;
        }
        this.buf = Buffer.allocUnsafe(n);
      }
      const take = Math.min(this.msgLen - this.have, end - p);
      buf.copy(this.buf!, this.have, p, p + take);
      this.have += take;
      p += take;
      if (this.have === this.msgLen) {
        const m = this.buf!;
        this.buf = undefined;
        this.msgLen = -1;
        this.onMessage(m, 0, m.length);
      }
    }
  }

  /** A content gap: message boundaries can no longer be found. */
  gap(): void {
    this.lost = true;
    this.buf = undefined;
  }

  /** End of stream: the bytes of a message cut short (if any, and the framing held), and a reset. */
  end(): Buffer | undefined {
    const partial = this.buf && this.have > 0 && !this.lost ? this.buf.subarray(0, this.have) : undefined;
    this.buf = undefined;
    this.msgLen = -1;
    return partial;
  }
}
