/**
 * FTP data connections (service "ftp-data"): never detected by port or probe, only attached to a
 * connection the FTP control analyzer announced (PORT/EPRT/PASV/EPSV → ctx.expect). Whatever
 * crosses it is a file: hashed, typed and logged in files.log (source FTP_DATA), as Zeek does.
 */
import type { AnalyzerContext, AnalyzerDescriptor, StreamAnalyzer } from '../analyzer.js';
import type { FileHandle } from '../files/index.js';

class FtpData implements StreamAnalyzer {
  private file: FileHandle | undefined;
  private fileIsOrig = false;

  constructor(private readonly ctx: AnalyzerContext) {}

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (!this.file) {
      this.ctx.confirm();
      this.file = this.ctx.files.begin({ source: 'FTP_DATA', isOrig });
      this.fileIsOrig = isOrig;
    }
    // One file per connection: the side that spoke first carries it (a directory listing or a
    // RETR goes server → client, a STOR client → server); the other side only acknowledges.
    if (isOrig === this.fileIsOrig) this.file.data(buf, off, len);
  }

  gap(isOrig: boolean, len: number): void {
    if (this.file && isOrig === this.fileIsOrig) this.file.gap(len);
  }

  eof(isOrig: boolean): void {
    if (this.file && isOrig === this.fileIsOrig) this.file.end();
  }

  done(): void {
    this.file?.end();
  }
}

export const FTP_DATA_ANALYZER: AnalyzerDescriptor = {
  name: 'ftp-data',
  createStream: (ctx) => new FtpData(ctx),
};
