/**
 * Turns a file path or a byte stream (stdin, an upload) into records for a reader: sniffs the
 * magic bytes, transparently gunzips, refuses what is not a capture with a reason, and reads in
 * constant memory whatever the size.
 */
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { ReadWindow } from './window.js';
import { SNIFF_BYTES, describeNonCapture, sniffCaptureMagic, type CaptureFormat } from './sniff.js';
import type { CaptureReader, FrameSink } from './frame-sink.js';
import { PcapReader } from './pcap-reader.js';
import { PcapngReader } from './pcapng-reader.js';

const CHUNK = 4 * 1024 * 1024;
/** Room in front of each read buffer for the record cut by the previous chunk's end. */
const ROOM = 256 * 1024;

/** The input is not a packet capture; the message says what it looks like instead. */
export class NotACaptureError extends Error {
  readonly code = 'CAPDEX_NOT_A_CAPTURE';
  constructor(readonly looksLike: string, readonly compressed: boolean) {
    super(`not a packet capture: this is ${compressed ? `a gzip file holding ${looksLike}` : looksLike}`);
  }
}

export interface SourceProgress {
  /** Bytes of the input consumed (compressed bytes for a gzip'd file). */
  bytesRead: number;
  /** Input size when known (a file), else undefined (a stream). */
  totalBytes?: number;
}

export interface OpenedCapture {
  format: CaptureFormat;
  gzip: boolean;
  reader: CaptureReader;
}

export type ReaderFactory = (format: CaptureFormat, sink: FrameSink) => CaptureReader;

export const defaultReaderFactory: ReaderFactory = (format, sink) =>
  format === 'pcap' ? new PcapReader(sink) : new PcapngReader(sink);

export interface ReadOptions {
  onProgress?: (p: SourceProgress) => void;
  /** Called once the format is known, before the first record. */
  onOpen?: (c: OpenedCapture) => void;
  readerFactory?: ReaderFactory;
}

/** Reads a capture from a path ('-' for stdin) or a stream, feeding every record to `sink`. */
export async function readCapture(input: string | Readable, sink: FrameSink, opts: ReadOptions = {}): Promise<OpenedCapture> {
  if (typeof input === 'string' && input !== '-') return readFile(input, sink, opts);
  const stream = typeof input === 'string' ? process.stdin : input;
  return readStream(stream, undefined, sink, opts);
}

async function readFile(path: string, sink: FrameSink, opts: ReadOptions): Promise<OpenedCapture> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    await fh.read(head, 0, head.length, 0);
    const sniffed = sniffCaptureMagic(head);
    if (sniffed?.kind === 'gzip') return await readStream(createReadStream(path, { highWaterMark: CHUNK }), size, sink, opts);
    if (sniffed?.kind !== 'capture') throw new NotACaptureError(await describeNonCapture(head), false);
    const opened: OpenedCapture = { format: sniffed.format, gzip: false, reader: (opts.readerFactory ?? defaultReaderFactory)(sniffed.format, sink) };
    opts.onOpen?.(opened);
    // Double-buffered and parsed in place: the next chunk is read (on libuv's thread pool) into
    // the other buffer while this one is parsed. Each buffer keeps ROOM bytes in front of its
    // chunk, where the unparsed tail of the previous chunk (a record cut by the boundary) is
    // copied, so only those few bytes are ever copied.
    const bufs = [Buffer.allocUnsafe(ROOM + CHUNK), Buffer.allocUnsafe(ROOM + CHUNK)];
    let pos = 0;
    const readInto = (b: Buffer) => {
      const at = pos;
      pos += CHUNK;
      return fh.read(b, ROOM, CHUNK, at).then((r) => r.bytesRead);
    };
    let cur = 0;
    let pending = readInto(bufs[cur]);
    let tail: Buffer = Buffer.alloc(0);
    let consumed = 0;
    for (;;) {
      const n = await pending;
      const eof = n === 0;
      const b = bufs[cur];
      let data = b;
      let start = ROOM - tail.length;
      if (tail.length <= ROOM) tail.copy(b, start);
      else {
        // A record larger than ROOM straddles the boundary (rare): join it the slow way.
        data = Buffer.concat([tail, b.subarray(ROOM, ROOM + n)]);
        start = 0;
      }
      const end = data === b ? ROOM + n : data.length;
      // The other buffer's tail is copied out now, so it may receive the next chunk.
      if (!eof) pending = readInto(bufs[cur ^ 1]);
      consumed += n;
      const stop = opened.reader.parse(data, start, end, eof);
      tail = data.subarray(stop, end);
      opts.onProgress?.({ bytesRead: consumed, totalBytes: size });
      if (eof) break;
      cur ^= 1;
    }
    return opened;
  } finally {
    await fh.close();
  }
}

/** Stream path: stdin, uploads, and every gzip'd input (decompressed on the fly). */
async function readStream(raw: Readable, totalBytes: number | undefined, sink: FrameSink, opts: ReadOptions): Promise<OpenedCapture> {
  let bytesRead = 0;
  const rawIt = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const firstChunks: Buffer[] = [];
  let firstLen = 0;
  // Gather enough bytes to sniff (a stream may deliver them a few at a time).
  while (firstLen < SNIFF_BYTES) {
    const r = await rawIt.next();
    if (r.done) break;
    firstChunks.push(r.value);
    firstLen += r.value.length;
  }
  bytesRead = firstLen;
  async function* rawChunks(): AsyncGenerator<Buffer> {
    yield* firstChunks;
    for (;;) {
      const r = await rawIt.next();
      if (r.done) return;
      bytesRead += r.value.length;
      yield r.value;
    }
  }
  const gzip = sniffCaptureMagic(Buffer.concat(firstChunks))?.kind === 'gzip';
  const chunks: AsyncIterator<Buffer> = gzip
    ? (Readable.from(rawChunks()).pipe(createGunzip())[Symbol.asyncIterator]() as AsyncIterator<Buffer>)
    : rawChunks();

  const win = new ReadWindow(CHUNK * 2);
  let eof = false;
  let gzipError: string | undefined;
  const pull = async (): Promise<void> => {
    try {
      const r = await chunks.next();
      if (r.done) eof = true;
      else win.append(r.value);
    } catch (e) {
      if (!gzip) throw e;
      // A cut or corrupt gzip stream: keep what decompressed, say what happened.
      gzipError = (e as Error).message;
      eof = true;
    }
  };
  while (!eof && win.end - win.start < SNIFF_BYTES) await pull();

  const head = win.buf.subarray(win.start, win.end);
  const sniffed = sniffCaptureMagic(head);
  if (sniffed?.kind !== 'capture') {
    raw.destroy();
    throw new NotACaptureError(await describeNonCapture(Buffer.from(head)), gzip);
  }
  const opened: OpenedCapture = { format: sniffed.format, gzip, reader: (opts.readerFactory ?? defaultReaderFactory)(sniffed.format, sink) };
  opts.onOpen?.(opened);
  for (;;) {
    if (gzipError !== undefined) {
      sink.captureWeird('truncated_gzip', `the gzip stream is cut or corrupt (${gzipError}); analysed what decompressed`);
      gzipError = undefined;
    }
    win.start = opened.reader.parse(win.buf, win.start, win.end, eof);
    opts.onProgress?.({ bytesRead, totalBytes });
    if (eof) break;
    await pull();
  }
  return opened;
}
