/**
 * FTP inspection units (detect/inspection.ts): one per client command, with ftp.command (the
 * verb as sent) and ftp.command_data (its argument, as sent; absent when there is none).
 */
import type { InspectionUnit } from '../../detect/inspection.js';

/** The command line buf[start, end): verb in [start, verbEnd), argument in [argStart, end). */
export function ftpCommandUnit(buf: Buffer, start: number, verbEnd: number, argStart: number, end: number, txId: number): InspectionUnit {
  const command = Buffer.from(buf.subarray(start, verbEnd));
  return argStart < end
    ? { proto: 'ftp', isOrig: true, txId, buffers: { 'ftp.command': command, 'ftp.command_data': Buffer.from(buf.subarray(argStart, end)) } }
    : { proto: 'ftp', isOrig: true, txId, buffers: { 'ftp.command': command } };
}
