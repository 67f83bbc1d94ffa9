/**
 * MySQL packet framing: 3-byte little-endian payload length, 1-byte sequence id, payload. A
 * payload is handed on whole when it fits in the limit, else its first `limit` bytes (the rest
 * is skipped), with its full length so the caller can tell.
 */
export type PacketHandler = (seq: number, body: Buffer, off: number, end: number, fullLen: number) => void;

export class Framer {
  private readonly hdr = Buffer.alloc(4);
  private hdrHave = 0;
  private seq = 0;
  private fullLen = 0;
  private parts: Buffer[] = [];
  private have = 0;
  private keep = 0;
  /** Body bytes still to come (kept or skipped). */
  private remaining = -1;

  constructor(private readonly limit: number) {}

  reset(): void {
    this.hdrHave = 0;
    this.parts = [];
    this.have = 0;
    this.remaining = -1;
  }

  /** Feeds buf[off, end); `stop()` returning true ends the loop (the handler changed state). */
  feed(buf: Buffer, off: number, end: number, onPacket: PacketHandler, stop: () => boolean): void {
    let i = off;
    while (i < end && !stop()) {
      if (this.remaining < 0) {
        // Fast path: a whole packet in the chunk, nothing buffered.
        if (this.hdrHave === 0 && end - i >= 4) {
          const len = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16);
          if (end - i - 4 >= len && len <= this.limit) {
            const s = buf[i + 3];
            i += 4 + len;
            onPacket(s, buf, i - len, i, len);
            continue;
          }
        }
        while (this.hdrHave < 4 && i < end) this.hdr[this.hdrHave++] = buf[i++];
        if (this.hdrHave < 4) return;
        this.fullLen = this.hdr[0] | (this.hdr[1] << 8) | (this.hdr[2] << 16);
        this.seq = this.hdr[3];
        this.keep = Math.min(this.fullLen, this.limit);
        this.remaining = this.fullLen;
        this.parts = [];
        this.have = 0;
      }
      const take = Math.min(this.remaining, end - i);
      const room = this.keep - this.have;
      if (room > 0) {
        const k = Math.min(room, take);
        this.parts.push(Buffer.from(buf.subarray(i, i + k)));
        this.have += k;
      }
      i += take;
      this.remaining -= take;
      if (this.remaining === 0) {
        const body = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.have);
        this.parts = [];
        this.remaining = -1;
        this.hdrHave = 0;
        onPacket(this.seq, body, 0, body.length, this.fullLen);
      }
    }
  }
}
