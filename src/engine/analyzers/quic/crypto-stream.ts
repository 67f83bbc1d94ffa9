/**
 * One side's CRYPTO stream of the Initial packet number space (RFC 9000 §19.6): chunks at any
 * offset, possibly out of order, over several packets, reassembled until the first TLS
 * handshake message (ClientHello / ServerHello) is complete. Bounded by
 * LIMITS.quicMaxHelloBytes and LIMITS.quicMaxCryptoChunks.
 */
import { LIMITS } from '../../support/limits.js';

export type CryptoResult = 'more' | 'complete' | 'too_large';

export class CryptoStream {
  private buf: Buffer | undefined;
  /** Bytes [0, contig) are present. */
  private contig = 0;
  /** Chunks that start beyond `contig`: [start, end) already copied into buf. */
  private pending: Array<[number, number]> = [];
  /** TLS handshake message length including its 4-byte header, once known. */
  private need = 0;
  finished = false;

  /** Adds a chunk; 'complete' when the first handshake message is whole (see message()). */
  add(offset: number, data: Buffer): CryptoResult {
    if (this.finished) return 'more';
    const limit = LIMITS.quicMaxHelloBytes;
    if (offset + data.length > limit) {
      this.finished = true;
      return 'too_large';
    }
    if (data.length === 0) return 'more';
    this.buf ??= Buffer.alloc(limit);
    data.copy(this.buf, offset);
    const e = offset + data.length;
    if (offset <= this.contig) this.contig = Math.max(this.contig, e);
    else if (this.pending.length < LIMITS.quicMaxCryptoChunks) this.pending.push([offset, e]);
    // Merge pending chunks that now touch the contiguous prefix; each pass removes one or stops.
    for (let merged = true; merged; ) {
      merged = false;
      for (let i = 0; i < this.pending.length; i++) {
        if (this.pending[i][0] <= this.contig) {
          this.contig = Math.max(this.contig, this.pending[i][1]);
          this.pending.splice(i, 1);
          merged = true;
          break;
        }
      }
    }
    if (this.need === 0 && this.contig >= 4) {
      this.need = 4 + ((this.buf[1] << 16) | (this.buf[2] << 8) | this.buf[3]);
      if (this.need > limit) {
        this.finished = true;
        return 'too_large';
      }
    }
    if (this.need > 0 && this.contig >= this.need) {
      this.finished = true;
      return 'complete';
    }
    return 'more';
  }

  /** The complete message: type, and body in buf[4, end). */
  message(): { type: number; buf: Buffer; end: number } | undefined {
    if (!this.buf || this.need === 0 || this.contig < this.need) return undefined;
    return { type: this.buf[0], buf: this.buf, end: this.need };
  }

  /** Frees the buffer once the message was read. */
  release(): void {
    this.buf = undefined;
    this.pending = [];
  }
}
