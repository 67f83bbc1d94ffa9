/**
 * FTP data connections (service "ftp-data"): never detected by port or probe, only attached to a
 * connection the FTP control analyzer announced (PORT/EPRT/PASV/EPSV → ctx.expect). Whatever
 * crosses it is a file: hashed, typed and logged in files.log (source FTP_DATA), as Zeek does.
 */
import type { AnalyzerContext, AnalyzerDescriptor, StreamAnalyzer } from '../analyzer.js';
import type { FileHandle } from '../files/index.js';
import type { FtpDataLink } from '../ftp/ftp-analyzer.js';

class FtpData implements StreamAnalyzer {
  private file: FileHandle | undefined;
  private fileIsOrig = false;

  /** The control session's record of this channel (ftp.log fuid, mime_type). */
  private readonly link: FtpDataLink | undefined;

  constructor(private readonly ctx: AnalyzerContext) {
    const info = ctx.expectation as FtpDataLink | undefined;
    this.link = info && typeof info.controlUid === 'string' ? info : undefined;
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (!this.file) {
      this.ctx.confirm();
      this.file = this.ctx.files.begin({ source: 'FTP_DATA', isOrig });
      this.fileIsOrig = isOrig;
      if (this.link) this.link.fuid = this.file.fuid;
    }
    // One file per connection: the side that spoke first carries it (a directory listing or a
    // RETR goes server → client, a STOR client → server); the other side only acknowledges.
    if (isOrig === this.fileIsOrig) {
      this.file.data(buf, off, len);
      if (this.link && this.link.mimeType === undefined) this.link.mimeType = this.file.mimeType;
    }
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
