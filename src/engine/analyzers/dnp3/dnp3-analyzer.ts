/**
 * DNP3 over TCP (dnp3.log), following Zeek's DNP3 analyzer (src/analyzer/protocol/dnp3/DNP3.cc)
 * and scripts/base/protocols/dnp3/main.zeek:
 * - link layer: frames of a 10-byte header (0x05 0x64, LEN, control, destination, source, CRC)
 *   and LEN-5 bytes of user data in blocks of 16, each followed by its CRC. Every CRC is
 *   checked: a bad header CRC is weird dnp3_corrupt_header_checksum, a bad block CRC weird
 *   dnp3_corrupt_data_checksum (the frame is dropped); a frame without user data (LEN 5: link
 *   status and the like) carries no application data;
 * - transport: the first byte of each frame's user data (FIN 0x80, FIR 0x40, sequence);
 *   segments from FIR to FIN make one application fragment (bounded);
 * - application: from the originator a request header (control, function code), from the
 *   responder a response header (control, function code, IIN). As Zeek: a request sets
 *   fc_request (and ts) of the connection's pending record, a reply sets fc_reply, iin and ts and
 *   writes the record; a request never answered is written at the end.
 * Bytes that do not start with 0x0564 or whose header CRC is wrong: before the traffic was
 * confirmed, a violation; after it, a weird and the side hunts for the next valid frame header
 * (as after a gap).
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { DNP3_LOG } from './dnp3-log.js';

/** Zeek's DNP3::function_codes. */
const FUNCTIONS: readonly string[] = [
  'CONFIRM', 'READ', 'WRITE', 'SELECT', 'OPERATE', 'DIRECT_OPERATE', 'DIRECT_OPERATE_NR', 'IMMED_FREEZE',
  'IMMED_FREEZE_NR', 'FREEZE_CLEAR', 'FREEZE_CLEAR_NR', 'FREEZE_AT_TIME', 'FREEZE_AT_TIME_NR', 'COLD_RESTART',
  'WARM_RESTART', 'INITIALIZE_DATA', 'INITIALIZE_APPL', 'START_APPL', 'STOP_APPL', 'SAVE_CONFIG', 'ENABLE_UNSOLICITED',
  'DISABLE_UNSOLICITED', 'ASSIGN_CLASS', 'DELAY_MEASURE', 'RECORD_CURRENT_TIME', 'OPEN_FILE', 'CLOSE_FILE',
  'DELETE_FILE', 'GET_FILE_INFO', 'AUTHENTICATE_FILE', 'ABORT_FILE', 'ACTIVATE_CONFIG', 'AUTHENTICATE_REQ',
  'AUTHENTICATE_REQ_NR',
];

export function functionName(fc: number): string {
  if (fc < FUNCTIONS.length) return FUNCTIONS[fc];
  if (fc === 0x81) return 'RESPONSE';
  if (fc === 0x82) return 'UNSOLICITED_RESPONSE';
  if (fc === 0x83) return 'AUTHENTICATE_RESPONSE';
  return `unknown-${fc}`;
}

/** CRC-16/DNP: polynomial 0x3D65 (reflected 0xA6BC), initial 0, complemented, sent low byte first. */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function dnp3Crc(b: Uint8Array, off: number, end: number): number {
  let c = 0;
  for (let i = off; i < end; i++) c = (c >>> 8) ^ CRC_TABLE[(c ^ b[i]) & 0xff];
  return ~c & 0xffff;
}

function crcOk(b: Uint8Array, off: number, end: number): boolean {
  return dnp3Crc(b, off, end) === (b[end] | (b[end + 1] << 8));
}

const HEADER = 10;
const BLOCK = 16;
const TP_FIN = 0x80;
const TP_FIR = 0x40;

/** Bytes of a whole link frame with `dataLen` bytes of user data. */
function frameSize(dataLen: number): number {
  return HEADER + dataLen + 2 * Math.ceil(dataLen / BLOCK);
}

class Side {
  /** Bytes of an incomplete frame (less than one frame: at most 292 bytes). */
  pending: Buffer | undefined;
  dead = false;
  /** Framing lost (gap, bad header): looking for the next valid frame header. */
  hunting = false;
  /** A fragment is being reassembled (FIR seen, FIN not yet). */
  inFragment = false;
  fragLen = 0;
  /** The fragment's first application bytes (control, function code, IIN). */
  readonly head = new Uint8Array(4);
  headLen = 0;
}

export class Dnp3Analyzer implements StreamAnalyzer {
  private readonly orig = new Side();
  private readonly resp = new Side();
  private confirmed = false;
  private rec: LogRecord | undefined;

  constructor(private readonly ctx: AnalyzerContext) {}

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const side = isOrig ? this.orig : this.resp;
    if (side.dead || len <= 0) return;
    let b = buf, i = off, end = off + len;
    if (side.pending) {
      b = Buffer.concat([side.pending, buf.subarray(off, end)]);
      i = 0;
      end = b.length;
      side.pending = undefined;
    }
    while (i < end && !side.dead) {
      if (side.hunting) {
        i = this.hunt(side, b, i, end);
        if (side.hunting) break;
      }
      if (end - i < HEADER) break;
      if (b[i] !== 0x05 || b[i + 1] !== 0x64) {
        this.badHeader(side, 'dnp3_header_lacks_magic', 'DNP3 frame without the 0x0564 start');
        continue;
      }
      if (!crcOk(b, i, i + 8)) {
        this.badHeader(side, 'dnp3_corrupt_header_checksum', 'DNP3 header checksum mismatch');
        continue;
      }
      const lenField = b[i + 2];
      if (lenField < 5) {
        this.badHeader(side, 'dnp3_bad_length', `DNP3 frame length ${lenField}`);
        continue;
      }
      const dataLen = lenField - 5;
      const size = frameSize(dataLen);
      if (end - i < size) break;
      if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
      this.frame(isOrig, side, b, i + HEADER, dataLen);
      i += size;
    }
    if (i < end && !side.dead) side.pending = Buffer.from(b.subarray(i, end));
  }

  /** Skips to the next 0x05 0x64 whose header CRC is right (or keeps the last byte to retry). */
  private hunt(side: Side, b: Buffer, i: number, end: number): number {
    for (; i + 1 < end; i++) {
      if (b[i] !== 0x05 || b[i + 1] !== 0x64) continue;
      if (end - i < HEADER) return i; // maybe a header: wait for the rest
      if (crcOk(b, i, i + 8) && b[i + 2] >= 5) {
        side.hunting = false;
        return i;
      }
    }
    return i; // the last byte may start a header
  }

  private badHeader(side: Side, weird: string, reason: string): void {
    this.ctx.weird(weird);
    if (!this.confirmed) {
      this.ctx.violation(reason);
      side.dead = true;
      side.pending = undefined;
      return;
    }
    side.hunting = true;
    side.inFragment = false;
  }

  /** One link frame's user data: blocks at b[p...), `dataLen` bytes without the CRCs. */
  private frame(isOrig: boolean, side: Side, b: Buffer, p: number, dataLen: number): void {
    if (dataLen === 0) return; // link-layer only
    // Check every block's CRC first: a corrupt frame contributes nothing.
    for (let left = dataLen, q = p; left > 0; ) {
      const n = left < BLOCK ? left : BLOCK;
      if (!crcOk(b, q, q + n)) {
        this.ctx.weird('dnp3_corrupt_data_checksum');
        side.inFragment = false;
        return;
      }
      q += n + 2;
      left -= n;
    }
    const tp = b[p];
    if (tp & TP_FIR) {
      side.inFragment = true;
      side.fragLen = 0;
      side.headLen = 0;
    } else if (!side.inFragment) {
      this.ctx.weird('dnp3_first_transport_segment_missing');
      return;
    }
    // Application bytes of this segment: user data after the transport byte, CRCs skipped.
    const segLen = dataLen - 1;
    side.fragLen += segLen;
    if (side.fragLen > LIMITS.dnp3MaxFragmentBytes) {
      this.ctx.weird('dnp3_fragment_too_large');
      side.inFragment = false;
      return;
    }
    for (let k = 1; k <= segLen && side.headLen < 4; k++) {
      // user-data byte k sits after floor(k / 16) CRCs
      side.head[side.headLen++] = b[p + k + 2 * Math.floor(k / BLOCK)];
    }
    if (tp & TP_FIN) {
      side.inFragment = false;
      this.application(isOrig, side);
    }
  }

  private application(isOrig: boolean, side: Side): void {
    const h = side.head;
    if (side.headLen < (isOrig ? 2 : 4)) {
      this.ctx.weird('dnp3_truncated_application_header');
      return;
    }
    if (!this.rec) this.rec = { ts: this.ctx.now(), ...this.ctx.connFields() };
    this.rec.ts = this.ctx.now();
    if (isOrig) {
      this.rec.fc_request = functionName(h[1]);
      return;
    }
    this.rec.fc_reply = functionName(h[1]);
    this.rec.iin = (h[2] << 8) | h[3];
    this.ctx.log(DNP3_LOG, this.rec);
    this.rec = undefined;
  }

  /**
   * DNP3 over UDP (IEEE 1815 §A.3): a datagram holds whole link frames, so bytes of a frame
   * left over at its end are not continued by the next one; application fragments still may be.
   */
  datagramEnd(isOrig: boolean): void {
    const side = isOrig ? this.orig : this.resp;
    if (!side.pending) return;
    side.pending = undefined;
    this.ctx.weird('dnp3_udp_truncated_frame');
  }

  gap(isOrig: boolean, _len: number): void {
    const side = isOrig ? this.orig : this.resp;
    side.pending = undefined;
    side.inFragment = false;
    side.hunting = true;
  }

  eof(_isOrig: boolean): void {}

  done(): void {
    if (this.rec) {
      this.ctx.log(DNP3_LOG, this.rec);
      this.rec = undefined;
    }
  }
}
