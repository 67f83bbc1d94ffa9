/**
 * Classic libpcap files: both byte orders, microsecond and nanosecond magics, any snaplen.
 * Reference: draft-ietf-opsawg-pcap (File Header §4, Packet Record §5).
 */
import type { CaptureInfo, CaptureReader, FrameSink } from './frame-sink.js';
import { LIMITS } from '../support/limits.js';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapReader implements CaptureReader {
  readonly info: CaptureInfo = { format: 'pcap', linkTypes: [], snaplen: 0, records: 0, stoppedEarly: false };
  private headerDone = false;
  private le = true;
  private nano = false;
  private linkType = 0;
  private snaplen = 0;
  private stopped = false;
  private warnedSnaplen = false;
  private warnedCaplen = false;
  private warnedUsec = false;
  private viewOf: Buffer | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** Files written by libpcap before 2.3 store caplen and len the other way round; 2.3 files may
   *  (libpcap's and Wireshark's "lengths_swapped": SWAPPED below 2.3, MAYBE_SWAPPED at 2.3). */
  private lengthsSwapped: 'no' | 'yes' | 'maybe' = 'no';

  constructor(private readonly sink: FrameSink) {}

  parse(buf: Buffer, start: number, end: number, eof: boolean): number {
    let p = start;
    if (this.stopped) return end;
    if (!this.headerDone) {
      if (end - p < GLOBAL_HEADER) {
        if (eof) { this.sink.captureWeird('truncated_capture_header', `${end - p} of ${GLOBAL_HEADER} bytes`); this.stop(); return end; }
        return p;
      }
      this.readGlobalHeader(buf, p);
      p += GLOBAL_HEADER;
    }
    const le = this.le;
    // DataView reads are several times cheaper than Buffer#readUInt32LE in this loop.
    if (buf !== this.viewOf) { this.viewOf = buf; this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
    const dv = this.view;
    const sink = this.sink;
    const linkType = this.linkType;
    const fracToNs = this.nano ? 1 : 1000;
    const fracLimit = this.nano ? 1e9 : 1e6;
    let records = this.info.records;
    while (end - p >= RECORD_HEADER) {
      const tsSec = dv.getUint32(p, le);
      let frac = dv.getUint32(p + 4, le);
      let capLen = dv.getUint32(p + 8, le);
      let wireLen = dv.getUint32(p + 12, le);
      if (this.lengthsSwapped === 'yes' || (this.lengthsSwapped === 'maybe' && capLen > wireLen)) {
        const t = capLen; capLen = wireLen; wireLen = t;
      }
      if (capLen > LIMITS.maxRecordBytes) {
        // No sane capture has such a record; what follows cannot be trusted to be aligned.
        this.info.records = records;
        sink.captureWeird('capture_record_too_large', `record ${records + 1} claims ${capLen} bytes (limit ${LIMITS.maxRecordBytes})`);
        this.stop();
        return end;
      }
      if (end - p - RECORD_HEADER < capLen) break;
      // Anomalies of this record are reported right after it is delivered, so they carry its
      // capture time rather than the previous record's (or none, for the first record).
      let late = 0;
      const origCapLen = capLen, origWireLen = wireLen, origFrac = frac;
      if (capLen > this.snaplen && this.snaplen > 0 && !this.warnedSnaplen) {
        this.warnedSnaplen = true;
        late |= 1;
      }
      if (capLen > wireLen) {
        if (!this.warnedCaplen) { this.warnedCaplen = true; late |= 2; }
        wireLen = capLen;
      }
      let sec = tsSec;
      if (frac >= fracLimit) {
        // libpcap carries the excess into the seconds; we do the same, and say so once.
        if (!this.warnedUsec) { this.warnedUsec = true; late |= 4; }
        sec += Math.floor(frac / fracLimit);
        frac = frac % fracLimit;
      }
      records++;
      this.info.records = records;
      sink.frame(buf, p + RECORD_HEADER, capLen, wireLen, sec, frac * fracToNs, linkType);
      if (late !== 0) {
        if (late & 1) sink.captureWeird('capture_caplen_exceeds_snaplen', `record ${records}: ${origCapLen} > snaplen ${this.snaplen}`);
        if (late & 2) sink.captureWeird('capture_caplen_exceeds_len', `record ${records}: caplen ${origCapLen} > len ${origWireLen}`);
        if (late & 4) sink.captureWeird('capture_timestamp_fraction_overflow', `record ${records}: fraction ${origFrac}`);
      }
      p += RECORD_HEADER + capLen;
    }
    this.info.records = records;
    if (eof && p < end) {
      const have = end - p;
      sink.captureWeird('truncated_capture_record', have < RECORD_HEADER
        ? `${have} trailing bytes after record ${records}, less than a record header`
        : `record ${records + 1} cut short: ${have - RECORD_HEADER} of ${this.recordCapLen(buf, p)} bytes`);
      this.stop();
      return end;
    }
    return p;
  }

  private readGlobalHeader(buf: Buffer, p: number): void {
    const magicBE = buf.readUInt32BE(p);
    this.le = magicBE === 0xd4c3b2a1 || magicBE === 0x4d3cb2a1;
    this.nano = magicBE === 0xa1b23c4d || magicBE === 0x4d3cb2a1;
    const rd = (o: number) => (this.le ? buf.readUInt32LE(p + o) : buf.readUInt32BE(p + o));
    const major = this.le ? buf.readUInt16LE(p + 4) : buf.readUInt16BE(p + 4);
    const minor = this.le ? buf.readUInt16LE(p + 6) : buf.readUInt16BE(p + 6);
    if (major === 2 && minor < 3) this.lengthsSwapped = 'yes';
    else if (major === 2 && minor === 3) this.lengthsSwapped = 'maybe';
    this.snaplen = rd(16);
    // The upper bits of the link-type field may carry FCS information (draft §4, "LinkType and
    // additional information"); the link type itself is the low 16 bits.
    this.linkType = rd(20) & 0xffff;
    this.headerDone = true;
    this.info.linkTypes = [this.linkType];
    this.info.snaplen = this.snaplen;
  }

  private recordCapLen(buf: Buffer, p: number): number {
    const a = this.le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8);
    const b = this.le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
    return this.lengthsSwapped === 'yes' || (this.lengthsSwapped === 'maybe' && a > b) ? b : a;
  }

  private stop(): void {
    this.stopped = true;
    this.info.stoppedEarly = true;
  }
}
