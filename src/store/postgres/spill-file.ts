/**
 * A temporary file for COPY text the server has not taken yet. The engine writes records faster
 * than PostgreSQL indexes them, and a sink cannot make the engine wait (writes are synchronous),
 * so past PG_PENDING_MAX_BYTES queued batches go to disk instead of the heap: a 10 GB capture
 * imports in bounded memory. Written synchronously (from the sink), read back as each batch's turn
 * comes; removed when the import ends, whichever way.
 */
import { closeSync, openSync, writeSync, unlinkSync, mkdtempSync, rmdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SpillRef {
  offset: number;
  length: number;
}

export class SpillFile {
  private readonly dir = mkdtempSync(join(tmpdir(), 'capdex-pg-spill-'));
  private readonly path = join(this.dir, 'copy.txt');
  private readonly fd = openSync(this.path, 'w+', 0o600);
  private size = 0;
  private reader: FileHandle | undefined;

  append(buf: Buffer): SpillRef {
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, this.size + done);
    const ref = { offset: this.size, length: buf.length };
    this.size += buf.length;
    return ref;
  }

  async read(ref: SpillRef): Promise<Buffer> {
    this.reader ??= await open(this.path, 'r');
    const buf = Buffer.allocUnsafe(ref.length);
    let done = 0;
    while (done < ref.length) {
      const { bytesRead } = await this.reader.read(buf, done, ref.length - done, ref.offset + done);
      if (bytesRead === 0) throw new Error('spill file shorter than written');
      done += bytesRead;
    }
    return buf;
  }

  async remove(): Promise<void> {
    await this.reader?.close();
    closeSync(this.fd);
    unlinkSync(this.path);
    rmdirSync(this.dir);
  }
}
