/**
 * A message being gathered from stream chunks, whose length the wire declared: the storage grows
 * with the bytes that actually arrive (doubling from a small start) and never beyond the declared
 * length. A header alone therefore cannot make us reserve the whole message: a connection holding
 * many half-sent messages (one per SMB pipe, per side) costs what was sent, not what was claimed.
 */

/** First allocation; real messages of the protocols using this are mostly smaller. */
const INITIAL_BYTES = 1024;

export class GrowingBuffer {
  private b: Buffer = Buffer.alloc(0);
  /** Bytes gathered so far. */
  have = 0;
  /** The declared length of the message. */
  need = 0;

  /** Starts a message of `need` bytes. */
  start(need: number): void {
    this.need = need;
    this.have = 0;
    if (this.b.length < Math.min(need, INITIAL_BYTES) || this.b.length > INITIAL_BYTES) this.b = Buffer.allocUnsafe(Math.min(need, INITIAL_BYTES));
  }

  /** Appends src[off, off+len), at most what the message still lacks; returns the bytes taken. */
  append(src: Buffer, off: number, len: number): number {
    const take = Math.min(len, this.need - this.have);
    if (this.have + take > this.b.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.need, Math.max(this.b.length * 2, this.have + take)));
      this.b.copy(grown, 0, 0, this.have);
      this.b = grown;
    }
    src.copy(this.b, this.have, off, off + take);
    this.have += take;
    return take;
  }

  get complete(): boolean {
    return this.have === this.need;
  }

  /** The gathered bytes (valid until the next start()). */
  get bytes(): Buffer {
    return this.b;
  }

  /** Drops the storage of a large message (keeps a small one for reuse). */
  release(): void {
    if (this.b.length > INITIAL_BYTES) this.b = Buffer.alloc(0);
    this.have = this.need = 0;
  }
}
