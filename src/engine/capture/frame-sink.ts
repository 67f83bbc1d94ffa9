/** The one call a capture reader makes per packet record; the decoders implement it. */
export interface FrameSink {
  /**
   * One captured frame: `buf[off, off + capLen)` holds its bytes (only valid during the call).
   * `wireLen` is the length on the wire (>= capLen for a sane record). Timestamps are split into
   * whole seconds and nanoseconds so nanosecond captures keep their precision.
   */
  frame(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void;
  /** A problem with the capture file itself (not with a packet in it). */
  captureWeird(name: string, addl?: string): void;
}

/** What a reader learned about the file, for the summary and the capture's metadata. */
export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  /** Link types seen (pcap: one; pcapng: one per interface). */
  linkTypes: number[];
  /** Largest snaplen declared. */
  snaplen: number;
  /** Records read (packets handed to the sink). */
  records: number;
  /** True when the reader stopped early because the rest of the file could not be trusted. */
  stoppedEarly: boolean;
}

export interface CaptureReader {
  readonly info: CaptureInfo;
  /**
   * Parses complete records in `buf[start, end)` and returns the offset up to which bytes were
   * consumed. Bytes after that offset must be presented again with more data appended.
   * With `eof` set, whatever cannot be parsed is reported as a truncation weird.
   */
  parse(buf: Buffer, start: number, end: number, eof: boolean): number;
}
