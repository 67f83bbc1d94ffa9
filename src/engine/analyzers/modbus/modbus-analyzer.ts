/**
 * Modbus/TCP (modbus.log), following Zeek's Modbus analyzer and
 * scripts/base/protocols/modbus/main.zeek: each message is an MBAP header (transaction id,
 * protocol id 0, length, unit id) and a PDU (function code, data). Zeek writes one record per
 * message (requests and responses alike, each with its own ts, tid and unit); an exception
 * response (function code >= 0x80) carries the exception code's name. A response carries the
 * transaction id of its request, which is how the two are paired in the log.
 * A length outside [2, limit] or a protocol id other than 0 means the bytes are not Modbus:
 * weird, violation and that side is not parsed any more (no resynchronisation is possible).
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { MODBUS_LOG } from './modbus-log.js';

/** Zeek's Modbus::function_codes. */
const FUNCTIONS: ReadonlyMap<number, string> = new Map([
  [0x01, 'READ_COILS'], [0x02, 'READ_DISCRETE_INPUTS'], [0x03, 'READ_HOLDING_REGISTERS'], [0x04, 'READ_INPUT_REGISTERS'],
  [0x05, 'WRITE_SINGLE_COIL'], [0x06, 'WRITE_SINGLE_REGISTER'], [0x07, 'READ_EXCEPTION_STATUS'], [0x08, 'DIAGNOSTICS'],
  [0x0b, 'GET_COMM_EVENT_COUNTER'], [0x0c, 'GET_COMM_EVENT_LOG'], [0x0f, 'WRITE_MULTIPLE_COILS'],
  [0x10, 'WRITE_MULTIPLE_REGISTERS'], [0x11, 'REPORT_SLAVE_ID'], [0x14, 'READ_FILE_RECORD'], [0x15, 'WRITE_FILE_RECORD'],
  [0x16, 'MASK_WRITE_REGISTER'], [0x17, 'READ_WRITE_MULTIPLE_REGISTERS'], [0x18, 'READ_FIFO_QUEUE'],
  [0x2b, 'ENCAP_INTERFACE_TRANSPORT'], [0x5b, 'OBJECT_MESSAGING'],
  [0x09, 'PROGRAM_484'], [0x0a, 'POLL_484'], [0x0d, 'PROGRAM_584_984'], [0x0e, 'POLL_584_984'], [0x12, 'PROGRAM_884_U84'],
  [0x13, 'RESET_COMM_LINK_884_U84'], [0x28, 'PROGRAM_CONCEPT'], [0x29, 'MULTIPLE_FUNCTION_CODES'], [0x5a, 'PROGRAM_UNITY'],
  [0x7d, 'FIRMWARE_REPLACEMENT'], [0x7e, 'PROGRAM_584_984_2'], [0x7f, 'REPORT_LOCAL_ADDRESS'],
]);

/** Zeek's Modbus::exception_codes. */
const EXCEPTIONS: ReadonlyMap<number, string> = new Map([
  [0x01, 'ILLEGAL_FUNCTION'], [0x02, 'ILLEGAL_DATA_ADDRESS'], [0x03, 'ILLEGAL_DATA_VALUE'], [0x04, 'SLAVE_DEVICE_FAILURE'],
  [0x05, 'ACKNOWLEDGE'], [0x06, 'SLAVE_DEVICE_BUSY'], [0x08, 'MEMORY_PARITY_ERROR'], [0x0a, 'GATEWAY_PATH_UNAVAILABLE'],
  [0x0b, 'GATEWAY_TARGET_DEVICE_FAILED_TO_RESPOND'],
]);

/** Zeek's Modbus::build_func: the name, or the masked name + "_EXCEPTION" for exception codes. */
export function functionName(fc: number): string {
  const direct = FUNCTIONS.get(fc);
  if (direct !== undefined) return direct;
  const masked = FUNCTIONS.get(fc & 0x7f);
  if (masked === undefined) return `unknown-${fc}`;
  return fc & 0x80 ? masked + '_EXCEPTION' : masked;
}

export function exceptionName(code: number): string {
  return EXCEPTIONS.get(code) ?? `unknown-${code}`;
}

/** MBAP header (7 bytes) + function code. */
const HEADER = 8;

class Side {
  /** Bytes of an incomplete message (< one message: bounded by 6 + modbusMaxLength). */
  pending: Buffer | undefined;
  dead = false;
}

export class ModbusAnalyzer implements StreamAnalyzer {
  private readonly orig = new Side();
  private readonly resp = new Side();
  private confirmed = false;
  /** The connection's log fields, the same for every record. */
  private conn: LogRecord | undefined;

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
    while (end - i >= 6) {
      const pid = (b[i + 2] << 8) | b[i + 3];
      const mlen = (b[i + 4] << 8) | b[i + 5];
      if (mlen < 2 || mlen > LIMITS.modbusMaxLength || pid !== 0) {
        this.ctx.weird(pid !== 0 ? 'modbus_bad_protocol_id' : 'modbus_bad_length', `${pid !== 0 ? pid : mlen}`);
        this.ctx.violation(pid !== 0 ? `Modbus protocol id ${pid}` : `Modbus length ${mlen}`);
        side.dead = true;
        return;
      }
      if (end - i < 6 + mlen) break;
      this.message(isOrig, b, i, i + 6 + mlen);
      i += 6 + mlen;
    }
    if (i < end) side.pending = Buffer.from(b.subarray(i, end));
  }

  private message(isOrig: boolean, b: Buffer, i: number, end: number): void {
    if (!this.confirmed) { this.confirmed = true; this.ctx.confirm(); }
    const fc = b[i + 7];
    // One record per message: the connection's fields are read once and every record is one
    // literal of one shape (a spread of connFields() per message copied them key by key).
    const c = (this.conn ??= this.ctx.connFields());
    const rec = {
      ts: this.ctx.now(), uid: c.uid, 'id.orig_h': c['id.orig_h'], 'id.orig_p': c['id.orig_p'], 'id.resp_h': c['id.resp_h'], 'id.resp_p': c['id.resp_p'],
      tid: (b[i] << 8) | b[i + 1], unit: b[i + 6], func: functionName(fc), pdu_type: isOrig ? 'REQ' : 'RESP',
      exception: undefined as string | undefined,
    };
    if (fc >= 0x80) {
      if (end - i <= HEADER) {
        // modbus_exception needs its code byte; Zeek writes nothing without it.
        this.ctx.weird('modbus_truncated_exception');
        return;
      }
      rec.exception = exceptionName(b[i + HEADER]);
    }
    this.ctx.log(MODBUS_LOG, rec);
  }

  gap(isOrig: boolean, _len: number): void {
    // Message boundaries are lost and MBAP has no marker to find the next one.
    const side = isOrig ? this.orig : this.resp;
    side.dead = true;
    side.pending = undefined;
  }

  eof(isOrig: boolean): void {
    const side = isOrig ? this.orig : this.resp;
    if (side.pending && !side.dead) this.ctx.weird('modbus_truncated_message');
    side.pending = undefined;
  }

  done(): void {
    for (const side of [this.orig, this.resp]) {
      if (side.pending && !side.dead) this.ctx.weird('modbus_truncated_message');
      side.pending = undefined;
    }
  }
}
