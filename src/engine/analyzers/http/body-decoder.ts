/**
 * Content-Encoding decoding of HTTP bodies (RFC 9110 §8.4.1): gzip / x-gzip / deflate / br.
 * The encoded body is collected (bounded by LIMITS.httpMaxEncodedBodyBytes) and decoded once,
 * natively, when it is complete or cut short: Node's zlib is several times faster than any
 * JavaScript inflater and has no synchronous streaming mode, and encoded bodies are small.
 * Output is bounded by LIMITS.httpMaxDecodedBodyBytes (a decompression bomb stops there, with a
 * weird); a truncated stream yields what decodes; corrupt data is a weird.
 */
import { Decompress } from 'fflate';
import { brotliDecompressSync, constants as zc, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
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
  private parts: Buffer[] | undefined = [];
  private inBytes = 0;
  private out = 0;
  /** Decoding stopped (limit, corrupt data, gap): further input is ignored. */
  stopped = false;

  constructor(
    readonly encoding: Encoding,
    private readonly sink: (buf: Buffer, off: number, len: number) => void,
    private readonly weird: (name: string, addl?: string) => void,
  ) {}

  get decodedBytes(): number {
    return this.out;
  }

  push(buf: Buffer, off: number, len: number): void {
    if (this.stopped || len <= 0) return;
    if (this.inBytes + len > LIMITS.httpMaxEncodedBodyBytes) {
      this.weird('HTTP_decompression_limit', `${LIMITS.httpMaxEncodedBodyBytes} encoded bytes`);
      this.decode();
      return;
    }
    this.parts!.push(Buffer.from(buf.subarray(off, off + len)));
    this.inBytes += len;
  }

  /** Bytes of the encoded body never seen: what came before them is decoded, nothing after. */
  gap(): void {
    if (this.stopped) return;
    this.weird('HTTP_decompression_failure', 'content gap');
    this.decode();
  }

  /** The encoded body is complete (or cut short). */
  end(): void {
    if (!this.stopped) this.decode();
  }

  private decode(): void {
    const input = this.parts!.length === 1 ? this.parts![0] : Buffer.concat(this.parts!);
    this.stop();
    if (input.length === 0) return;
    // SYNC_FLUSH: a stream cut short yields what it holds instead of an error.
    const zopts = { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: LIMITS.httpMaxDecodedBodyBytes };
    let out: Buffer | undefined;
    try {
      if (this.encoding === 'br') {
        out = brotliDecompressSync(input, { finishFlush: zc.BROTLI_OPERATION_FLUSH, maxOutputLength: LIMITS.httpMaxDecodedBodyBytes });
      } else if (this.encoding === 'gzip') {
        out = gunzipSync(input, zopts);
      } else {
        // "deflate" is zlib-wrapped per RFC 9110, but many servers send raw deflate.
        try {
          out = inflateSync(input, zopts);
        } catch {
          out = inflateRawSync(input, zopts);
        }
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        this.weird('HTTP_decompression_limit', `${LIMITS.httpMaxDecodedBodyBytes} bytes`);
        if (this.encoding !== 'br') this.decodePrefix(input);
      } else this.weird('HTTP_decompression_failure', (e as Error).message);
      return;
    }
    this.out = out.length;
    if (out.length > 0) this.sink(out, 0, out.length);
  }

  /**
   * A bomb: native zlib refuses output beyond the limit wholesale, so the allowed prefix is
   * decoded by a streaming JavaScript inflater that stops at the limit (rare, hostile input).
   */
  private decodePrefix(input: Buffer): void {
    const limit = LIMITS.httpMaxDecodedBodyBytes;
    let done = false;
    const inflater = new Decompress((chunk) => {
      if (done || chunk.length === 0) return;
      const take = Math.min(limit - this.out, chunk.length);
      if (take > 0) {
        this.out += take;
        this.sink(Buffer.from(chunk.buffer, chunk.byteOffset, take), 0, take);
      }
      if (this.out >= limit) done = true;
    });
    try {
      // Small slices keep each call's output (~1 MiB per KiB of input at worst) bounded.
      for (let p = 0; p < input.length && !done; p += 1024) inflater.push(input.subarray(p, Math.min(input.length, p + 1024)), false);
    } catch {
      // corrupt past the limit: what was decoded stays delivered
    }
  }

  private stop(): void {
    this.stopped = true;
    this.parts = undefined;
  }
}
