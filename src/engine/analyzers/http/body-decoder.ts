/**
 * Content-Encoding decoding of HTTP bodies (RFC 9110 §8.4.1): gzip / x-gzip / deflate streamed
 * through fflate's synchronous inflater (Node's zlib streams are asynchronous, its synchronous
 * calls one-shot), br decoded once the body is complete with Node's brotli. Output is bounded
 * by LIMITS.httpMaxDecodedBodyBytes; input is fed in LIMITS.httpDecodeSliceBytes pieces so one
 * call's output stays bounded too. Hitting the limit, or corrupt data, stops decoding: what was
 * decoded so far stays delivered.
 */
import { Decompress } from 'fflate';
import { brotliDecompressSync, constants as zc } from 'node:zlib';
import { LIMITS } from '../../support/limits.js';

export type Encoding = 'gzip' | 'deflate' | 'br';

/** The single supported coding named by a Content-Encoding value, else undefined (identity or unsupported). */
export function encodingOf(value: string | undefined): Encoding | 'identity' | 'unsupported' {
  if (value === undefined) return 'identity';
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  if (v === 'br') return 'br';
  return 'unsupported';
}

export class BodyDecoder {
  private inflater: Decompress | undefined;
  private brotli: Buffer[] | undefined;
  private brotliBytes = 0;
  private out = 0;
  /** Decoding stopped (limit, corrupt data, gap): further input is ignored. */
  stopped = false;

  constructor(
    readonly encoding: Encoding,
    private readonly sink: (buf: Buffer, off: number, len: number) => void,
    private readonly weird: (name: string, addl?: string) => void,
  ) {
    if (encoding === 'br') this.brotli = [];
    else this.inflater = new Decompress((chunk) => this.emit(chunk));
  }

  get decodedBytes(): number {
    return this.out;
  }

  push(buf: Buffer, off: number, len: number): void {
    if (this.stopped || len <= 0) return;
    if (this.brotli) {
      if (this.brotliBytes + len > LIMITS.httpMaxBrotliInputBytes) {
        this.weird('HTTP_decompression_limit', 'br input');
        this.stop();
        return;
      }
      this.brotli.push(Buffer.from(buf.subarray(off, off + len)));
      this.brotliBytes += len;
      return;
    }
    const end = off + len;
    for (let p = off; p < end && !this.stopped; p += LIMITS.httpDecodeSliceBytes) {
      const q = Math.min(end, p + LIMITS.httpDecodeSliceBytes);
      try {
        // fflate may keep a reference to the input until more arrives: hand it a copy.
        this.inflater!.push(Uint8Array.prototype.slice.call(buf, p, q), false);
      } catch (e) {
        this.weird('HTTP_decompression_failure', (e as Error).message);
        this.stop();
      }
    }
  }

  /** Bytes of the encoded body never seen: the decoder cannot go on. */
  gap(): void {
    if (this.stopped) return;
    this.weird('HTTP_decompression_failure', 'content gap');
    this.stop();
  }

  /** The encoded body is complete (or cut short). */
  end(): void {
    if (this.stopped) return;
    if (this.brotli) {
      try {
        const out = brotliDecompressSync(Buffer.concat(this.brotli), {
          maxOutputLength: LIMITS.httpMaxDecodedBodyBytes,
          finishFlush: zc.BROTLI_OPERATION_FLUSH,
        });
        this.emit(out);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') this.weird('HTTP_decompression_limit', 'br output');
        else this.weird('HTTP_decompression_failure', (e as Error).message);
      }
      this.stop();
      return;
    }
    try {
      this.inflater!.push(new Uint8Array(0), true);
    } catch {
      // a body cut short ends mid-stream: what was decoded is what there is
    }
    this.stop();
  }

  private emit(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    const room = LIMITS.httpMaxDecodedBodyBytes - this.out;
    const take = Math.min(room, chunk.length);
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (take > 0) {
      this.out += take;
      this.sink(b, 0, take);
    }
    if (take < chunk.length) {
      this.weird('HTTP_decompression_limit', `${LIMITS.httpMaxDecodedBodyBytes} bytes`);
      this.stop();
    }
  }

  private stop(): void {
    this.stopped = true;
    this.inflater = undefined;
    this.brotli = undefined;
  }
}
